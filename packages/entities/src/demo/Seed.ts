import { SqlClient } from "@effect/sql"
import { Clock, Config, Effect, Layer } from "effect"
import { makeDemoCatalogue } from "./DemoCatalogue.js"
import { hash } from "./DemoRandom.js"
import { seedDemoRiders } from "./DemoRiders.js"
import { seedDemoStaff } from "./DemoStaff.js"
import { receiptDetail } from "../stock/StockRows.js"

const chunk = <A>(rows: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

/** Customers to act as in the embedded mode (`pnpm run token cust-demo-1`). */
export const demoCustomers = [
  { id: "cust-demo-1", name: "Asha Kulkarni", phone: "+919800000001" },
  { id: "cust-demo-2", name: "Rohan Deshpande", phone: "+919800000002" },
  { id: "cust-demo-3", name: "Meera Joshi", phone: "+919800000003" }
] as const

/** Demo vendor cost: the catalogue price carries a 28% margin. */
export const demoVendorCost = (basePrice: number): number => Math.round(basePrice / 1.28)

/** Demo popularity 0–999, fixed per SKU (FNV-1a of the id), until real orders raise it. */
export const demoPopularity = (skuId: string): number => hash(skuId) % 1000

/**
 * Loads the demo catalogue (12 Pune stores, 4,200 SKUs, per-store stock) into an
 * empty database. Each batch enters through a `receive` ledger row, so the ledger
 * of every store-SKU sums to its on-hand from the first moment.
 */
export const seedDemoCatalogue = Effect.fn("Seed.demoCatalogue")(function*(options?: { readonly skuCount?: number }) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* Clock.currentTimeMillis
  yield* sql`INSERT INTO customers ${sql.insert(demoCustomers.map((c) => ({ ...c, created_at: new Date(now) })))}
    ON CONFLICT (id) DO NOTHING`
  const existing = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM stores`
  if (existing[0].n > 0) {
    yield* seedDemoRiders
    yield* seedDemoStaff
    return false
  }
  const catalogue = makeDemoCatalogue({ now, ...(options?.skuCount ? { skuCount: options.skuCount } : {}) })
  yield* Effect.logInfo(
    `seeding demo catalogue: ${catalogue.stores.length} stores, ${catalogue.skus.length} SKUs, ${catalogue.stock.length} store-SKUs`
  )
  const insert = (table: string, rows: ReadonlyArray<Record<string, unknown>>, size = 1000) =>
    Effect.forEach(chunk(rows, size), (part) => sql`INSERT INTO ${sql(table)} ${sql.insert(part as Array<Record<string, unknown>>)}`, {
      discard: true
    })
  yield* sql.withTransaction(Effect.gen(function*() {
    yield* insert("stores", catalogue.stores.map((s, position) => ({ ...s, pincodes: [...s.pincodes], position })))
    yield* insert(
      "skus",
      catalogue.skus.map((s) => ({
        id: s.id,
        name: s.name,
        aliases: [...s.aliases],
        category: s.category,
        unit: s.unit,
        brand: s.brand,
        base_price: s.basePrice,
        vendor_cost: demoVendorCost(s.basePrice),
        popularity: demoPopularity(s.id)
      }))
    )
    const parts = chunk(catalogue.stock, 2000)
    for (const [i, part] of parts.entries()) {
      const counters: Array<Record<string, unknown>> = []
      const batches: Array<Record<string, unknown>> = []
      const ledger: Array<Record<string, unknown>> = []
      for (const s of part) {
        let seq = 0
        let onHand = 0
        for (const b of s.batches) {
          if (b.qty === 0) continue
          seq++
          onHand += b.qty
          const bestBefore = new Date(b.bestBefore)
          batches.push({ store_id: s.storeId, sku_id: s.skuId, lot: b.lot, qty: b.qty, best_before: bestBefore })
          const receiptId = `seed-${b.lot}`
          ledger.push({
            store_id: s.storeId,
            sku_id: s.skuId,
            seq,
            kind: "receive",
            ref: receiptId,
            on_hand_delta: b.qty,
            reserved_delta: 0,
            allocated_delta: 0,
            note: b.lot,
            detail: receiptDetail(b.qty, b.lot, bestBefore.getTime()),
            at: new Date(now)
          })
        }
        counters.push({
          store_id: s.storeId,
          sku_id: s.skuId,
          on_hand: onHand,
          reserved: 0,
          allocated: 0,
          reorder_threshold: s.reorderThreshold,
          version: seq
        })
      }
      yield* insert("store_skus", counters)
      yield* insert("stock_batches", batches)
      yield* insert("stock_ledger", ledger)
      yield* Effect.logInfo(`seeding stock: ${Math.min((i + 1) * 2000, catalogue.stock.length)}/${catalogue.stock.length}`)
    }
  }))
  yield* seedDemoRiders
  yield* seedDemoStaff
  const took = (yield* Clock.currentTimeMillis) - now
  yield* Effect.logInfo(`demo catalogue seeded in ${(took / 1000).toFixed(1)} s`)
  return true
}, Effect.orDie)

/** Seeds on first start unless `SEED_DEMO=false`. */
export const SeedLive = Layer.effectDiscard(
  Effect.gen(function*() {
    const enabled = yield* Config.boolean("SEED_DEMO").pipe(Config.withDefault(true))
    // `DEMO_SKU_COUNT`: a smaller catalogue (tests that start whole processes).
    const skuCount = yield* Config.option(Config.integer("DEMO_SKU_COUNT"))
    if (enabled) yield* seedDemoCatalogue(skuCount._tag === "Some" ? { skuCount: skuCount.value } : undefined)
  })
)
