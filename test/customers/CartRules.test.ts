import { describe, expect, it } from "@effect/vitest"
import { cartLifetimeMs, maxCartLines, maxLineQty } from "@qc/domain/customers/Cart"
import type { CartState, SeenLine } from "@qc/entities/customers/CartRules"
import {
  applyConfirmed,
  checkoutFor,
  clear,
  emptyCart,
  expectedTotal,
  isExpired,
  keptCheckouts,
  lineChanges,
  recordCheckout,
  recordLook,
  setLine
} from "@qc/entities/customers/CartRules"
import * as fc from "fast-check"

/** Few SKU ids for many collisions, plus enough distinct ones to reach the line limit. */
const skuId = fc.oneof(fc.constantFrom("a", "b", "c", "d"), fc.integer({ min: 0, max: 70 }).map((n) => `sku-${n}`))
const qty = fc.integer({ min: 0, max: maxLineQty })
const sets = fc.array(fc.record({ skuId, qty }), { maxLength: 150 })

const build = (ops: ReadonlyArray<{ skuId: string; qty: number }>, from: CartState = emptyCart) =>
  ops.reduce((s, o, i) => {
    const next = setLine(s, o.skuId, o.qty, 1_000 + i)
    return next === "Full" ? s : next
  }, from)

const asMap = (s: CartState) => new Map(s.lines.map((l) => [l.skuId, l.qty]))

