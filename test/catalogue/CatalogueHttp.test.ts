import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import type { CatalogueItem } from "@qc/domain/catalogue/Browse"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import { signVendorBody } from "@qc/entities/pricing/PricingRuleStore"
import { Clock, DateTime, Effect, Layer } from "effect"
import { customerClient, place, stock } from "../support/Checkout.js"
import { eventually, ioTick } from "../support/Drive.js"
import { apiClients, stackLayer, vendorSecret } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))
const pincode = Pincode.make("411045")
const servingPincode = ["pune-baner", "pune-aundh"] // the stores delivering to 411045, primary first

const browseAll = <E, R>(
  query: { readonly category?: "dairy" | "fresh_produce"; readonly sort: "name" | "price" | "popularity" },
  limit: number,
  between?: Effect.Effect<void, E, R>
) =>
  Effect.gen(function*() {
    const { anonymous } = yield* apiClients
    const seen: Array<CatalogueItem> = []
    let cursor: string | undefined
    for (let page = 0; page < 1000; page++) {
      const result = yield* anonymous.catalog.browse({ urlParams: { pincode, ...query, limit, ...(cursor ? { cursor } : {}) } })
      seen.push(...result.items)
      if (result.nextCursor === null) return seen
      cursor = result.nextCursor
      if (between) yield* between
    }
    return seen
  })

const postPromotion = (promotion: Record<string, unknown>, secret = vendorSecret) =>
  Effect.gen(function*() {
    const body = JSON.stringify(promotion)
    const { raw } = yield* apiClients
    const response = yield* raw.execute(HttpClientRequest.post("/v1/webhooks/vendor-promotions").pipe(
      HttpClientRequest.setHeader("x-vendor-signature", signVendorBody(secret, body)),
      HttpClientRequest.bodyText(body, "application/json")
    ))
    return { status: response.status, body: (yield* response.json) as Record<string, unknown> }
  })

const iso = (ms: number) => new Date(ms).toISOString()

