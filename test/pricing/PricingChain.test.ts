import { describe, expect, it } from "@effect/vitest"
import { evaluate, istMinuteOfDay, minimumUnitPrice } from "@qc/entities/pricing/PricingChain"
import type { ChainInputs } from "@qc/entities/pricing/PricingChain"
import * as fc from "fast-check"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** 2025-03-10 00:00 UTC = 05:30 IST. */
const T0 = Date.UTC(2025, 2, 10)
/** `HH:MM` IST on 2025-03-10 as epoch ms. */
const ist = (hh: number, mm = 0) => T0 + (hh * 60 + mm - 330) * MINUTE

const sku = (over: Partial<ChainInputs> = {}): ChainInputs => ({
  storeId: "blr-1",
  skuId: "tomato-1kg",
  category: "fresh_produce",
  catalogueBasePrice: 10_000,
  vendorCost: null,
  margin: null,
  promotions: [],
  markdowns: [],
  timeRules: [],
  signals: [],
  ...over
})

const promo = { promotionId: "p1", vendor: "FarmCo", price: 7_900, startsAt: T0 - HOUR, endsAt: T0 + HOUR }
const batch = { lot: "L1", bestBefore: T0 + 24 * HOUR, percent: 30, qty: 4 }
const evening = { ruleId: "evening", from: "18:00", until: "24:00", percent: 20 }
const signal = { competitor: "rival", price: 9_000, observedAt: T0 - 30 * MINUTE }
const costed = { vendorCost: 8_000, margin: { targetPercent: 25, minPercent: 10 } }

const verdict = (inputs: ChainInputs, at: number, rule: string) => evaluate(inputs, at).chain.find((v) => v.rule === rule)

