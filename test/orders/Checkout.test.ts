import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { AdjustmentId, SkuId, StoreId } from "@qc/domain/Ids"
import type { OrderId } from "@qc/domain/orders/Order"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { Effect, Layer } from "effect"
import { createHmac } from "node:crypto"
import { awaitStatus, customerClient, place, skusWithStock, standIn, stock } from "../support/Checkout.js"
import { eventually } from "../support/Drive.js"
import { staffClient } from "../support/Fulfilment.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const asha = "cust-demo-1"
const rohan = "cust-demo-2"
const baner = "pune-baner"
const pincode = Pincode.make("411045")

describe("checkout", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("places, pays through Razorpay and confirms; stock moves from reserved to allocated", () =>
      Effect.gen(function*() {
        const [a, b] = yield* skusWithStock(baner, 5, 2)
        const beforeA = yield* stock(baner, a.id)
        const placed = yield* place(asha, "happy-1", { pincode, items: [{ skuId: a.id, qty: 2 }, { skuId: b.id, qty: 1 }] })
        expect(placed.status).toBe("AWAITING_PAYMENT")
        expect(placed.total).toBe(a.basePrice * 2 + b.basePrice)
        expect(placed.payment).toMatchObject({ provider: "razorpay", amount: placed.total, currency: "INR", keyId: "rzp_test_standin" })
        expect(placed.lines[0]).toMatchObject({ skuId: a.id, storeId: baner, qty: 2, unitPrice: a.basePrice })
        expect(placed.lines[0].pricingContext.rule).toBe("base_price")
        expect((yield* stock(baner, a.id)).reserved).toBe(beforeA.reserved + 2)

        yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
        const confirmed = yield* awaitStatus(asha, placed.orderId, "CONFIRMED")
        expect(confirmed.timeline.map((t) => t.status)).toEqual(["AWAITING_PAYMENT", "PAID", "CONFIRMED"])
        expect(yield* stock(baner, a.id)).toMatchObject({ reserved: beforeA.reserved, allocated: beforeA.allocated + 2 })

        const { admin } = yield* apiClients
        const events = yield* admin.ordersAdmin.events({ urlParams: { limit: 1000 } })
        const mine = events.filter((e) => e.aggregateId === placed.orderId).map((e) => e.type)
        expect(mine).toEqual(["order.placed", "payment.captured", "order.paid", "order.confirmed"])
        expect(events.some((e) => e.type === "inventory.updated" && e.aggregateId === `${baner}/${a.id}`)).toBe(true)
        const detail = yield* admin.ordersAdmin.get({ path: { orderId: placed.orderId } })
        expect(detail.payments).toHaveLength(1)
        expect(detail.payments[0]).toMatchObject({ status: "captured", amount: placed.total })
      }))

    it.effect("answers a replayed Idempotency-Key with the same order, and refuses it for another body (422)", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 3, 1)
        const before = yield* stock(baner, a.id)
        const body = { pincode, items: [{ skuId: a.id, qty: 1 }] }
        const first = yield* place(asha, "replay-1", body)
        const again = yield* place(asha, "replay-1", body)
        expect(again).toEqual(first)
        expect((yield* stock(baner, a.id)).reserved).toBe(before.reserved + 1)
        const misuse = yield* Effect.flip(place(asha, "replay-1", { pincode, items: [{ skuId: a.id, qty: 2 }] }))
        expect(misuse._tag).toBe("IdempotencyKeyReused")
        // Another customer's key is another order.
        const other = yield* place(rohan, "replay-1", body)
        expect(other.orderId).not.toBe(first.orderId)
      }))

    it.effect("refuses a cart it cannot fill with the lines short (409) and keeps nothing reserved", () =>
      Effect.gen(function*() {
        const [a, b] = yield* skusWithStock(baner, 2, 2)
        const { admin } = yield* apiClients
        // Leave 3 units of b at every store serving the pincode.
        for (const storeId of [baner, "pune-aundh"]) {
          const s = yield* Effect.either(stock(storeId, b.id))
          if (s._tag === "Right" && s.right.available !== 3) {
            yield* admin.stockAdmin.adjust({
              path: { storeId: StoreId.make(storeId), skuId: b.id },
              payload: { adjustmentId: AdjustmentId.make(`short-${storeId}`), delta: 3 - s.right.available, reason: "count_correction" }
            })
          }
        }
        const beforeA = yield* stock(baner, a.id)
        const conflict = yield* Effect.flip(place(asha, "short-1", { pincode, items: [{ skuId: a.id, qty: 1 }, { skuId: b.id, qty: 5 }] }))
        expect(conflict._tag).toBe("CartConflict")
        if (conflict._tag === "CartConflict") {
          expect(conflict.lines).toEqual([{ skuId: b.id, requested: 5, available: 3 }])
        }
        expect((yield* stock(baner, a.id)).reserved).toBe(beforeA.reserved)
      }))

    it.effect("sends a line the primary store cannot fill to the next store serving the pincode", () =>
      Effect.gen(function*() {
        // 411045 is served by Baner (primary) and Aundh.
        const aundh = yield* skusWithStock("pune-aundh", 3, 60)
        const banerStock = yield* skusWithStock(baner, 0, 200)
        const sku = aundh.find((s) => banerStock.some((b) => b.id === s.id))!
        const { admin } = yield* apiClients
        const atBaner = yield* stock(baner, sku.id)
        if (atBaner.available > 0) {
          yield* admin.stockAdmin.adjust({
            path: { storeId: StoreId.make(baner), skuId: sku.id },
            payload: { adjustmentId: AdjustmentId.make("split-empty-baner"), delta: -atBaner.available, reason: "count_correction" }
          })
        }
        const [local] = (yield* skusWithStock(baner, 2, 5)).filter((s) => s.id !== sku.id)
        const placed = yield* place(asha, "split-1", { pincode, items: [{ skuId: local.id, qty: 1 }, { skuId: sku.id, qty: 2 }] })
        expect(placed.lines.map((l) => [l.skuId, l.storeId])).toEqual([[local.id, baner], [sku.id, "pune-aundh"]])
      }))

    it.effect("a failed payment fails the order and releases its stock", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 2, 1)
        const before = yield* stock(baner, a.id)
        const placed = yield* place(asha, "fail-1", { pincode, items: [{ skuId: a.id, qty: 1 }] })
        yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "fail" }))
        const failed = yield* awaitStatus(asha, placed.orderId, "FAILED")
        expect(failed.statusReason).toBe("payment_failed")
        yield* eventually(Effect.flatMap(stock(baner, a.id), (s) => Effect.sync(() => expect(s.reserved).toBe(before.reserved))))

        // The customer then pays anyway: that capture is refunded, never kept.
        const late = yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
        yield* eventually(Effect.flatMap(standIn, (s) => s.refunds(late.id)).pipe(
          Effect.map((refunds) => expect(refunds.map((r) => r.amount)).toEqual([placed.total]))
        ))
        const { admin } = yield* apiClients
        yield* eventually(Effect.flatMap(admin.ordersAdmin.get({ path: { orderId: placed.orderId } }), (detail) =>
          Effect.sync(() => {
            expect(detail.refunds).toHaveLength(1)
            expect(detail.order.status).toBe("FAILED")
          })))
      }))

    it.effect("a payment of the wrong amount is refunded and the order fails", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 2, 1)
        const before = yield* stock(baner, a.id)
        const placed = yield* place(asha, "mismatch-1", { pincode, items: [{ skuId: a.id, qty: 1 }] })
        const payment = yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture", amount: placed.total - 100 }))
        const failed = yield* awaitStatus(asha, placed.orderId, "FAILED")
        expect(failed.statusReason).toBe("amount_mismatch")
        // Compensation follows the status change.
        yield* eventually(Effect.flatMap(standIn, (s) => s.refunds(payment.id)).pipe(
          Effect.map((refunds) => expect(refunds.map((r) => r.amount)).toEqual([placed.total - 100]))
        ))
        yield* eventually(Effect.flatMap(stock(baner, a.id), (s) => Effect.sync(() => expect(s.reserved).toBe(before.reserved))))
      }))

    it.effect("acts once on a webhook delivered five times, and on captured arriving before authorized", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 3, 1)
        const s = yield* standIn
        const placed = yield* place(asha, "dup-1", { pincode, items: [{ skuId: a.id, qty: 1 }] })
        yield* s.settled
        const earlier = (yield* s.deliveries).length
        yield* s.setDelivery({ duplicate: 4, reverse: true })
        yield* s.pay(placed.payment.razorpayOrderId, { outcome: "capture" })
        yield* awaitStatus(asha, placed.orderId, "CONFIRMED")
        yield* s.settled
        yield* s.setDelivery({})
        const deliveries = (yield* s.deliveries).slice(earlier).filter((d) => d.status === 200)
        const captured = deliveries.filter((d) => d.event === "payment.captured")
        expect(new Set(captured.map((d) => d.eventId)).size).toBe(1)
        expect(captured.length).toBeGreaterThanOrEqual(5)
        const { admin } = yield* apiClients
        const detail = yield* admin.ordersAdmin.get({ path: { orderId: placed.orderId } })
        expect(detail.sagaSteps.filter((step) => step.step === "status PAID")).toHaveLength(1)
        // "authorized" came last but must not overwrite "captured".
        expect(detail.payments.map((p) => p.status)).toEqual(["captured"])
      }))

    it.effect("rejects a webhook with a bad signature (401) and changes nothing", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 2, 1)
        const placed = yield* place(asha, "forged-1", { pincode, items: [{ skuId: a.id, qty: 1 }] })
        const body = JSON.stringify({
          entity: "event",
          event: "payment.captured",
          payload: { payment: { entity: { id: "pay_forged0000001", order_id: placed.payment.razorpayOrderId, amount: placed.total, currency: "INR", status: "captured", method: "upi" } } }
        })
        const { raw } = yield* apiClients
        const forged = yield* raw.execute(HttpClientRequest.post("/v1/webhooks/razorpay").pipe(
          HttpClientRequest.setHeaders({
            "x-razorpay-signature": createHmac("sha256", "not-the-secret").update(body).digest("hex"),
            "x-razorpay-event-id": "evt_forged"
          }),
          HttpClientRequest.bodyText(body, "application/json")
        ))
        expect(forged.status).toBe(401)
        const view = yield* Effect.flatMap(customerClient(asha), (c) => c.orders.get({ path: { orderId: placed.orderId } }))
        expect(view.status).toBe("AWAITING_PAYMENT")
        const { admin } = yield* apiClients
        expect((yield* admin.ordersAdmin.get({ path: { orderId: placed.orderId } })).payments).toEqual([])
      }))

    it.effect("cancels before payment (stock released), and refuses to cancel a packed order (409)", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 3, 1)
        const before = yield* stock(baner, a.id)
        const client = yield* customerClient(asha)
        const placed = yield* place(asha, "cancel-1", { pincode, items: [{ skuId: a.id, qty: 1 }] })
        const cancelled = yield* client.orders.cancel({ path: { orderId: placed.orderId } })
        expect(cancelled.status).toBe("CANCELLED")
        yield* eventually(Effect.flatMap(stock(baner, a.id), (s) => Effect.sync(() => expect(s.reserved).toBe(before.reserved))))

        const paid = yield* place(asha, "cancel-2", { pincode, items: [{ skuId: a.id, qty: 1 }] })
        yield* Effect.flatMap(standIn, (s) => s.pay(paid.payment.razorpayOrderId, { outcome: "capture" }))
        yield* awaitStatus(asha, paid.orderId, "CONFIRMED")
        // Packed at the store: past the customer's cancel (fulfilment tests cover cancelling until then).
        const picker = yield* staffClient(StoreId.make(baner))
        yield* picker.storeOps.packed({ path: { storeId: StoreId.make(baner), orderId: paid.orderId }, payload: { lines: [] } })
        const refused = yield* Effect.flip(client.orders.cancel({ path: { orderId: paid.orderId } }))
        expect(refused._tag).toBe("OrderNotCancellable")
      }))

    it.effect("answers 401 without a token, 404 for someone else's order, 422 for an unserved pincode, 409 PriceChanged", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 2, 1)
        const { anonymous } = yield* apiClients
        const noToken = yield* Effect.flip(anonymous.orders.list({ urlParams: {} }))
        expect(noToken._tag).toBe("Unauthorized")
        const placed = yield* place(asha, "privacy-1", { pincode, items: [{ skuId: a.id, qty: 1 }] })
        const other = yield* customerClient(rohan)
        expect((yield* Effect.flip(other.orders.get({ path: { orderId: placed.orderId } })))._tag).toBe("OrderNotFound")
        expect((yield* Effect.flip(other.orders.get({ path: { orderId: "ord_00000000000000000000" as OrderId } })))._tag).toBe("OrderNotFound")
        const far = yield* Effect.flip(place(asha, "far-1", { pincode: Pincode.make("110001"), items: [{ skuId: a.id, qty: 1 }] }))
        expect(far._tag).toBe("NotServiceable")
        const stale = yield* Effect.flip(place(asha, "price-1", { pincode, items: [{ skuId: a.id, qty: 1 }], expectedTotal: a.basePrice + 1 as never }))
        expect(stale).toMatchObject({ _tag: "PriceChanged", total: a.basePrice })
        const mine = yield* Effect.flatMap(customerClient(asha), (c) => c.orders.list({ urlParams: { limit: 100 } }))
        expect(mine.items.some((o) => o.orderId === placed.orderId)).toBe(true)
        expect(mine.items.every((o) => o.customerId === asha)).toBe(true)
        expect(SkuId.make(a.id)).toBe(a.id)
      }))
  })
})
