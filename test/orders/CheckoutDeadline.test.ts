import { describe, expect, it } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import type { OrderView } from "@qc/domain/orders/Order"
import { StandInPayments } from "@qc/server/PaymentsMode"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Layer, TestClock } from "effect"
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

/**
 * Places one order on a stack that is then torn down (runner, entities, HTTP server, database
 * client), as a crashed process would leave it. Razorpay outlives our process: the gateway is
 * shared with the next life of the stack.
 */
const placeThenStop = (key: string) =>
  Effect.gen(function*() {
    const db = yield* makeTestDatabase
    const gateway = Layer.succeedContext(yield* Layer.build(StandInPayments))
    yield* TestClock.adjust(1)
    const first = yield* Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(stackLayer(db.layer, { payments: gateway }))
      return yield* placeOne(key).pipe(Effect.provide(context))
    }))
    return { db, first, gateway }
  })

describe("checkout deadline (TestClock)", () => {
  it.scoped("no payment within 90 s: the order asks Razorpay, finds nothing, fails and releases its stock", () =>
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

  it.scoped("a crash after reservation: after a restart on the same database the order's due time still fires (the sweep wakes it)", () =>
    Effect.gen(function*() {
      const { db, first, gateway } = yield* placeThenStop("crash-1")
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

  it.scoped("a crash between 'PAID persisted' and 'stock committed': after the restart the order resumes and ends CONFIRMED, ledger balanced", () =>
    Effect.gen(function*() {
      const { db, first, gateway } = yield* placeThenStop("crash-paid-1")
      // What the entity persists when it decides PAID (status, payment, due now), and then the
      // process dies before committing the stock: written as that one commit would have.
      const now = new Date(yield* Clock.currentTimeMillis)
      yield* Effect.scoped(Effect.gen(function*() {
        const sql = yield* Effect.provide(SqlClient.SqlClient, yield* Layer.build(db.layer))
        yield* Effect.orDie(sql`UPDATE orders SET status = 'PAID', payment_id = 'pay_crash0000000001', due_at = ${now}
          WHERE id = ${first.placed.orderId}`)
      }))
      yield* TestClock.adjust("5 seconds")
      const context = yield* Layer.build(stackLayer(db.layer, { payments: gateway }))
      yield* Effect.gen(function*() {
        yield* TestClock.adjust("5 seconds")
        yield* reaches(first.placed.orderId, "CONFIRMED")
        yield* drivenUntil(Effect.flatMap(stock(baner, first.sku.id), (s) =>
          Effect.sync(() => expect(s).toMatchObject({ reserved: first.before.reserved, allocated: first.before.allocated + 2 }))))
        const sql = yield* SqlClient.SqlClient
        // Nothing of the crash left pending: the only due time is the packing SLA, 8 min after CONFIRMED.
        const [due] = yield* Effect.orDie(sql<{ due_at: Date; confirmed: Date }>`
          SELECT due_at, (SELECT at FROM order_timeline t WHERE t.order_id = o.id AND t.status = 'CONFIRMED') AS confirmed
          FROM orders o WHERE id = ${first.placed.orderId}`)
        expect(new Date(due.due_at).getTime() - new Date(due.confirmed).getTime()).toBe(480_000)
        const [ledger] = yield* Effect.orDie(sql<{ reserved: number; allocated: number }>`
          SELECT COALESCE(sum(reserved_delta), 0)::int AS reserved, COALESCE(sum(allocated_delta), 0)::int AS allocated
          FROM stock_ledger WHERE store_id = ${baner} AND sku_id = ${first.sku.id}`)
        const [counters] = yield* Effect.orDie(sql<{ reserved: number; allocated: number }>`
          SELECT reserved, allocated FROM store_skus WHERE store_id = ${baner} AND sku_id = ${first.sku.id}`)
        expect(ledger).toEqual(counters)
      }).pipe(Effect.provide(context))
    }), { timeout: 120_000 })

  it.scoped("a capture webhook racing the deadline is acted on once: one CONFIRMED, one capture kept, nothing refunded", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      yield* TestClock.adjust(1)
      const context = yield* Layer.build(stackLayer(db.layer))
      yield* Effect.gen(function*() {
        const { placed } = yield* placeOne("race-1")
        yield* TestClock.adjust("89 seconds")
        // The customer pays in the last second; the deadline fires while the webhook is in flight.
        yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
        yield* TestClock.adjust("2 seconds")
        const confirmed = yield* reaches(placed.orderId, "CONFIRMED")
        expect(confirmed.timeline.map((t) => t.status)).toEqual(["AWAITING_PAYMENT", "PAID", "CONFIRMED"])
        const sql = yield* SqlClient.SqlClient
        const refunds = yield* Effect.orDie(sql<{ n: number }>`SELECT count(*)::int AS n FROM order_refunds WHERE order_id = ${placed.orderId}`)
        expect(refunds[0].n).toBe(0)
      }).pipe(Effect.provide(context))
    }), { timeout: 120_000 })
})
