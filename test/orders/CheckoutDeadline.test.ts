import { describe, expect, it } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import type { OrderView } from "@qc/domain/orders/Order"
import { StandInPayments } from "@qc/server/PaymentsMode"
import { Effect, Layer, TestClock } from "effect"
import { customerClient, place, skusWithStock, standIn, stock } from "../support/Checkout.js"
import { driven, drivenUntil, ioTick } from "../support/Drive.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const asha = "cust-demo-1"
const baner = "pune-baner"
const pincode = Pincode.make("411045")

const statusOf = (orderId: string) =>
  Effect.flatMap(customerClient(asha), (c) => c.orders.get({ path: { orderId: orderId as OrderView["orderId"] } }))

const reaches = (orderId: string, status: OrderView["status"]) =>
  drivenUntil(Effect.flatMap(statusOf(orderId), (v) => Effect.sync(() => {
    expect(v.status).toBe(status)
    return v
  })))

/** Places one order on a fresh stack under the TestClock; answers the order and the stock before it. */
const placeOne = (key: string) =>
  Effect.gen(function*() {
    const [sku] = yield* driven(skusWithStock(baner, 3, 1))
    const before = yield* driven(stock(baner, sku.id))
    const placed = yield* driven(place(asha, key, { pincode, items: [{ skuId: sku.id, qty: 2 }] }))
    return { sku, before, placed }
  })

describe("checkout deadline (TestClock)", () => {
  it.scoped("no payment within 90 s: the saga asks Razorpay, finds nothing, fails the order and releases stock", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      yield* TestClock.adjust(1)
      const context = yield* Layer.build(stackLayer(db.layer))
      yield* Effect.gen(function*() {
        const { before, placed, sku } = yield* placeOne("deadline-1")
        yield* TestClock.adjust("80 seconds")
        for (let i = 0; i < 20; i++) yield* ioTick
        expect((yield* statusOf(placed.orderId)).status).toBe("AWAITING_PAYMENT")
        yield* TestClock.adjust("11 seconds")
        const failed = yield* reaches(placed.orderId, "FAILED")
        expect(failed.statusReason).toBe("payment_timeout")
        yield* drivenUntil(Effect.flatMap(stock(baner, sku.id), (s) => Effect.sync(() => expect(s.reserved).toBe(before.reserved))))
      }).pipe(Effect.provide(context))
    }), { timeout: 120_000 })

  it.scoped("a UPI payment captured without a webhook is found at the deadline and the order confirmed", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      yield* TestClock.adjust(1)
      const context = yield* Layer.build(stackLayer(db.layer))
      yield* Effect.gen(function*() {
        const { before, placed, sku } = yield* placeOne("late-upi-1")
        yield* Effect.flatMap(standIn, (s) => s.payQuietly(placed.payment.razorpayOrderId, { outcome: "capture", method: "upi" }))
        yield* TestClock.adjust("91 seconds")
        yield* reaches(placed.orderId, "CONFIRMED")
        expect(yield* driven(stock(baner, sku.id))).toMatchObject({ reserved: before.reserved, allocated: before.allocated + 2 })
      }).pipe(Effect.provide(context))
    }), { timeout: 120_000 })

  it.scoped("a crash after reservation: the restarted stack resumes the saga and its deadline still fires", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      // Razorpay outlives our process: one gateway for both lives of the stack.
      const gateway = Layer.succeedContext(yield* Layer.build(StandInPayments))
      yield* TestClock.adjust(1)
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(stackLayer(db.layer, { payments: gateway }))
        return yield* placeOne("crash-1").pipe(Effect.provide(context))
      }))
      // Everything above is torn down: runner, entities, HTTP server, database client.
      yield* TestClock.adjust("30 seconds")
      const context = yield* Layer.build(stackLayer(db.layer, { payments: gateway }))
      yield* Effect.gen(function*() {
        expect((yield* driven(stock(baner, first.sku.id))).reserved).toBe(first.before.reserved + 2)
        yield* TestClock.adjust("61 seconds")
        const failed = yield* reaches(first.placed.orderId, "FAILED")
        expect(failed.statusReason).toBe("payment_timeout")
        yield* drivenUntil(Effect.flatMap(stock(baner, first.sku.id), (s) =>
          Effect.sync(() => expect(s).toMatchObject({ reserved: first.before.reserved, onHand: first.before.onHand }))))
      }).pipe(Effect.provide(context))
    }), { timeout: 120_000 })
})