describe("PricingChain", () => {
  it("base price: catalogue, or vendor cost plus target margin", () => {
    const plain = evaluate(sku(), T0)
    expect(plain).toMatchObject({ price: 10_000, rule: "base_price", validUntil: null, timeSensitive: false })
    expect(plain.pricingContext).toMatchObject({ rule: "base_price", ruleId: null, inputs: { source: "catalogue" } })
    expect(plain.chain.map((v) => v.rule)).toEqual(["vendor_promotion", "expiry_markdown", "time_of_day", "competitor_parity", "base_price"])
    const margined = evaluate(sku({ vendorCost: 8_000, margin: { targetPercent: 30, minPercent: 5 } }), T0)
    expect(margined.price).toBe(10_400)
    expect(margined.pricingContext.inputs).toMatchObject({ source: "vendor_cost_margin", vendorCost: 8_000, targetPercent: 30 })
  })

  it("vendor promotion: live, upcoming, ended, several", () => {
    const live = evaluate(sku({ promotions: [promo] }), T0)
    expect(live).toMatchObject({ price: 7_900, rule: "vendor_promotion", validUntil: promo.endsAt, timeSensitive: true })
    expect(live.pricingContext).toMatchObject({ ruleId: "p1", inputs: { vendor: "FarmCo", promotionPrice: 7_900, basePrice: 10_000 } })
    expect(verdict(sku({ promotions: [promo] }), promo.startsAt - 1, "vendor_promotion")?.reason).toContain("p1 starts at")
    expect(verdict(sku({ promotions: [promo] }), promo.endsAt, "vendor_promotion")?.reason).toContain("p1 ended at")
    expect(verdict(sku(), T0, "vendor_promotion")?.reason).toBe("no promotion for this SKU at this store")
    const several = [{ ...promo, promotionId: "p3", price: 7_500 }, { ...promo, promotionId: "p2", price: 7_500 }, promo]
    expect(evaluate(sku({ promotions: several }), T0).pricingContext.ruleId).toBe("p2")
  })

  it("expiry markdown: window opens exactly 48 h before best-before and closes at it", () => {
    const inputs = sku({ markdowns: [batch] })
    const opens = batch.bestBefore - 48 * HOUR
    expect(evaluate(inputs, opens - 1)).toMatchObject({ rule: "base_price", validUntil: opens })
    expect(verdict(inputs, opens - 1, "expiry_markdown")?.reason).toContain("window opens at")
    expect(evaluate(inputs, opens)).toMatchObject({ price: 7_000, rule: "expiry_markdown", validUntil: batch.bestBefore })
    expect(evaluate(inputs, opens).pricingContext).toMatchObject({ ruleId: "L1", inputs: { batch: "L1", percent: 30, hoursLeft: 48 } })
    expect(evaluate(inputs, batch.bestBefore - 1).rule).toBe("expiry_markdown")
    expect(evaluate(inputs, batch.bestBefore)).toMatchObject({ rule: "base_price", validUntil: null })
    expect(verdict(inputs, batch.bestBefore, "expiry_markdown")?.reason).toContain("best-before passed")
  })

  it("expiry markdown: a sold-out batch is not marked down; the deepest live batch wins", () => {
    const soldOut = sku({ markdowns: [{ ...batch, qty: 0 }] })
    expect(evaluate(soldOut, T0).rule).toBe("base_price")
    expect(verdict(soldOut, T0, "expiry_markdown")?.reason).toContain("sold out")
    const several = [batch, { ...batch, lot: "L2", percent: 40, qty: 0 }, { ...batch, lot: "L3", bestBefore: T0 + HOUR }]
    expect(evaluate(sku({ markdowns: several }), T0).pricingContext.ruleId).toBe("L3")
  })

  it("time of day: 17:59:59.999 IST is full price, 18:00 IST is −20%", () => {
    const inputs = sku({ timeRules: [evening] })
    expect(ist(18)).toBe(Date.UTC(2025, 2, 10, 12, 30))
    expect(istMinuteOfDay(ist(18))).toBe(18 * 60)
    const before = evaluate(inputs, ist(18) - 1)
    expect(before).toMatchObject({ price: 10_000, rule: "base_price", validUntil: ist(18) })
    const after = evaluate(inputs, ist(18))
    expect(after).toMatchObject({ price: 8_000, rule: "time_of_day", validUntil: ist(24), timeSensitive: true })
    expect(after.pricingContext).toMatchObject({
      ruleId: "evening",
      inputs: { from: "18:00", until: "24:00", percent: 20, timezone: "Asia/Kolkata", localTime: "18:00" }
    })
    expect(evaluate(inputs, ist(24)).rule).toBe("base_price")
  })

  it("time of day: a window across midnight, and an empty window", () => {
    const inputs = sku({ timeRules: [{ ruleId: "night", from: "22:00", until: "06:00", percent: 10 }] })
    expect(evaluate(inputs, ist(21, 59)).rule).toBe("base_price")
    expect(evaluate(inputs, ist(22)).rule).toBe("time_of_day")
    expect(evaluate(inputs, ist(23, 30)).validUntil).toBe(ist(30))
    expect(evaluate(inputs, ist(29, 59)).price).toBe(9_000)
    expect(evaluate(inputs, ist(30)).rule).toBe("base_price")
    const empty = sku({ timeRules: [{ ruleId: "none", from: "10:00", until: "10:00", percent: 10 }] })
    expect(evaluate(empty, ist(10))).toMatchObject({ rule: "base_price", validUntil: null })
  })

  it("competitor parity: matches the lowest fresh price, never below the margin floor", () => {
    const inputs = sku({ ...costed, signals: [signal, { ...signal, competitor: "other", price: 9_500 }] })
    expect(evaluate(inputs, T0)).toMatchObject({ price: 9_000, rule: "competitor_parity", timeSensitive: false })
    expect(evaluate(inputs, T0).pricingContext).toMatchObject({ ruleId: "rival", inputs: { floor: 8_800, minPercent: 10 } })
    const undercut = sku({ ...costed, signals: [{ ...signal, price: 7_000 }] })
    expect(evaluate(undercut, T0)).toMatchObject({ price: 8_800, rule: "competitor_parity" })
    const thin = sku({ vendorCost: 9_500, margin: { targetPercent: null, minPercent: 10 }, signals: [signal] })
    expect(evaluate(thin, T0)).toMatchObject({ price: 10_000, rule: "base_price" })
    expect(verdict(thin, T0, "competitor_parity")?.reason).toContain("floor 10450 is at or above base")
    const noCost = sku({ signals: [signal] })
    expect(verdict(noCost, T0, "competitor_parity")?.reason).toContain("no margin floor")
    const defaultMin = sku({ vendorCost: 8_000, signals: [{ ...signal, price: 1 }] })
    expect(evaluate(defaultMin, T0).price).toBe(8_400)
  })

  it("competitor parity: a stale signal is ignored", () => {
    const inputs = sku({ ...costed, signals: [signal] })
    const staleAt = signal.observedAt + 2 * HOUR + 1
    expect(evaluate(inputs, T0).validUntil).toBe(staleAt)
    expect(evaluate(inputs, staleAt - 1).rule).toBe("competitor_parity")
    expect(evaluate(inputs, staleAt)).toMatchObject({ rule: "base_price", price: 10_000 })
    expect(verdict(inputs, staleAt, "competitor_parity")?.reason).toBe("no fresh competitor price")
    expect(evaluate(inputs, signal.observedAt - 1)).toMatchObject({ rule: "base_price", validUntil: signal.observedAt })
  })

  it("priority: each rule beats every rule below it", () => {
    const all = sku({ ...costed, promotions: [{ ...promo, startsAt: ist(18), endsAt: ist(19) }], markdowns: [batch], timeRules: [evening], signals: [{ ...signal, observedAt: ist(18) }] })
    const expected = [
      ["vendor_promotion", 7_900],
      ["expiry_markdown", 7_000],
      ["time_of_day", 8_000],
      ["competitor_parity", 9_000],
      ["base_price", 10_000]
    ] as const
    const at = ist(18, 30)
    const without = (n: number): ChainInputs => ({
      ...all,
      promotions: n > 0 ? [] : all.promotions,
      markdowns: n > 1 ? [] : all.markdowns,
      timeRules: n > 2 ? [] : all.timeRules,
      signals: n > 3 ? [] : all.signals
    })
    expected.forEach(([rule, price], n) => {
      const result = evaluate(without(n), at)
      expect(result).toMatchObject({ rule, price })
      expect(result.chain.slice(n).every((v) => v.matched)).toBe(true)
    })
  })

  it("rounds odd paise", () => {
    expect(evaluate(sku({ catalogueBasePrice: 999, timeRules: [evening] }), ist(19)).price).toBe(799)
    expect(evaluate(sku({ catalogueBasePrice: 1_005, markdowns: [{ ...batch, percent: 10 }] }), T0).price).toBe(905)
    expect(evaluate(sku({ vendorCost: 333, margin: { targetPercent: 15, minPercent: 0 } }), T0).price).toBe(383)
    const floorOf = (vendorCost: number, minPercent: number) =>
      verdict(sku({ vendorCost, margin: { targetPercent: 100, minPercent }, signals: [{ ...signal, price: 1 }] }), T0, "competitor_parity")?.price
    expect(floorOf(100, 10)).toBe(110)
    expect(floorOf(101, 5)).toBe(107)
  })

  it("never under ₹1: a promotion at 0 or 50 paise, a deep markdown of a cheap item, a base price under ₹1", () => {
    expect(minimumUnitPrice).toBe(100)
    for (const price of [0, 50, 99]) {
      const free = evaluate(sku({ promotions: [{ ...promo, price }] }), T0)
      expect(free).toMatchObject({ price: 100, rule: "vendor_promotion", pricingContext: { ruleId: "p1", inputs: { rulePrice: price, minimumPrice: 100 } } })
      expect(free.pricingContext.reason).toContain("raised to the minimum price of 100 paise")
    }
    expect(evaluate(sku({ promotions: [{ ...promo, price: 100 }] }), T0).pricingContext.inputs).not.toHaveProperty("rulePrice")
    expect(evaluate(sku({ catalogueBasePrice: 120, markdowns: [{ ...batch, percent: 90 }] }), T0)).toMatchObject({ price: 100, rule: "expiry_markdown" })
    expect(evaluate(sku({ catalogueBasePrice: 101, timeRules: [evening] }), ist(19))).toMatchObject({ price: 100, rule: "time_of_day" })
    const tiny = evaluate(sku({ catalogueBasePrice: 40 }), T0)
    expect(tiny).toMatchObject({ price: 100, rule: "base_price", pricingContext: { inputs: { source: "catalogue", rulePrice: 40 } } })
    // Parity never matches down to a price it would then have to raise: at a ₹1 base there is nothing to match.
    const cheap = sku({ catalogueBasePrice: 100, vendorCost: 10, signals: [{ ...signal, price: 60 }] })
    expect(evaluate(cheap, T0)).toMatchObject({ price: 100, rule: "base_price" })
    expect(verdict(cheap, T0, "competitor_parity")?.reason).toContain("minimum price 100 is at or above base 100")
    const parity = evaluate(sku({ catalogueBasePrice: 150, vendorCost: 10, signals: [{ ...signal, price: 60 }] }), T0)
    expect(parity).toMatchObject({ price: 100, rule: "competitor_parity" })
    expect(parity.pricingContext.reason).toContain("matched down to the minimum price 100")
  })
})

