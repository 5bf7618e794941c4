import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import type { Category } from "@qc/domain/catalogue/Catalogue"
import { SkuId, StoreId } from "@qc/domain/Ids"
import type { CompetitorSignal } from "@qc/domain/pricing/Pricing"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { CompetitorPrices } from "@qc/entities/pricing/CompetitorPrices"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import * as Migrations from "@qc/entities/platform/Migrations"
import { PriceCache, PriceCacheMemory } from "@qc/entities/pricing/PriceCache"
import { PriceResolver, PricingChainResolverLive } from "@qc/entities/pricing/PriceResolver"
import { PricingRepo } from "@qc/entities/pricing/PricingRepo"
import { PricingRuleStore, signVendorBody, VendorWebhookSecret } from "@qc/entities/pricing/PricingRuleStore"
import { demoVendorCost, seedDemoCatalogue } from "@qc/entities/demo/Seed"
import { DateTime, Deferred, Effect, Fiber, FiberId, Layer, Redacted, Ref, TestClock } from "effect"
import { makeTestDatabase } from "../support/TestDatabase.js"

const HOUR = 3_600_000
/**
 * Epoch millis of day `day` (0 = 2025-01-01) at hh:mm on the Asia/Kolkata wall clock (UTC+05:30).
 * The demo seed runs at TestClock 0 (1970), so every seeded fresh or dairy batch is past best-before;
 * dates sent as input must be in 2000–2100.
 */
const ist = (hh: number, mm = 0, day = 30) => Date.UTC(2025, 0, 1) + day * 24 * HOUR + (hh * 60 + mm - 330) * 60_000
const secret = "pricing-test-secret"

const Database = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => db.layer))
const Seeded = Layer.effectDiscard(
  Effect.zipRight(Effect.orDie(Migrations.run), seedDemoCatalogue({ skuCount: 300 }))
)
const Shared = CatalogueRepo.Default.pipe(
  Layer.provideMerge(DomainEvents.Default),
  Layer.provideMerge(Seeded),
  Layer.provideMerge(Database)
)

/** A competitor feed the test sets. */
const feed = Ref.unsafeMake<ReadonlyArray<CompetitorSignal>>([])
/** Per test: the chain, its cache and the rule writes, over the shared seeded database. */
const Pricing = Layer.mergeAll(PricingChainResolverLive, PricingRuleStore.Default).pipe(
  Layer.provideMerge(PricingRepo.Default),
  Layer.provideMerge(PriceCacheMemory),
  Layer.provide(Layer.succeed(VendorWebhookSecret, Redacted.make(secret))),
  Layer.provide(Layer.succeed(CompetitorPrices, CompetitorPrices.of({ source: "test", fetch: Ref.get(feed) })))
)

/** The cache's `setMany` calls numbered `held` wait for `gate`: a computation stays in flight while the test moves on. */
const gate = Deferred.unsafeMake<void>(FiberId.none)
const held = new Set([2])
const GatedCache = Layer.effect(
  PriceCache,
  Effect.map(PriceCache, (inner) => {
    let calls = 0
    return PriceCache.of({
      ...inner,
      setMany: (entries) => Effect.suspend(() => (held.has(++calls) ? Deferred.await(gate) : Effect.void)).pipe(Effect.zipRight(inner.setMany(entries)))
    })
  })
).pipe(Layer.provide(PriceCacheMemory))
const PricingGated = Layer.mergeAll(PricingChainResolverLive).pipe(
  Layer.provideMerge(PricingRepo.Default),
  Layer.provideMerge(GatedCache)
)

/** A store-SKU of `category` in stock, not used by another test. */
const taken = new Set<string>()
const pick = (category: Category) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ store_id: string; sku_id: string; base_price: number }>`
      SELECT ss.store_id, ss.sku_id, s.base_price FROM store_skus ss JOIN skus s ON s.id = ss.sku_id
       WHERE s.category = ${category} AND ss.on_hand > 0
       ORDER BY ss.sku_id, ss.store_id`.pipe(Effect.orDie)
    const row = rows.find((r) => !taken.has(r.sku_id))!
    taken.add(row.sku_id)
    return { storeId: StoreId.make(row.store_id), skuId: SkuId.make(row.sku_id), base: row.base_price }
  })