describe("catalogue, search and pricing over HTTP", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("browse pages by cursor see every item once while stock and prices change underneath", () =>
      Effect.gen(function*() {
        const { anonymous, admin } = yield* apiClients
        const whole = yield* anonymous.catalog.browse({ urlParams: { pincode, category: "dairy", sort: "name", limit: 100 } })
        expect(whole.items.length).toBeGreaterThan(10)
        expect(whole.items.every((i) => i.category === "dairy" && servingPincode.includes(i.storeId))).toBe(true)
        const names = whole.items.map((i) => i.name)
        expect(names).toEqual([...names].sort())
        // Between pages: reserve stock on items and put one item on promotion.
        let n = 0
        const churn = Effect.gen(function*() {
          n++
          const target = whole.items[(n * 7) % whole.items.length]
          yield* Effect.ignore(admin.stockAdmin.reserve({
            path: { storeId: target.storeId, skuId: target.skuId },
            payload: { reservationId: ReservationId.make(`churn-${n}`), qty: 1, ttlSeconds: 600 }
          }))
          const now = yield* Clock.currentTimeMillis
          yield* postPromotion({
            promotionId: `churn-promo-${n}`,
            vendor: "Churn",
            storeIds: null,
            skuIds: [whole.items[(n * 3) % whole.items.length].skuId],
            price: 100,
            startsAt: iso(now - 60_000),
            endsAt: iso(now + 3_600_000)
          })
        })
        const byName = yield* browseAll({ category: "dairy", sort: "name" }, 4, churn)
        expect(byName.map((i) => i.skuId)).toEqual(whole.items.map((i) => i.skuId))
        // Stock churn does not move items in a price listing; each appears once.
        const before = yield* anonymous.catalog.browse({ urlParams: { pincode, category: "dairy", sort: "price", limit: 100 } })
        const stockOnly = Effect.ignore(admin.stockAdmin.reserve({
          path: { storeId: before.items[0].storeId, skuId: before.items[0].skuId },
          payload: { reservationId: ReservationId.make(`churn-price-${n++}`), qty: 1, ttlSeconds: 600 }
        }))
        const byPrice = yield* browseAll({ category: "dairy", sort: "price" }, 5, stockOnly)
        expect(byPrice.map((i) => i.skuId)).toEqual(before.items.map((i) => i.skuId))
        const prices = byPrice.map((i) => i.price)
        expect(prices).toEqual([...prices].sort((a, b) => a - b))
        // A cursor from another listing is refused.
        const first = yield* anonymous.catalog.browse({ urlParams: { pincode, category: "dairy", sort: "name", limit: 2 } })
        const misuse = yield* Effect.flip(anonymous.catalog.browse({ urlParams: { pincode, sort: "price", cursor: first.nextCursor! } }))
        expect(misuse._tag).toBe("InvalidCursor")
        const garbage = yield* Effect.flip(anonymous.catalog.browse({ urlParams: { pincode, cursor: "not-a-cursor" } }))
        expect(garbage._tag).toBe("InvalidCursor")
      }))

    it.effect("a stock change shows in browse within a second", () =>
      Effect.gen(function*() {
        const { anonymous, admin } = yield* apiClients
        const page = yield* anonymous.catalog.browse({ urlParams: { pincode, category: "fresh_produce", sort: "name", limit: 100 } })
        const item = page.items.find((i) => i.availability === "in_stock" && i.storeId === "pune-baner")!
        const level = yield* stock(item.storeId, item.skuId)
        const started = Date.now()
        yield* admin.stockAdmin.reserve({
          path: { storeId: item.storeId, skuId: item.skuId },
          payload: { reservationId: ReservationId.make("drain-1"), qty: level.available, ttlSeconds: 600 }
        })
        const seen = yield* eventually(
          Effect.flatMap(anonymous.catalog.product({ path: { skuId: item.skuId }, urlParams: { pincode } }), (p) =>
            Effect.sync(() => {
              // Served from the next store with stock, or out of stock if none.
              expect(p.storeId === item.storeId ? p.availability : "moved").not.toBe("in_stock")
              return Date.now() - started
            })),
          400
        )
        expect(seen).toBeLessThan(1_000)
      }))

    it.effect("search: Hinglish and typos find the product, only what the pincode's stores carry, with matched terms", () =>
      Effect.gen(function*() {
        const { anonymous } = yield* apiClients
        const found = yield* anonymous.catalog.search({ urlParams: { q: "tamatr", pincode, limit: 5 } })
        expect(found.items.length).toBeGreaterThan(0)
        expect(found.items[0].name).toMatch(/tomato/i)
        expect(found.items[0].matchedTerms[0]).toMatchObject({ query: "tamatr", kind: "fuzzy" })
        expect(found.items.every((i) => servingPincode.includes(i.storeId))).toBe(true)
        const other = yield* anonymous.catalog.search({ urlParams: { q: "tamatr", pincode: Pincode.make("412207"), limit: 5 } })
        expect(other.items.every((i) => ["pune-wagholi", "pune-viman-nagar"].includes(i.storeId))).toBe(true)
        const nowhere = yield* Effect.flip(anonymous.catalog.search({ urlParams: { q: "milk", pincode: Pincode.make("999999") } }))
        expect(nowhere).toMatchObject({ _tag: "NotServiceable", pincode: "999999" })
        // What an app that skips validation would send: 400 naming the parameter.
        const { raw } = yield* apiClients
        for (const q of ["", "%20%20%20", "a".repeat(101)]) {
          const refused = yield* raw.execute(HttpClientRequest.get(`/v1/search?q=${q}&pincode=411045`))
          expect(refused.status).toBe(400)
          expect(JSON.stringify(yield* refused.json)).toContain("\"q\"")
        }
        const badPin = yield* raw.execute(HttpClientRequest.get("/v1/search?q=milk&pincode=abc"))
        expect(badPin.status).toBe(400)
        expect(JSON.stringify(yield* badPin.json)).toContain("pincode")
      }))

    it.effect("a promotion received by webhook is what browse shows, checkout charges and the order line records", () =>
      Effect.gen(function*() {
        const { anonymous, admin } = yield* apiClients
        const page = yield* anonymous.catalog.browse({ urlParams: { pincode, category: "dairy", sort: "popularity", limit: 50 } })
        const item = page.items.find((i) => i.availability === "in_stock" && i.storeId === "pune-baner" && i.price > 1_000)!
        const now = yield* Clock.currentTimeMillis
        const promotion = {
          promotionId: "promo-http-1",
          vendor: "Amul",
          storeIds: ["pune-baner"],
          skuIds: [item.skuId],
          price: item.price - 500,
          startsAt: iso(now - 60_000),
          endsAt: iso(now + 3_600_000)
        }
        expect((yield* postPromotion(promotion, "wrong-secret")).status).toBe(401)
        expect((yield* anonymous.catalog.product({ path: { skuId: item.skuId }, urlParams: { pincode } })).price).toBe(item.price)
        expect(yield* postPromotion(promotion)).toEqual({ status: 201, body: { status: "created", promotionId: "promo-http-1" } })
        expect((yield* postPromotion(promotion)).status).toBe(200)
        expect((yield* postPromotion({ ...promotion, price: promotion.price + 1 })).status).toBe(409)
        const invalid = yield* postPromotion({ ...promotion, promotionId: "promo-http-2", skuIds: [] })
        expect(invalid.status).toBe(400)
        expect(JSON.stringify(invalid.body)).toContain("skuIds")

        const shown = yield* anonymous.catalog.product({ path: { skuId: item.skuId }, urlParams: { pincode } })
        expect(shown).toMatchObject({ price: item.price - 500, pricing: { rule: "vendor_promotion", ruleId: "promo-http-1" } })
        const placed = yield* place("cust-demo-3", "promo-order-1", {
          pincode,
          items: [{ skuId: SkuId.make(item.skuId), qty: 2 }],
          expectedTotal: (shown.price * 2) as never
        })
        expect(placed.lines[0]).toMatchObject({ unitPrice: shown.price, pricingContext: { rule: "vendor_promotion", ruleId: "promo-http-1" } })
        const stored = yield* Effect.flatMap(customerClient("cust-demo-3"), (c) => c.orders.get({ path: { orderId: placed.orderId } }))
        expect(stored.lines[0].pricingContext).toEqual(placed.lines[0].pricingContext)

        const explained = yield* admin.pricingAdmin.explain({ path: { storeId: StoreId.make("pune-baner"), skuId: SkuId.make(item.skuId) }, urlParams: {} })
        expect(explained.chain.map((v) => v.rule)).toEqual(["vendor_promotion", "expiry_markdown", "time_of_day", "competitor_parity", "base_price"])
        expect(explained.chain[0]).toMatchObject({ matched: true, applied: true, ruleId: "promo-http-1" })
        const unknown = yield* Effect.flip(admin.pricingAdmin.explain({ path: { storeId: StoreId.make("pune-nowhere"), skuId: SkuId.make(item.skuId) }, urlParams: {} }))
        expect(unknown._tag).toBe("StoreNotFound")
        yield* ioTick
      }))

    it.effect("admin pricing endpoints validate their input and need the admin key", () =>
      Effect.gen(function*() {
        const { admin, raw } = yield* apiClients
        const bad = yield* raw.execute(HttpClientRequest.post("/v1/admin/pricing/time-rules").pipe(
          HttpClientRequest.setHeader("x-admin-key", "test-admin-key"),
          HttpClientRequest.bodyText(JSON.stringify({ ruleId: "x", category: "dairy", from: "25:00", until: "26:00", percent: 10 }), "application/json")
        ))
        expect(bad.status).toBe(400)
        expect(JSON.stringify(yield* bad.json)).toContain("from")
        const anonymous = yield* raw.execute(HttpClientRequest.get("/v1/admin/pricing/time-rules"))
        expect(anonymous.status).toBe(401)
        yield* admin.pricingAdmin.setMarkdownPercent({ payload: { category: "dairy", percent: 40 } })
        expect(yield* admin.pricingAdmin.markdownPercents()).toContainEqual({ category: "dairy", percent: 40 })
        expect((yield* admin.pricingAdmin.timeRules()).map((r) => r.ruleId)).toContain("fresh-evening")
      }))
  })
})

const JobsLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer, { pricingJobs: true })))

describe("catalogue changes and pricing jobs on a running server", () => {
  layer(JobsLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("a SKU edited by an admin is searchable at once by its new alias, with its new price", () =>
      Effect.gen(function*() {
        const { anonymous, admin } = yield* apiClients
        const page = yield* anonymous.catalog.browse({ urlParams: { pincode, category: "packaged_food", sort: "name", limit: 5 } })
        const item = page.items.find((i) => i.pricing.rule === "base_price")!
        const before = yield* anonymous.catalog.search({ urlParams: { q: "zzchakna", pincode } })
        expect(before.items).toEqual([])
        yield* admin.catalogAdmin.upsertSku({
          path: { skuId: SkuId.make(item.skuId) },
          payload: { name: item.name, aliases: ["zzchakna"], category: item.category, unit: item.unit, brand: item.brand, basePrice: (item.price + 1_000) as never }
        })
        const after = yield* anonymous.catalog.search({ urlParams: { q: "zzchakna", pincode } })
        expect(after.items.map((i) => i.skuId)).toEqual([item.skuId])
        expect(after.items[0]).toMatchObject({ match: "alias", price: item.price + 1_000 })
        const { raw } = yield* apiClients
        const bad = yield* raw.execute(HttpClientRequest.put(`/v1/admin/catalog/skus/${item.skuId}`).pipe(
          HttpClientRequest.setHeader("x-admin-key", "test-admin-key"),
          HttpClientRequest.bodyText(JSON.stringify({ name: "", aliases: [], category: "toys", unit: "1", brand: "x", basePrice: -1 }), "application/json")
        ))
        expect(bad.status).toBe(400)
      }))

    it.effect("a batch received near its best-before is marked down as soon as the receipt commits", () =>
      Effect.gen(function*() {
        const { anonymous, admin } = yield* apiClients
        const page = yield* anonymous.catalog.browse({ urlParams: { pincode, category: "dairy", sort: "name", limit: 50 } })
        const item = page.items.find((i) => i.pricing.rule === "base_price" && i.storeId === "pune-baner")!
        const now = yield* Clock.currentTimeMillis
        yield* admin.stockAdmin.receive({
          path: { storeId: StoreId.make(item.storeId), skuId: SkuId.make(item.skuId) },
          payload: { receiptId: "grn-near-1" as never, qty: 6, lot: "LOT-NEAR-1", bestBefore: DateTime.unsafeMake(now + 30 * 3_600_000) }
        })
        const marked = yield* eventually(
          Effect.flatMap(anonymous.catalog.product({ path: { skuId: item.skuId }, urlParams: { pincode } }), (p) =>
            Effect.sync(() => {
              expect(p.pricing).toMatchObject({ rule: "expiry_markdown", ruleId: "LOT-NEAR-1" })
              return p
            })),
          1000
        )
        expect(marked.price).toBe(Math.round((item.price * 75) / 100))
      }))
  })
})