describe("cart rules", () => {
  it("every cart stays placeable as one order: at most 50 distinct lines of 1..50 units", () =>
    fc.assert(fc.property(sets, (ops) => {
      const s = build(ops)
      expect(s.lines.length).toBeLessThanOrEqual(maxCartLines)
      expect(new Set(s.lines.map((l) => l.skuId)).size).toBe(s.lines.length)
      for (const l of s.lines) expect(l.qty >= 1 && l.qty <= maxLineQty).toBe(true)
    })))

  it("setting a line sets exactly that line (0 removes it), and only a new 51st line is refused", () =>
    fc.assert(fc.property(sets, skuId, qty, (ops, id, q) => {
      const s = build(ops)
      const next = setLine(s, id, q, 9_999)
      const had = asMap(s).has(id)
      if (next === "Full") {
        expect(!had && q > 0 && s.lines.length === maxCartLines).toBe(true)
        return
      }
      const expected = asMap(s)
      if (q === 0) expected.delete(id)
      else expected.set(id, q)
      expect(asMap(next)).toEqual(expected)
      // Lines keep the order they were added in; a new one goes last.
      const order = s.lines.map((l) => l.skuId).filter((k) => expected.has(k))
      expect(next.lines.map((l) => l.skuId)).toEqual(had || q === 0 ? order : [...order, id])
      // A change bumps the version and the touch time; no change is the very same state.
      if (asMap(s).get(id) === (q === 0 ? undefined : q)) expect(next).toBe(s)
      else expect(next).toMatchObject({ version: s.version + 1, touchedAt: 9_999 })
      // Setting the same line twice is setting it once.
      expect(setLine(next, id, q, 10_000)).toBe(next)
    })))

  it("a confirmed checkout takes out what it ordered, keeps what was added or raised since, and applies once", () =>
    fc.assert(fc.property(sets, sets, (before, after) => {
      const atCheckout = build(before)
      const placed = recordCheckout(atCheckout, {
        idempotencyKey: "k1",
        orderId: "ord-1",
        items: atCheckout.lines,
        expectedTotal: null,
        confirmed: false
      })
      const changed = build(after, placed)
      const confirmed = applyConfirmed(changed, "ord-1", 50_000)
      const ordered = asMap(atCheckout)
      const expected = new Map<string, number>()
      for (const l of changed.lines) {
        const left = l.qty - (ordered.get(l.skuId) ?? 0)
        if (left > 0) expected.set(l.skuId, left)
      }
      expect(asMap(confirmed)).toEqual(expected)
      expect(checkoutFor(confirmed, "k1")?.confirmed).toBe(true)
      // Redelivered: nothing more leaves the cart.
      expect(applyConfirmed(confirmed, "ord-1", 60_000)).toBe(confirmed)
      // Another order (placed outside the cart, or unknown) touches nothing.
      expect(applyConfirmed(changed, "ord-other", 50_000)).toBe(changed)
      // With nothing changed after checkout, the cart ends empty.
      expect(applyConfirmed(placed, "ord-1", 50_000).lines).toEqual([])
    })))

  const seen = fc.record({ skuId: fc.constantFrom("a", "b", "c"), unitPrice: fc.integer({ min: 100, max: 10_000 }), inStock: fc.boolean() })
  const looks = fc.uniqueArray(seen, { selector: (l) => l.skuId, maxLength: 3 })

  it("a look reports price up/down and stock changes against the last look of the same pincode, once", () =>
    fc.assert(fc.property(looks, looks, (first, second) => {
      const looked = recordLook(emptyCart, "411045", 0, first)
      for (const now of second) {
        const changes = lineChanges(looked.look, "411045", now)
        const before = first.find((l) => l.skuId === now.skuId)
        const expected: Array<unknown> = []
        if (before !== undefined && before.unitPrice !== now.unitPrice) {
          expected.push({ kind: now.unitPrice > before.unitPrice ? "price_up" : "price_down", before: before.unitPrice, after: now.unitPrice })
        }
        if (before !== undefined && before.inStock !== now.inStock) expected.push({ kind: now.inStock ? "back_in_stock" : "out_of_stock" })
        expect(changes).toEqual(expected)
        // Another pincode is another set of stores: nothing to compare with.
        expect(lineChanges(looked.look, "411014", now)).toEqual([])
      }
      // Once recorded, the same look shows no change.
      const again = recordLook(looked, "411045", 0, second)
      for (const now of second) expect(lineChanges(again.look, "411045", now)).toEqual([])
      expect(lineChanges(null, "411045", second[0] ?? ({ skuId: "a", unitPrice: 100, inStock: true } satisfies SeenLine))).toEqual([])
    })))

  it("checkout expects the last look's total only while the lines and pincode are the ones looked at", () =>
    fc.assert(fc.property(sets, fc.record({ skuId, qty }), fc.integer({ min: 0, max: 1_000_000 }), (ops, change, total) => {
      const s = build(ops)
      const looked = recordLook(s, "411045", total, [])
      expect(expectedTotal(looked, "411045")).toBe(total)
      expect(expectedTotal(looked, "411014")).toBeUndefined()
      expect(expectedTotal(s, "411045")).toBe(s.look === null ? undefined : s.look.total)
      const next = setLine(looked, change.skuId, change.qty, 77)
      if (next !== "Full" && next !== looked) expect(expectedTotal(next, "411045")).toBeUndefined()
      const emptied = clear(looked, 78)
      if (looked.lines.length > 0) expect(expectedTotal(emptied, "411045")).toBeUndefined()
    })))

  it("remembers the last 20 checkouts, each key once", () =>
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 80 }), (keys) => {
      const s = keys.reduce(
        (acc, k) => recordCheckout(acc, { idempotencyKey: `k${k}`, orderId: `o${k}`, items: [], expectedTotal: null, confirmed: false }),
        emptyCart
      )
      expect(s.checkouts.length).toBeLessThanOrEqual(keptCheckouts)
      expect(new Set(s.checkouts.map((c) => c.idempotencyKey)).size).toBe(s.checkouts.length)
      const last = keys.at(-1)
      if (last !== undefined) expect(checkoutFor(s, `k${last}`)?.orderId).toBe(`o${last}`)
    })))

  it("a cart expires exactly 30 days after its lines last changed; a never-filled one never", () =>
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 * cartLifetimeMs }), (touchedAt, age) => {
      const s = { ...emptyCart, touchedAt }
      expect(isExpired(s, touchedAt + age)).toBe(age >= cartLifetimeMs)
      expect(isExpired(emptyCart, touchedAt + age)).toBe(false)
    })))
})
