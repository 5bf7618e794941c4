import { SqlClient } from "@effect/sql"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import { Sku, Store } from "@qc/domain/catalogue/Catalogue"
import type { Category, Pincode, SkuUpsert } from "@qc/domain/catalogue/Catalogue"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import type { Paise } from "@qc/domain/Money"
import { Effect, Option, Schema } from "effect"
import { OpeningHours } from "@qc/domain/stores/StoreOps"
import { installRegions } from "@qc/domain/stores/Regions"
import { isOpen } from "../stores/OpeningHours.js"
import { JsonColumn } from "../platform/SqlValues.js"
import { DomainEvents } from "../platform/DomainEvents.js"

/** Whether a store takes orders now: the manager's switch and its IST hours. */
interface StoreOpening {
  readonly accepting: boolean
  readonly hours: OpeningHours | null
}

const decodeHours = Schema.decodeUnknownSync(Schema.NullOr(JsonColumn(OpeningHours)))

interface Snapshot {
  readonly stores: ReadonlyArray<Store>
  readonly opening: ReadonlyMap<string, StoreOpening>
  readonly storesById: ReadonlyMap<string, Store>
  readonly byPincode: ReadonlyMap<string, ReadonlyArray<Store>>
  readonly skus: ReadonlyMap<string, Sku>
  readonly vendorCosts: ReadonlyMap<string, number | null>
  readonly popularity: ReadonlyMap<string, number>
}

/**
 * Stores and SKUs, held in memory: the catalogue is small (a few thousand rows)
 * and read on every request, so lookups must not cost a query. Every runner
 * reloads it when it sees a `catalogue.updated` event; `version` tells derived
 * structures (the search index) to rebuild.
 */
export class CatalogueRepo extends Effect.Service<CatalogueRepo>()("CatalogueRepo", {
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents

    const load = Effect.gen(function*() {
      const storeRows = yield* sql<{
        id: StoreId
        region: string
        name: string
        locality: string
        pincodes: Array<Pincode>
        lat: number
        lng: number
        hours: unknown
        accepting: boolean
      }>`SELECT id, region, name, locality, pincodes, lat, lng, hours, accepting FROM stores ORDER BY position NULLS LAST, id`
      const skuRows = yield* sql<{
        id: SkuId
        name: string
        aliases: Array<string>
        category: Category
        unit: string
        brand: string
        base_price: Paise
        vendor_cost: number | null
        popularity: number
      }>`SELECT id, name, aliases, category, unit, brand, base_price, vendor_cost, popularity FROM skus ORDER BY id`
      const stores = storeRows.map(({ accepting: _, hours: __, ...r }) => new Store(r))
      // A store added by an admin joins its region's shard group on every process that reloads.
      installRegions(stores)
      const byPincode = new Map<string, Array<Store>>()
      for (const store of stores) {
        for (const pincode of store.pincodes) byPincode.set(pincode, [...(byPincode.get(pincode) ?? []), store])
      }
      return {
        stores,
        opening: new Map(storeRows.map((r) => [r.id as string, { accepting: r.accepting, hours: decodeHours(r.hours) }])),
        storesById: new Map(stores.map((s) => [s.id as string, s])),
        byPincode,
        skus: new Map(skuRows.map((r) => [r.id as string, new Sku({ ...r, basePrice: r.base_price })])),
        vendorCosts: new Map(skuRows.map((r) => [r.id as string, r.vendor_cost])),
        popularity: new Map(skuRows.map((r) => [r.id as string, r.popularity]))
      } satisfies Snapshot
    }).pipe(Effect.orDie)

    let current: Snapshot = yield* load
    let version = 1
    const reload = Effect.map(load, (next) => {
      current = next
      version++
    })
    yield* events.follow((batch) => (batch.some((e) => e.type === "catalogue.updated" || e.type === "store.updated") ? reload : Effect.void))

    /** Creates or changes a SKU; every runner reloads on the event written with it. */
    const upsertSku = (skuId: SkuId, sku: SkuUpsert) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`INSERT INTO skus (id, name, aliases, category, unit, brand, base_price, vendor_cost)
          VALUES (${skuId}, ${sku.name}, ${[...sku.aliases]}, ${sku.category}, ${sku.unit}, ${sku.brand}, ${sku.basePrice},
                  ${sku.vendorCost ?? null})
          ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, aliases = EXCLUDED.aliases, category = EXCLUDED.category,
            unit = EXCLUDED.unit, brand = EXCLUDED.brand, base_price = EXCLUDED.base_price, vendor_cost = EXCLUDED.vendor_cost`
        yield* events.publish([domainEvent("catalogue.updated", skuId, { skuId })])
      })).pipe(Effect.zipRight(reload), Effect.orDie)

    return {
      /**
       * Every store as of the last reload. A function, not a getter: `Effect.Service` copies the
       * service's properties once, so a getter would answer the stores of the first load forever.
       */
      stores: (): ReadonlyArray<Store> => current.stores,
      /** The stores delivering to a pincode, primary first. */
      storesForPincode: (pincode: string): ReadonlyArray<Store> => current.byPincode.get(pincode) ?? [],
      /** The stores delivering to a pincode that take orders at `nowMs` (switch on, inside IST hours), primary first. */
      openStoresForPincode: (pincode: string, nowMs: number): ReadonlyArray<Store> =>
        (current.byPincode.get(pincode) ?? []).filter((s) => {
          const opening = current.opening.get(s.id)
          return opening === undefined || isOpen(opening, nowMs)
        }),
      store: (id: string) => Option.fromNullable(current.storesById.get(id)),
      sku: (id: string) => Option.fromNullable(current.skus.get(id)),
      skus: (): Iterable<Sku> => current.skus.values(),
      /** What the vendor charges us, if known. */
      vendorCost: (id: string): number | null => current.vendorCosts.get(id) ?? null,
      popularity: (id: string): number => current.popularity.get(id) ?? 0,
      skuCount: (): number => current.skus.size,
      /** Bumped on every reload. */
      version: (): number => version,
      /** Reads stores and SKUs again now (this runner; others follow the event). */
      reload,
      upsertSku
    } as const
  })
}) {}
