import { Entity, ShardingConfig } from "@effect/cluster"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import type { Paise } from "@qc/domain/Money"
import type { CustomerId } from "@qc/domain/orders/Order"
import { OrderId, PlacedOrder } from "@qc/domain/orders/Order"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import type { StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import * as Migrations from "@qc/entities/platform/Migrations"
import { OrderLive } from "@qc/entities/orders/Order"
import { OrderRepo } from "@qc/entities/orders/OrderRepo"
import { OrderSteps } from "@qc/entities/orders/OrderSteps"
import { FulfilmentSettings } from "@qc/entities/orders/FulfilmentSettings"
import { FulfilmentSteps } from "@qc/entities/orders/FulfilmentSteps"
import { Context, Effect, Either, Layer, Option } from "effect"
import * as fc from "fast-check"
import { makeTestDatabase } from "../support/TestDatabase.js"

const customer = "cust-entity-test" as CustomerId

/**
 * These tests drive the entity's record commands directly; the lifecycle's steps (stock,
 * gateway) are covered by the checkout tests on the whole stack. Here they succeed quietly.
 */
const QuietSteps = Layer.succeed(OrderSteps, OrderSteps.of({
  commitStock: () => Effect.succeed({ failed: [] }),
  releaseStock: () => Effect.succeed(true),
  gatewayPayments: () => Effect.succeed([]),
  refund: () => Effect.die(new Error("no refunds in these tests")),
  refundPart: () => Effect.die(new Error("no refunds in these tests"))
}))

const QuietFulfilment = Layer.mergeAll(
  Layer.succeed(FulfilmentSteps, FulfilmentSteps.of({
    enqueue: () => Effect.die(new Error("no fulfilment in these tests")),
    finishAt: () => Effect.void,
    markBreached: () => Effect.void,
    writeOff: () => Effect.void,
    fulfil: () => Effect.void,
    assignRider: () => Effect.succeed(Option.none()),
    releaseRider: () => Effect.void
  })),
  Layer.succeed(FulfilmentSettings, { packingSlaMs: 480_000, deliveryTimeoutMs: 3_600_000, riderRetryMs: 30_000, riderEscalationMs: 300_000 })
)

/** Order entities on a real database without sharding; `fresh()` gives clients of new entity instances (a "restart"). */
const makeOrderFixture = Effect.gen(function*() {
  const db = yield* makeTestDatabase
  const sqlContext = yield* Layer.build(db.layer)
  const sql = yield* Effect.provide(SqlClient.SqlClient, sqlContext)
  yield* Effect.provide(Effect.orDie(Migrations.run), sqlContext)
  yield* Effect.orDie(sql`INSERT INTO customers ${sql.insert({ id: customer, name: "Test", phone: "+910000000000", created_at: new Date(0) })}`)
  const fresh = () =>
    Entity.makeTestClient(
      OrderEntity,
      OrderLive.pipe(
        Layer.provide(QuietSteps),
        Layer.provide(QuietFulfilment),
        Layer.provideMerge(OrderRepo.Default),
        Layer.provide(DomainEvents.Default),
        Layer.provide(Layer.succeedContext(sqlContext))
      )
    ).pipe(Effect.provide(ShardingConfig.layer()))
  // Built into the test's scope: the repo's batching fibers live as long as the test.
  const repo = Context.get(
    yield* Layer.build(OrderRepo.Default.pipe(Layer.provide(DomainEvents.Default), Layer.provide(Layer.succeedContext(sqlContext)))),
    OrderRepo
  )
  return { client: yield* fresh(), fresh, sql, repo } as const
})

const orderId = (n: number) => OrderId.make(`ord_${n.toString(36).padStart(20, "0")}`)

const placeCommand = (id: OrderId, razorpayOrderId: string, key = `key-${id}`) => {
  const lines: Array<StoredOrderLine> = [1, 2].map((lineNo) => ({
    lineNo,
    reservationId: `${id}-${lineNo}`,
    skuId: `sku-${lineNo}` as SkuId,
    storeId: "pune-test" as StoreId,
    qty: lineNo,
    unitPrice: 2500 as Paise,
    pricingContext: { rule: "base-price", ruleId: null, reason: "catalogue price", inputs: { basePrice: 2500 } }
  }))
  const total = 7500 as Paise
  return {
    customerId: customer,
    idempotencyKey: key,
    requestHash: `hash-${key}`,
    pincode: "411045",
    lines,
    placed: new PlacedOrder({
      orderId: id,
      status: "AWAITING_PAYMENT",
      lines: lines.map(({ lineNo: _, reservationId: __, ...l }) => l),
      total,
      payment: { provider: "razorpay", razorpayOrderId, amount: total, currency: "INR", keyId: "rzp_test" }
    })
  }
}

const eventsOf = (sql: SqlClient.SqlClient, aggregateId: string) =>
  Effect.orDie(sql<{ type: string }>`SELECT type FROM outbox WHERE aggregate_id = ${aggregateId} ORDER BY seq`).pipe(
    Effect.map((rows) => rows.map((r) => r.type))
  )

describe("Order entity", () => {
  it.scoped("stores a placed order before answering, keeps the first of two placements, and a new instance loads the same order", () =>
    Effect.gen(function*() {
      const { client, fresh, sql } = yield* makeOrderFixture
      const id = orderId(1)
      const order = yield* client(id)
      expect(Option.isNone(yield* order.Get())).toBe(true)
      const placed = yield* order.Place(placeCommand(id, "order_first"))
      expect(placed.status).toBe("AWAITING_PAYMENT")
      // The reply came after the commit: the rows and the event are there.
      const [row] = yield* Effect.orDie(sql<{ status: string; total: number; razorpay_order_id: string }>`
        SELECT status, total, razorpay_order_id FROM orders WHERE id = ${id}`)
      expect(row).toEqual({ status: "AWAITING_PAYMENT", total: 7500, razorpay_order_id: "order_first" })
      expect(yield* eventsOf(sql, id)).toEqual(["order.placed"])
      // A racing second placement with the same key gets the stored order, not its own.
      const second = yield* order.Place(placeCommand(id, "order_second"))
      expect(second.razorpayOrderId).toBe("order_first")
      expect(yield* eventsOf(sql, id)).toEqual(["order.placed"])

      const other = yield* fresh()
      const reloaded = Option.getOrThrow(yield* (yield* other(id)).Get())
      expect(reloaded.view).toEqual(placed.view)
      expect(reloaded.placed).toEqual(placed.placed)
      expect(reloaded.lines).toEqual(placed.lines)
    }))

  it.scoped("moves the status only from the states given, with its timeline entry, saga step and events in the same commit", () =>
    Effect.gen(function*() {
      const { client, fresh, sql } = yield* makeOrderFixture
      const id = orderId(2)
      const order = yield* client(id)
      yield* order.Place(placeCommand(id, "order_2"))
      const paid = domainEvent("order.paid", id, { orderId: id, paymentId: "pay_1" })
      expect(yield* order.Transition({ from: ["AWAITING_PAYMENT"], to: "PAID", reason: null, paymentId: "pay_1", events: [paid] })).toBe(true)
      // A retried or late move from a state the order has left changes nothing.
      expect(yield* order.Transition({ from: ["AWAITING_PAYMENT"], to: "PAID", reason: null, paymentId: "pay_1", events: [paid] })).toBe(false)
      expect(yield* order.Transition({ from: ["AWAITING_PAYMENT"], to: "FAILED", reason: "payment_timeout", events: [] })).toBe(false)
      expect(yield* order.Transition({ from: ["PAID"], to: "CONFIRMED", reason: null, events: [] })).toBe(true)

      const state = Option.getOrThrow(yield* order.Get())
      expect(state.status).toBe("CONFIRMED")
      expect(state.paymentId).toBe("pay_1")
      expect(state.timeline.map((t) => t.status)).toEqual(["AWAITING_PAYMENT", "PAID", "CONFIRMED"])
      expect(yield* eventsOf(sql, id)).toEqual(["order.placed", "order.paid"])
      const steps = yield* Effect.orDie(sql<{ seq: number; step: string }>`
        SELECT seq, step FROM order_saga_steps WHERE order_id = ${id} ORDER BY seq`)
      expect(steps).toEqual([
        { seq: 1, step: "placed" },
        { seq: 2, step: "status PAID" },
        { seq: 3, step: "status CONFIRMED" }
      ])
      // A new instance continues the numbering from the database.
      const other = yield* fresh()
      const again = yield* other(id)
      expect(yield* again.Transition({ from: ["CONFIRMED"], to: "CANCELLED", reason: "test", events: [] })).toBe(true)
      expect(Option.getOrThrow(yield* again.Get()).timeline.map((t) => t.status)).toEqual([
        "AWAITING_PAYMENT",
        "PAID",
        "CONFIRMED",
        "CANCELLED"
      ])
    }))

  it.scoped("keeps a captured payment captured when a late 'authorized' arrives, and announces a refund once", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeOrderFixture
      const id = orderId(3)
      const order = yield* client(id)
      yield* order.Place(placeCommand(id, "order_3"))
      const payment = { paymentId: "pay_3", amount: 7500, currency: "INR", method: "upi" }
      yield* order.RecordPayment({ ...payment, status: "captured" })
      yield* order.RecordPayment({ ...payment, status: "authorized" })
      const refund = { refundId: "rfnd_3", paymentId: "pay_3", amount: 7500, reason: "captured_after_order_ended" }
      yield* order.RecordRefund({ ...refund, status: "pending" })
      yield* order.RecordRefund({ ...refund, status: "processed" })
      yield* order.RecordRefund({ ...refund, status: "processed", reason: "refund_webhook" })
      yield* order.RecordPayment({ ...payment, status: "refunded" })
      const payments = yield* Effect.orDie(sql<{ status: string }>`SELECT status FROM order_payments WHERE payment_id = 'pay_3'`)
      expect(payments).toEqual([{ status: "refunded" }])
      const refunds = yield* Effect.orDie(sql<{ status: string; reason: string }>`SELECT status, reason FROM order_refunds`)
      expect(refunds).toEqual([{ status: "processed", reason: "captured_after_order_ended" }])
      expect(yield* eventsOf(sql, id)).toEqual(["order.placed", "payment.refunded"])
      const missing = yield* Effect.flip((yield* client(orderId(999))).RecordPayment({ ...payment, status: "captured" }))
      expect(missing._tag).toBe("OrderMissing")
    }))

  it.scoped("commands of many orders at once, each sent one to three times, are each acted on once and the database agrees with memory", () =>
    Effect.gen(function*() {
      const { client, fresh, sql } = yield* makeOrderFixture
      const script = fc.sample(
        fc.record({
          copies: fc.integer({ min: 1, max: 3 }),
          outcome: fc.constantFrom("confirm", "fail", "refund")
        }),
        { numRuns: 120, seed: 20261122 }
      )
      yield* Effect.forEach(script, ({ copies, outcome }, i) =>
        Effect.gen(function*() {
          const id = orderId(1000 + i)
          const order = yield* client(id)
          const times = <A, E>(effect: Effect.Effect<A, E>) =>
            Effect.forEach(Array.from({ length: copies }), () => effect, { concurrency: "unbounded" })
          yield* times(order.Place(placeCommand(id, `order_${i}`)))
          yield* times(order.RecordPayment({ paymentId: `pay_${i}`, amount: 7500, currency: "INR", method: "upi", status: "captured" }))
          if (outcome === "fail") {
            yield* times(order.Transition({ from: ["AWAITING_PAYMENT"], to: "FAILED", reason: "payment_failed", events: [] }))
            return
          }
          yield* times(order.Transition({
            from: ["AWAITING_PAYMENT"],
            to: "PAID",
            reason: null,
            paymentId: `pay_${i}`,
            events: [domainEvent("order.paid", id, { orderId: id, paymentId: `pay_${i}` })]
          }))
          yield* times(order.Transition({ from: ["PAID"], to: "CONFIRMED", reason: null, events: [] }))
          if (outcome === "refund") {
            yield* times(order.RecordRefund({ refundId: `rfnd_${i}`, paymentId: `pay_${i}`, amount: 7500, status: "processed", reason: "test" }))
          }
        }), { concurrency: "unbounded", discard: true })

      const expected = script.map(({ outcome }) => ({
        timeline: outcome === "fail" ? 2 : 3,
        events: outcome === "fail" ? 1 : outcome === "confirm" ? 2 : 3
      }))
      const counts = yield* Effect.orDie(sql<{ id: string; timeline: number; events: number; payments: number }>`
        SELECT o.id,
          (SELECT count(*)::int FROM order_timeline t WHERE t.order_id = o.id) AS timeline,
          (SELECT count(*)::int FROM outbox e WHERE e.aggregate_id = o.id) AS events,
          (SELECT count(*)::int FROM order_payments p WHERE p.order_id = o.id) AS payments
        FROM orders o ORDER BY o.id`)
      expect(counts.length).toBe(script.length)
      expect(counts.map(({ events, payments, timeline }) => ({ timeline, events, payments }))).toEqual(
        expected.map((e) => ({ ...e, payments: 1 }))
      )
      // What every entity holds is what a fresh instance reads back from Postgres.
      const other = yield* fresh()
      yield* Effect.forEach(script, (_, i) =>
        Effect.gen(function*() {
          const id = orderId(1000 + i)
          const inMemory = Option.getOrThrow(yield* (yield* client(id)).Get())
          const stored = Option.getOrThrow(yield* (yield* other(id)).Get())
          expect(stored.view).toEqual(inMemory.view)
        }), { concurrency: 16, discard: true })
    }))

  it.scoped("a webhook event id delivered many times at once is claimed exactly once, even within one batch", () =>
    Effect.gen(function*() {
      const { repo, sql } = yield* makeOrderFixture
      const deliveries = Array.from({ length: 60 }, (_, i) => `evt_${i % 12}`)
      const claimed = yield* Effect.forEach(deliveries, (id) => repo.claimWebhookEvent(id, "payment.captured"), {
        concurrency: "unbounded"
      })
      const winners = new Map<string, number>()
      deliveries.forEach((id, i) => winners.set(id, (winners.get(id) ?? 0) + (claimed[i] ? 1 : 0)))
      expect([...winners.values()]).toEqual(Array.from({ length: 12 }, () => 1))
      expect(yield* repo.claimWebhookEvent("evt_0", "payment.captured")).toBe(false)
      const [stored] = yield* Effect.orDie(sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_events`)
      expect(stored.n).toBe(12)
    }))

  it.scoped("orders placed together where some hold text Postgres refuses: those fail alone with InvalidInput, the rest are stored and keep working", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeOrderFixture
      const ids = Array.from({ length: 24 }, (_, i) => orderId(5000 + i))
      const poisoned = (i: number) => i % 5 === 2
      const results = yield* Effect.forEach(ids, (id, i) =>
        Effect.flatMap(client(id), (order) =>
          Effect.either(order.Place({ ...placeCommand(id, `rzp_p${i}`), pincode: poisoned(i) ? "4110\u000045" : "411045" }))), {
        concurrency: "unbounded"
      })
      results.forEach((r, i) => {
        if (poisoned(i)) expect(Either.isLeft(r) && r.left._tag).toBe("InvalidInput")
        else expect(Either.isRight(r)).toBe(true)
      })
      const [stored] = yield* Effect.orDie(sql<{ n: number }>`SELECT count(*)::int AS n FROM orders`)
      expect(stored.n).toBe(ids.filter((_, i) => !poisoned(i)).length)
      // The entities of refused orders are not wedged: they answer, and a clean retry is stored.
      const refused = ids[2]
      expect(Option.isNone(yield* (yield* client(refused)).Get())).toBe(true)
      const retried = yield* (yield* client(refused)).Place(placeCommand(refused, "rzp_retry"))
      expect(retried.status).toBe("AWAITING_PAYMENT")
      const moved = yield* (yield* client(ids[0])).Transition({ from: ["AWAITING_PAYMENT"], to: "PAID", reason: null, events: [] })
      expect(moved).toBe(true)
    }))
})