const quote = (storeId: string, skuId: string) =>
  Effect.flatMap(PriceResolver, (r) => Effect.map(r.quote(storeId, [skuId]), (m) => m.get(skuId)!))

const promotionBody = (p: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(p))

describe("pricing chain over the stored rules", () => {
  layer(Shared, { timeout: "60 seconds" })((it) => {
    it.effect("time-of-day: fresh produce is −20% from 18:00 IST, and a cached price is not served past 18:00", () =>
      Effect.gen(function*() {
        const { storeId, skuId, base } = yield* pick("fresh_produce")
        yield* TestClock.setTime(ist(17, 59))
        const before = yield* quote(storeId, skuId)
        expect(before).toMatchObject({ price: base, rule: "base_price", validUntil: ist(18) })
        yield* TestClock.adjust("59 seconds")
        expect((yield* quote(storeId, skuId)).price).toBe(base) // served from cache, still before 18:00
        yield* TestClock.adjust("1 second")
        const after = yield* quote(storeId, skuId)
        expect(after).toMatchObject({ price: Math.round((base * 80) / 100), rule: "time_of_day" })
        expect(after.pricingContext).toMatchObject({ ruleId: "fresh-evening", inputs: { from: "18:00", until: "24:00", percent: 20 } })
        // Checkout resolves fresh and agrees.
        const charged = yield* Effect.flatMap(PriceResolver, (r) => r.resolve(storeId, skuId, ist(18)))
        expect(charged.price).toBe(after.price)
        // Not for dairy.
        const milk = yield* pick("dairy")
        expect((yield* quote(milk.storeId, milk.skuId)).rule).toBe("base_price")
      }).pipe(Effect.provide(Pricing)))

    it.effect("a quote at 18:00 that meets a refresh started at 17:59:59 still in flight does not get the 17:59 price", () =>
      Effect.gen(function*() {
        const { storeId, skuId, base } = yield* pick("fresh_produce")
        yield* TestClock.setTime(ist(17, 59))
        expect((yield* quote(storeId, skuId)).price).toBe(base) // computed and cached (setMany #1)
        yield* TestClock.adjust("59 seconds")
        // Served from cache; late in its life, so it is refreshed in the background (setMany #2, held).
        expect((yield* quote(storeId, skuId)).price).toBe(base)
        yield* TestClock.adjust("1 second")
        const at18 = yield* Effect.fork(quote(storeId, skuId))
        yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        const after = yield* Fiber.join(at18)
        expect(after).toMatchObject({ price: Math.round((base * 80) / 100), rule: "time_of_day" })
      }).pipe(Effect.provide(PricingGated)))

    it.effect("expiry markdown: from 48 h before best-before until best-before, computed by the job", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const rules = yield* PricingRuleStore
        const { storeId, skuId, base } = yield* pick("dairy")
        const bestBefore = ist(10, 0, 33)
        yield* sql`INSERT INTO stock_batches (store_id, sku_id, lot, qty, best_before)
          VALUES (${storeId}, ${skuId}, 'LOT-NEAR', 4, ${new Date(bestBefore).toISOString()})`
        // The nightly job, run the evening before: inside its 72 h horizon, not yet in the 48 h window.
        yield* TestClock.setTime(bestBefore - 60 * HOUR)
        expect(yield* rules.recomputeMarkdowns()).toBeGreaterThan(0)
        expect((yield* quote(storeId, skuId)).rule).toBe("base_price")
        yield* TestClock.setTime(bestBefore - 48 * HOUR - 1)
        expect((yield* quote(storeId, skuId)).rule).toBe("base_price")
        yield* TestClock.adjust(1)
        const marked = yield* quote(storeId, skuId)
        expect(marked).toMatchObject({ price: Math.round((base * 75) / 100), rule: "expiry_markdown" })
        expect(marked.pricingContext).toMatchObject({ ruleId: "LOT-NEAR", inputs: { batch: "LOT-NEAR", percent: 25 } })
        yield* TestClock.setTime(bestBefore - 1)
        expect((yield* quote(storeId, skuId)).rule).toBe("expiry_markdown")
        yield* TestClock.setTime(bestBefore)
        expect((yield* quote(storeId, skuId)).rule).toBe("base_price")
      }).pipe(Effect.provide(Pricing)))

    it.effect("competitor parity matches the lowest fresh signal, never below cost + minimum margin, until it goes stale", () =>
      Effect.gen(function*() {
        const rules = yield* PricingRuleStore
        const { storeId, skuId, base } = yield* pick("packaged_food")
        const cost = demoVendorCost(base)
        const floor = Math.ceil((cost * 106) / 100) // packaged food keeps at least 6%
        const now = ist(11)
        yield* TestClock.setTime(now)
        const signal = (competitor: string, price: number): CompetitorSignal => ({
          skuId,
          competitor,
          price: price as CompetitorSignal["price"],
          observedAt: DateTime.unsafeMake(now - 10 * 60_000)
        })
        yield* Ref.set(feed, [signal("zepto", base - 100), signal("blinkit", base - 300)])
        yield* rules.refreshCompetitorPrices()
        const matched = yield* quote(storeId, skuId)
        expect(matched).toMatchObject({ price: Math.max(base - 300, floor), rule: "competitor_parity" })
        expect(matched.pricingContext.ruleId).toBe("blinkit")
        // Far below cost: held at the floor.
        yield* Ref.set(feed, [signal("blinkit", 100)])
        yield* rules.refreshCompetitorPrices()
        expect((yield* quote(storeId, skuId)).price).toBe(floor)
        // Two hours after it was observed, the signal is stale.
        yield* TestClock.setTime(now - 10 * 60_000 + 2 * HOUR + 1)
        expect((yield* quote(storeId, skuId))).toMatchObject({ price: base, rule: "base_price" })
      }).pipe(Effect.provide(Pricing)))

    it.effect("a vendor promotion beats every other rule while it runs; the chain says why for each rule", () =>
      Effect.gen(function*() {
        const rules = yield* PricingRuleStore
        const resolver = yield* PriceResolver
        const { storeId, skuId, base } = yield* pick("fresh_produce")
        yield* TestClock.setTime(ist(19))
        expect((yield* quote(storeId, skuId)).rule).toBe("time_of_day") // cached now; the promotion must evict it
        const promotion = {
          promotionId: "promo-diwali-1",
          vendor: "FarmCo",
          storeIds: [storeId],
          skuIds: [skuId],
          price: base - 500,
          startsAt: new Date(ist(18)).toISOString(),
          endsAt: new Date(ist(20)).toISOString()
        }
        const body = promotionBody(promotion)
        expect(yield* rules.receivePromotion(body, signVendorBody(secret, body))).toEqual({ status: "created", promotionId: "promo-diwali-1" })
        const promoted = yield* quote(storeId, skuId)
        expect(promoted).toMatchObject({ price: base - 500, rule: "vendor_promotion" })
        expect(promoted.pricingContext).toMatchObject({ ruleId: "promo-diwali-1", inputs: { vendor: "FarmCo" } })
        const explained = yield* resolver.explain(storeId, skuId, ist(19))
        expect(explained.chain.map((v) => [v.rule, v.matched, v.applied])).toEqual([
          ["vendor_promotion", true, true],
          ["expiry_markdown", false, false],
          ["time_of_day", true, false],
          ["competitor_parity", false, false],
          ["base_price", true, false]
        ])
        expect(explained.chain.every((v) => v.reason.length > 0)).toBe(true)
        // After it ends, the evening rule again.
        expect((yield* resolver.resolve(storeId, skuId, ist(20))).pricingContext.rule).toBe("time_of_day")
      }).pipe(Effect.provide(Pricing)))

    it.effect("promotion webhook: bad signature, replay, conflicting replay and invalid bodies change nothing", () =>
      Effect.gen(function*() {
        const rules = yield* PricingRuleStore
        const { storeId, skuId, base } = yield* pick("dairy")
        yield* TestClock.setTime(ist(9))
        const promotion = {
          promotionId: "promo-replay",
          vendor: "Amul",
          storeIds: null,
          skuIds: [skuId],
          price: base - 200,
          startsAt: new Date(ist(8)).toISOString(),
          endsAt: new Date(ist(12)).toISOString()
        }
        const body = promotionBody(promotion)
        const bad = yield* Effect.flip(rules.receivePromotion(body, signVendorBody("wrong", body)))
        expect(bad._tag).toBe("Unauthorized")
        expect(yield* Effect.flip(rules.receivePromotion(body, undefined))).toMatchObject({ _tag: "Unauthorized" })
        expect((yield* quote(storeId, skuId)).rule).toBe("base_price")

        expect((yield* rules.receivePromotion(body, signVendorBody(secret, body))).status).toBe("created")
        expect((yield* rules.receivePromotion(body, signVendorBody(secret, body))).status).toBe("duplicate")
        const changed = promotionBody({ ...promotion, price: base - 199 })
        expect(yield* Effect.flip(rules.receivePromotion(changed, signVendorBody(secret, changed)))).toMatchObject({
          _tag: "PromotionConflict",
          promotionId: "promo-replay"
        })
        expect((yield* quote(storeId, skuId)).price).toBe(base - 200)

        const backwards = promotionBody({ ...promotion, promotionId: "promo-backwards", endsAt: promotion.startsAt })
        expect(yield* Effect.flip(rules.receivePromotion(backwards, signVendorBody(secret, backwards)))).toMatchObject({
          _tag: "InvalidPromotion",
          issues: [{ path: ["endsAt"] }]
        })
        const noPrice = promotionBody({ ...promotion, promotionId: "promo-noprice", price: -5 })
        const invalid = yield* Effect.flip(rules.receivePromotion(noPrice, signVendorBody(secret, noPrice)))
        expect(invalid).toMatchObject({ _tag: "InvalidPromotion" })
        expect(invalid._tag === "InvalidPromotion" && invalid.issues.map((i) => i.path.join("."))).toEqual(["price"])
      }).pipe(Effect.provide(Pricing)))

    it.effect("admin rule changes reach cached prices at once: a target margin sets the base from vendor cost", () =>
      Effect.gen(function*() {
        const rules = yield* PricingRuleStore
        const { storeId, skuId, base } = yield* pick("household_cleaning")
        yield* TestClock.setTime(ist(10))
        expect((yield* quote(storeId, skuId)).price).toBe(base)
        yield* rules.setCategoryMargin({ category: "household_cleaning", targetPercent: 40, minPercent: 8 })
        const repriced = yield* quote(storeId, skuId)
        expect(repriced.price).toBe(Math.round((demoVendorCost(base) * 140) / 100))
        expect(repriced.pricingContext.inputs).toMatchObject({ source: "vendor_cost_margin", targetPercent: 40 })
        yield* rules.setTimeRule({ ruleId: "clean-morning", category: "household_cleaning", from: "09:00", until: "11:00", percent: 10, active: true })
        expect((yield* quote(storeId, skuId))).toMatchObject({ rule: "time_of_day", price: Math.round((repriced.price * 90) / 100) })
        yield* rules.setTimeRule({ ruleId: "clean-morning", category: "household_cleaning", from: "09:00", until: "11:00", percent: 10, active: false })
        expect((yield* quote(storeId, skuId)).rule).toBe("base_price")
      }).pipe(Effect.provide(Pricing)))
  })
})
