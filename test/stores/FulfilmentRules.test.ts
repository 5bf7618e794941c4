import { describe, expect, it } from "@effect/vitest"
import { SkuId, StoreId } from "@qc/domain/Ids"
import { Paise } from "@qc/domain/Money"
import { loyaltyPointsFor } from "@qc/domain/orders/Fulfilment"
import type { StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import { istMinuteOfDay, withinHours } from "@qc/entities/stores/OpeningHours"
import { packedAtStore, shortPick, storesOf } from "@qc/entities/orders/FulfilmentRules"
import * as fc from "fast-check"

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`
/** Epoch ms at `minute` past IST midnight of some day. */
const atIst = (day: number, minute: number) => day * 86_400_000 + minute * 60_000 - (5 * 60 + 30) * 60_000

const line = (lineNo: number, storeId: string, qty: number, unitPrice: number): StoredOrderLine => ({
  lineNo,
  reservationId: `r-${lineNo}`,
  skuId: SkuId.make(`sku-${lineNo}`),
  storeId: StoreId.make(storeId),
  qty,
  unitPrice: Paise.make(unitPrice),
  pricingContext: { rule: "base_price", ruleId: null, reason: "test", inputs: {} }
})

const lines = fc.array(fc.record({ store: fc.constantFrom("a", "b"), qty: fc.integer({ min: 1, max: 50 }), price: fc.integer({ min: 100, max: 100_000 }) }), {
  minLength: 1,
  maxLength: 10
}).map((ls) => ls.map((l, i) => line(i + 1, l.store, l.qty, l.price)))

describe("opening hours on the IST clock", () => {
  it.prop("a daytime window: open exactly from `opens` (inclusive) to `closes` (exclusive)", [
    fc.integer({ min: 0, max: 1438 }),
    fc.integer({ min: 1, max: 1440 }),
    fc.integer({ min: 0, max: 1439 }),
    fc.integer({ min: 0, max: 30_000 })
  ], ([o, width, minute, day]) => {
    const c = Math.min(1440, o + width)
    fc.pre(c > o)
    const now = atIst(day, minute)
    expect(istMinuteOfDay(now)).toBe(minute)
    expect(withinHours({ opens: clock(o), closes: clock(c) }, now)).toBe(minute >= o && minute < c)
  })

  it.prop("a window past midnight is open exactly when its daytime complement is closed", [
    fc.integer({ min: 0, max: 1439 }),
    fc.integer({ min: 0, max: 1439 }),
    fc.integer({ min: 0, max: 1439 })
  ], ([a, b, minute]) => {
    fc.pre(a !== b)
    const now = atIst(20_000, minute)
    expect(withinHours({ opens: clock(a), closes: clock(b) }, now)).toBe(!withinHours({ opens: clock(b), closes: clock(a) }, now))
  })

  it("null hours: open all day; 07:00–01:00 is open at 00:30 and closed at 03:00", () => {
    expect(withinHours(null, 0)).toBe(true)
    expect(withinHours({ opens: "07:00", closes: "01:00" }, atIst(1, 30))).toBe(true)
    expect(withinHours({ opens: "07:00", closes: "01:00" }, atIst(1, 180))).toBe(false)
  })
})

describe("packing and money rules", () => {
  it.prop("a short pick refunds exactly the missing units at the prices charged, in whole paise", [lines, fc.array(fc.nat(50), { maxLength: 10 })], ([ls, packedRaw]) => {
    const packed = ls.map((l, i) => ({ lineNo: l.lineNo, packedQty: Math.min(l.qty, packedRaw[i] ?? l.qty) }))
    const short = shortPick(ls, packed)
    const missing = ls.map((l, i) => l.qty - packed[i].packedQty)
    expect(short.units).toBe(missing.reduce((a, b) => a + b, 0))
    expect(short.refund).toBe(ls.reduce((sum, l, i) => sum + missing[i] * l.unitPrice, 0))
    expect(Number.isInteger(short.refund)).toBe(true)
    expect(short.refund).toBeLessThanOrEqual(ls.reduce((sum, l) => sum + l.qty * l.unitPrice, 0))
  })

  it.prop("a store's report covers its own lines only: left out = packed in full, more than ordered or another store's SKU refused", [lines], ([ls]) => {
    const atA = ls.filter((l) => l.storeId === "a")
    const all = packedAtStore(ls, "a", [])
    expect("packed" in all && all.packed).toEqual(atA.map((l) => ({ lineNo: l.lineNo, packedQty: l.qty })))
    const atB = ls.find((l) => l.storeId === "b")
    if (atB !== undefined) expect("invalid" in packedAtStore(ls, "a", [{ skuId: atB.skuId, packedQty: 0 }])).toBe(true)
    if (atA[0] !== undefined) expect("invalid" in packedAtStore(ls, "a", [{ skuId: atA[0].skuId, packedQty: atA[0].qty + 1 }])).toBe(true)
    expect(storesOf(ls)[0]).toBe(ls[0].storeId)
  })

  it("loyalty: 1 point per whole ₹100 paid", () => {
    expect([0, 9_999, 10_000, 19_999, 123_456].map(loyaltyPointsFor)).toEqual([0, 0, 1, 1, 12])
  })
})