const instant = fc
  .tuple(fc.integer({ min: -288, max: 288 }), fc.constantFrom(0, 0, 1, -1, 59_999))
  .map(([quarter, ms]) => T0 + quarter * 15 * MINUTE + ms)
const wallTime = (max: number) => fc.integer({ min: 0, max }).map((q) => `${String(Math.floor(q / 4)).padStart(2, "0")}:${String((q % 4) * 15).padStart(2, "0")}`)
// From 0: promotions, signals and costs under ₹1 must still price at ₹1 or more.
const money = fc.oneof(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 1, max: 20_000 }))
const chainInputs: fc.Arbitrary<ChainInputs> = fc.record({
  catalogueBasePrice: fc.integer({ min: 0, max: 20_000 }),
  vendorCost: fc.option(money, { nil: null }),
  margin: fc.option(
    fc.record({ targetPercent: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }), minPercent: fc.integer({ min: 0, max: 50 }) }),
    { nil: null }
  ),
  promotions: fc.array(
    fc.record({
      promotionId: fc.constantFrom("p1", "p2", "p3"),
      vendor: fc.constant("FarmCo"),
      price: money,
      startsAt: instant,
      duration: fc.integer({ min: 0, max: 96 })
    }).map(({ duration, ...p }) => ({ ...p, endsAt: p.startsAt + duration * 15 * MINUTE })),
    { maxLength: 3 }
  ),
  markdowns: fc.array(
    fc.record({ lot: fc.constantFrom("A", "B", "C"), bestBefore: instant, percent: fc.integer({ min: 1, max: 99 }), qty: fc.integer({ min: 0, max: 3 }) }),
    { maxLength: 3 }
  ),
  timeRules: fc.array(
    fc.record({ ruleId: fc.constantFrom("r1", "r2", "r3"), from: wallTime(95), until: wallTime(96), percent: fc.integer({ min: 1, max: 99 }) }),
    { maxLength: 3 }
  ),
  signals: fc.array(fc.record({ competitor: fc.constantFrom("x", "y", "z"), price: money, observedAt: instant }), { maxLength: 3 })
}).map((r) => sku(r))

