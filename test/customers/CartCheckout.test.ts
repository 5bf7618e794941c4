import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { checkout, freshCart, pincode, setAvailable, setBasePrice, view } from "../support/Cart.js"
import { awaitStatus, customerClient, place, skusWithStock, stock } from "../support/Checkout.js"
import { eventually, ioTick } from "../support/Drive.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const asha = "cust-demo-1"
const baner = "pune-baner"

const plainSkus = (min: number, count: number) =>
  Effect.map(skusWithStock(baner, min, 200), (skus) => skus.filter((s) => s.category !== "fresh_produce").slice(0, count))

/** Pays a Razorpay order through the stand-in, as the customer's app would. */
const pay = (razorpayOrderId: string, outcome: "capture" | "fail") =>
  Effect.flatMap(apiClients, ({ admin }) => admin.ordersAdmin.pay({ path: { razorpayOrderId }, payload: { outcome } }))

const linesOf = (customerId: string) => Effect.map(view(customerId), (v) => v.lines.map((l) => [l.skuId, l.qty]))

describe("cart checkout", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("an empty cart is refused (409 CartEmpty)", () =>
      Effect.gen(function*() {
        yield* freshCart(asha)
        const refused = yield* Effect.flip(checkout(asha, "empty-1"))
        expect(refused._tag).toBe("CartEmpty")
      }))

    it.effect("a shortfall answers 409 CartConflict naming the line; nothing reserved, the cart untouched", () =>
      Effect.gen(function*() {
        const [a, b] = yield* plainSkus(3, 2)
        const cart = yield* freshCart(asha)
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 1 } })
        yield* cart.setItem({ path: { skuId: b.id }, payload: { qty: 5 } })
        yield* setAvailable(b.id, 3)
        yield* view(asha)
        const beforeA = yield* stock(baner, a.id)
        const beforeB = yield* stock(baner, b.id)
        const conflict = yield* Effect.flip(checkout(asha, "short-1"))
        expect(conflict).toMatchObject({ _tag: "CartConflict", lines: [{ skuId: b.id, requested: 5, available: 3 }] })
        expect(yield* linesOf(asha)).toEqual([[a.id, 1], [b.id, 5]])
        expect((yield* stock(baner, a.id)).reserved).toBe(beforeA.reserved)
        expect((yield* stock(baner, b.id)).reserved).toBe(beforeB.reserved)
        yield* setAvailable(b.id, 10)
        yield* cart.clear()
      }))

    it.effect("checkout then payment: CONFIRMED empties the cart of what was ordered, keeping lines changed since", () =>
      Effect.gen(function*() {
        const [a, b, c] = yield* plainSkus(6, 3)
        const cart = yield* freshCart(asha)
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 2 } })
        yield* cart.setItem({ path: { skuId: b.id }, payload: { qty: 1 } })
        const looked = yield* view(asha)
        const beforeA = yield* stock(baner, a.id)
        const placed = yield* checkout(asha, "cart-pay-1")
        expect(placed.status).toBe("AWAITING_PAYMENT")
        expect(placed.total).toBe(looked.total)
        expect(placed.lines.map((l) => [l.skuId, l.storeId, l.qty, l.unitPrice])).toEqual(
          looked.lines.map((l) => [l.skuId, l.storeId, l.qty, l.unitPrice])
        )
        expect((yield* stock(baner, a.id)).reserved).toBe(beforeA.reserved + 2)
        // Until the order is confirmed the cart is as it was.
        expect(yield* linesOf(asha)).toEqual([[a.id, 2], [b.id, 1]])

        // Changed after checkout: a raised, c added.
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 3 } })
        yield* cart.setItem({ path: { skuId: c.id }, payload: { qty: 1 } })
        // An order placed outside the cart does not touch it.
        const direct = yield* place(asha, "direct-1", { pincode, items: [{ skuId: c.id, qty: 1 }] })
        yield* pay(direct.payment.razorpayOrderId, "capture")
        yield* awaitStatus(asha, direct.orderId, "CONFIRMED")

        yield* pay(placed.payment.razorpayOrderId, "capture")
        yield* awaitStatus(asha, placed.orderId, "CONFIRMED")
        yield* eventually(Effect.flatMap(linesOf(asha), (lines) => Effect.sync(() => expect(lines).toEqual([[a.id, 1], [c.id, 1]]))))
        // A retry of the checkout's key still answers its order.
        expect((yield* checkout(asha, "cart-pay-1")).orderId).toBe(placed.orderId)
        yield* cart.clear()
      }))

    it.effect("a failed payment, or an order cancelled before payment, leaves the cart as it was", () =>
      Effect.gen(function*() {
        const [a] = yield* plainSkus(3, 1)
        const cart = yield* freshCart(asha)
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 2 } })
        yield* view(asha)
        const placed = yield* checkout(asha, "cart-fail-1")
        yield* pay(placed.payment.razorpayOrderId, "fail")
        yield* awaitStatus(asha, placed.orderId, "FAILED")
        // The outbox dispatcher polls every 200 ms: give it time to (not) act.
        for (let i = 0; i < 100; i++) yield* ioTick
        expect(yield* linesOf(asha)).toEqual([[a.id, 2]])
        // A new checkout of the same cart is a new order.
        const again = yield* checkout(asha, "cart-fail-2")
        expect(again.orderId).not.toBe(placed.orderId)
        const client = yield* customerClient(asha)
        expect((yield* client.orders.cancel({ path: { orderId: again.orderId } })).status).toBe("CANCELLED")
        for (let i = 0; i < 100; i++) yield* ioTick
        expect(yield* linesOf(asha)).toEqual([[a.id, 2]])
        yield* cart.clear()
      }))

    it.effect("a price that moved after the last look answers 409 PriceChanged; a fresh look then checks out", () =>
      Effect.gen(function*() {
        const [a] = yield* plainSkus(3, 1)
        const cart = yield* freshCart(asha)
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 2 } })
        const looked = yield* view(asha)
        yield* setBasePrice(a, a.basePrice + 300)
        const beforeA = yield* stock(baner, a.id)
        const changed = yield* Effect.flip(checkout(asha, "cart-price-1"))
        expect(changed).toMatchObject({ _tag: "PriceChanged", expectedTotal: looked.total, total: (a.basePrice + 300) * 2 })
        expect((yield* stock(baner, a.id)).reserved).toBe(beforeA.reserved)
        const seen = yield* view(asha)
        expect(seen.lines[0].changes).toEqual([{ kind: "price_up", before: a.basePrice, after: a.basePrice + 300 }])
        const placed = yield* checkout(asha, "cart-price-1")
        expect(placed.total).toBe((a.basePrice + 300) * 2)
        yield* setBasePrice(a, a.basePrice)
        yield* cart.clear()
      }))

    it.effect("a retried checkout (same Idempotency-Key) answers the same order and reserves once", () =>
      Effect.gen(function*() {
        const [a] = yield* plainSkus(3, 1)
        const cart = yield* freshCart(asha)
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 1 } })
        yield* view(asha)
        const before = yield* stock(baner, a.id)
        const first = yield* checkout(asha, "cart-retry-1")
        const again = yield* checkout(asha, "cart-retry-1")
        expect(again).toEqual(first)
        // Even once the cart has changed, the key answers what it placed.
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 2 } })
        expect(yield* checkout(asha, "cart-retry-1")).toEqual(first)
        expect((yield* stock(baner, a.id)).reserved).toBe(before.reserved + 1)
        // The same key on the orders endpoint for another body is a reused key.
        const misuse = yield* Effect.flip(place(asha, "cart-retry-1", { pincode, items: [{ skuId: a.id, qty: 3 }] }))
        expect(misuse._tag).toBe("IdempotencyKeyReused")
        yield* cart.clear()
      }))
  })
})
