import { describe, expect, it } from "@effect/vitest"
import { Payments } from "@qc/entities/payments/Payments"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Chunk, Effect, Layer, Redacted, TestClock } from "effect"
import { driven, eventually } from "../support/Drive.js"
import type { Received } from "../support/PaymentsFixture.js"
import { env, flipFirstHexDigit, hmacHex, keys, newOrder, paymentsAt, receiver } from "../support/PaymentsFixture.js"

describe("Razorpay stand-in webhooks", () => {
  const setup = (status?: (n: number) => number) =>
    Effect.gen(function*() {
      const standIn = yield* StandIn.RazorpayStandIn
      const payments = yield* Payments
      const hook = yield* receiver(status)
      yield* standIn.setWebhookUrl(hook.url)
      return { standIn, payments, hook }
    })

  const eventsOf = (received: ReadonlyArray<Received>) => received.map((r) => r.body.event)

  it.scoped("a 500 is retried after the backoff on the Effect clock, same event id, signed raw body", () =>
    Effect.gen(function*() {
      const { hook, payments, standIn } = yield* setup((n) => (n === 1 ? 500 : 200))
      const order = yield* newOrder(54_900)
      const paid = yield* standIn.pay(order.id, { outcome: "capture" })

      yield* eventually(Effect.sync(() => expect(eventsOf(hook.received)).toEqual(["payment.authorized", "payment.captured"])))
      // The retry waits on the clock: nothing more can arrive until it moves.
      yield* eventually(Effect.map(TestClock.sleeps(), (s) => expect(Chunk.toReadonlyArray(s)).toEqual([1_000])))
      expect(hook.received).toHaveLength(2)
      yield* TestClock.adjust("1 second")
      yield* eventually(Effect.sync(() => expect(hook.received).toHaveLength(3)))
      yield* standIn.settled

      const [first, other, retry] = hook.received
      expect(retry.eventId).toBe(first.eventId)
      expect(retry.raw.equals(first.raw)).toBe(true)
      expect(other.eventId).not.toBe(first.eventId)
      for (const r of hook.received) expect(payments.verifyWebhookSignature(r.raw, r.signature)).toBe(true)
      expect(retry.body).toMatchObject({
        entity: "event",
        event: "payment.authorized",
        contains: ["payment"],
        payload: { payment: { entity: { id: paid.id, order_id: order.id, amount: 54_900, status: "authorized" } } }
      })
      expect(other.body.payload.payment.entity).toMatchObject({ status: "captured", captured: true })
      expect(yield* standIn.deliveries).toEqual([
        { eventId: first.eventId, event: "payment.authorized", attempt: 1, status: 500 },
        { eventId: other.eventId, event: "payment.captured", attempt: 1, status: 200 },
        { eventId: first.eventId, event: "payment.authorized", attempt: 2, status: 200 }
      ])
    }).pipe(Effect.provide(env())))

  it.scoped("duplicate: 2 sends an event three times under one id", () =>
    Effect.gen(function*() {
      const { hook, standIn } = yield* setup()
      yield* standIn.setDelivery({ duplicate: 2 })
      const order = yield* newOrder(10_000)
      yield* standIn.pay(order.id, { outcome: "fail" })
      yield* standIn.settled
      expect(eventsOf(hook.received)).toEqual(["payment.failed", "payment.failed", "payment.failed"])
      expect(new Set(hook.received.map((r) => r.eventId)).size).toBe(1)
      expect(hook.received[0].body.payload.payment.entity).toMatchObject({ status: "failed", error_code: "BAD_REQUEST_ERROR" })
    }).pipe(Effect.provide(env())))

  it.scoped("reverse: captured arrives before authorized", () =>
    Effect.gen(function*() {
      const { hook, standIn } = yield* setup()
      yield* standIn.setDelivery({ reverse: true })
      const order = yield* newOrder(10_000)
      yield* standIn.pay(order.id, { outcome: "capture" })
      yield* standIn.settled
      expect(eventsOf(hook.received)).toEqual(["payment.captured", "payment.authorized"])
    }).pipe(Effect.provide(env())))

  it.scoped("delay holds a batch on the Effect clock; dropped attempts are retried", () =>
    Effect.gen(function*() {
      const { hook, standIn } = yield* setup()
      yield* standIn.setDelivery({ delay: "30 seconds", dropFirst: 1 })
      const order = yield* newOrder(10_000)
      yield* standIn.pay(order.id, { outcome: "fail" })
      yield* eventually(Effect.map(TestClock.sleeps(), (s) => expect(Chunk.toReadonlyArray(s)).toEqual([30_000])))
      expect(yield* standIn.deliveries).toEqual([])
      yield* driven(standIn.settled, { step: "1 second" })
      expect(yield* TestClock.currentTimeMillis).toBeGreaterThanOrEqual(31_000)
      expect((yield* standIn.deliveries).map((d) => [d.attempt, d.status])).toEqual([[1, "dropped"], [2, 200]])
      expect(hook.received).toHaveLength(1)
    }).pipe(Effect.provide(env())))

  it.scoped("a refund sends refund.processed with the refund and the payment", () =>
    Effect.gen(function*() {
      const { hook, payments, standIn } = yield* setup()
      const order = yield* newOrder(10_000)
      const paid = yield* standIn.payQuietly(order.id, { outcome: "capture" })
      const refund = yield* payments.refund({ paymentId: paid.id, amount: 4_000, idempotencyKey: "refund-qc-2-a" })
      yield* standIn.settled
      expect(hook.received).toHaveLength(1)
      expect(hook.received[0].body).toMatchObject({
        event: "refund.processed",
        contains: ["refund", "payment"],
        payload: {
          refund: { entity: { id: refund.id, payment_id: paid.id, amount: 4_000, status: "processed" } },
          payment: { entity: { id: paid.id, amount_refunded: 4_000, refund_status: "partial", status: "captured" } }
        }
      })
    }).pipe(Effect.provide(env())))

  it.scoped("gives up after the configured attempts, and settled still completes", () =>
    Effect.gen(function*() {
      const { hook, standIn } = yield* setup(() => 503)
      const order = yield* newOrder(10_000)
      yield* standIn.pay(order.id, { outcome: "fail" })
      yield* driven(standIn.settled)
      expect((yield* standIn.deliveries).map((d) => [d.attempt, d.status])).toEqual([[1, 503], [2, 503], [3, 503]])
      expect(hook.received).toHaveLength(3)
    }).pipe(Effect.provide(env({ webhookAttempts: 3 }))))
})