describe("PricingChain properties", () => {
  it.prop("the first matched rule is the one applied, at an integer price >= 0", [chainInputs, instant], ([inputs, at]) => {
    const result = evaluate(inputs, at)
    const applied = result.chain.filter((v) => v.applied)
    expect(applied).toHaveLength(1)
    expect(result.chain.findIndex((v) => v.applied)).toBe(result.chain.findIndex((v) => v.matched))
    expect(result.chain.every((v) => (v.price === null) === !v.matched)).toBe(true)
    expect(Number.isInteger(result.price) && result.price >= 0).toBe(true)
    expect(result.price).toBe(applied[0]?.price)
    expect(result.rule).toBe(applied[0]?.rule)
  }, { fastCheck: { numRuns: 200 } })

  it.prop("no price is under ₹1, only prices under it are raised, and a live promotion at or above it is charged as sent", [chainInputs, instant], ([inputs, at]) => {
    const result = evaluate(inputs, at)
    expect(result.price).toBeGreaterThanOrEqual(minimumUnitPrice)
    for (const v of result.chain.filter((v) => v.matched)) {
      expect(v.price).toBeGreaterThanOrEqual(minimumUnitPrice)
      if ("rulePrice" in v.inputs) {
        expect(v.price).toBe(minimumUnitPrice)
        expect(Number(v.inputs["rulePrice"])).toBeLessThan(minimumUnitPrice)
        expect(v.reason).toContain("raised to the minimum price")
      }
    }
    const live = inputs.promotions.filter((p) => p.startsAt <= at && at < p.endsAt).map((p) => p.price)
    if (live.length > 0) expect(result.price).toBe(Math.max(minimumUnitPrice, Math.min(...live)))
  }, { fastCheck: { numRuns: 300 } })

  it.prop("competitor parity never charges below its floor", [chainInputs, instant], ([inputs, at]) => {
    const parity = evaluate(inputs, at).chain[3]
    if (parity?.matched) {
      expect(parity.price).toBeGreaterThanOrEqual(Number(parity.inputs["floor"]))
      expect(parity.price).toBeLessThan(Number(parity.inputs["basePrice"]))
    }
  }, { fastCheck: { numRuns: 200 } })

  it.prop(
    "price and rule hold over [at, validUntil)",
    [chainInputs, instant, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 })],
    ([inputs, at, fractions]) => {
      const result = evaluate(inputs, at)
      const end = result.validUntil ?? at + 7 * 24 * HOUR
      expect(end).toBeGreaterThan(at)
      const probes = [at, end - 1, ...fractions.map((f) => at + Math.floor((end - at) * f))].filter((t) => t < end)
      for (const t of probes) {
        const later = evaluate(inputs, t)
        expect([later.price, later.rule]).toEqual([result.price, result.rule])
      }
    },
    { fastCheck: { numRuns: 200 } }
  )
})
