import { describe, expect, it } from "@effect/vitest"
import { NotificationFacts } from "@qc/domain/notifications/Notification"
import type { Language, NotificationFacts as Facts } from "@qc/domain/notifications/Notification"
import { OrderId } from "@qc/domain/orders/Order"
import { istTime, notificationKinds, render, rupees, shortOrderId } from "@qc/entities/notifications/Templates"
import { Arbitrary, FastCheck as fc } from "effect"

const names = fc.constantFrom("Ravi", "Asha", "राजेश", "Mohammed", "Priya")
/** Facts of every kind from the schema, with a realistic rider name and an ETA within this century. */
const facts: fc.Arbitrary<Facts> = Arbitrary.make(NotificationFacts).chain((f): fc.Arbitrary<Facts> =>
  f.kind === "order.rider_assigned"
    ? fc.tuple(names, fc.integer({ min: 0, max: 4_102_444_800_000 })).map(([riderFirstName, etaAt]) => ({ ...f, riderFirstName, etaAt }))
    : fc.constant(f)
)
const order = OrderId.make("ord_pune-west_abcdefghij0123456789")
const languages = fc.constantFrom<Language>("en", "hi")

/** `₹1,23,456.78` back to paise. */
const paiseOf = (text: string) => Number(text.replace(/[₹,]/g, "").replace(".", ""))

describe("notification templates", () => {
  it("every kind renders in both languages with its facts, never 'undefined' or 'NaN'", () => {
    fc.assert(
      fc.property(facts, languages, (f, language) => {
        const { body, title } = render(f, language)
        for (const text of [title, body]) {
          expect(text.length).toBeGreaterThan(0)
          expect(text).not.toMatch(/undefined|NaN|null|\[object/)
        }
        expect(body).toContain(shortOrderId(f.orderId))
        if (f.kind === "order.confirmed") expect(body).toContain(rupees(f.total))
        if (f.kind === "payment.refunded") expect(body).toContain(rupees(f.amount))
        if (f.kind === "order.rider_assigned") expect(body).toContain(`${f.riderFirstName} `)
        if (f.kind === "order.rider_assigned") expect(body).toContain(istTime(f.etaAt))
        if (f.kind === "order.packed" && f.shortUnits > 0) expect(body).toContain(rupees(f.shortRefund))
      }),
      { numRuns: 2_000, seed: 20261201 }
    )
  })

  it("the table has every kind of the facts schema, in English and Hindi", () => {
    const kinds = new Set(fc.sample(Arbitrary.make(NotificationFacts), { numRuns: 2_000, seed: 3 }).map((f) => f.kind))
    expect([...kinds].sort()).toEqual(Object.keys(notificationKinds).sort())
    expect(render({ kind: "order.dispatched", orderId: order }, "hi").body).toMatch(/[\u0900-\u097F]/)
  })

  it("paise are formatted exactly, with Indian grouping", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (p) => {
      const text = rupees(p)
      expect(text).toMatch(/^₹\d{1,2}(,\d{2})*(,\d{3})?\.\d{2}$|^₹\d{1,3}\.\d{2}$/)
      expect(paiseOf(text)).toBe(p)
    }), { numRuns: 5_000, seed: 11 })
    expect([rupees(0), rupees(5), rupees(12345), rupees(100_000), rupees(12_345_678), rupees(1_000_000_000)]).toEqual([
      "₹0.00", "₹0.05", "₹123.45", "₹1,000.00", "₹1,23,456.78", "₹1,00,00,000.00"
    ])
  })

  it("times are India's wall clock; order ids are shortened to what support reads out", () => {
    expect(istTime(Date.UTC(2026, 11, 1, 8, 35))).toBe("14:05")
    expect(istTime(Date.UTC(2026, 11, 1, 18, 45))).toBe("00:15")
    expect(shortOrderId("ord_pune-west_abcdefghij0123456789")).toBe("#456789")
    const rider = render({ kind: "order.rider_assigned", orderId: order, riderFirstName: "Ravi", etaAt: Date.UTC(2026, 11, 1, 8, 35) }, "en")
    expect(rider).toEqual({ title: "Ravi is on the way", body: "Ravi will bring your order #456789, arriving around 14:05 IST." })
  })
})
