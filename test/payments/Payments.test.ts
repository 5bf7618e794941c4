import { describe, expect, it } from "@effect/vitest"
import { Payments, PaymentsError } from "@qc/entities/payments/Payments"
import { PaymentsLive } from "@qc/entities/payments/PaymentsLive"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Chunk, Effect, Layer, Redacted, TestClock } from "effect"
import { driven, eventually } from "../support/Drive.js"
import { env, flipFirstHexDigit, hmacHex, keys, newOrder, paymentsAt, receiver } from "../support/PaymentsFixture.js"


describe("Payments (live razorpay SDK) against the Razorpay stand-in", () => {
  it.scoped("creates an order, sees the captured payment by order and by id", () =>
    Effect.gen(function*() {
      const payments = yield* Payments
      const standIn = yield* StandIn.RazorpayStandIn
      const order = yield* payments.createOrder({ amount: 54_900, currency: "INR", receipt: "qc-1", notes: { a: "b" } })
      expect(order.id).toMatch(/^order_[0-9A-Za-z]{14}$/)
      expect(order).toMatchObject({ amount: 54_900, currency: "INR", receipt: "qc-1", status: "created" })
      expect(yield* payments.fetchOrderPayments(order.id)).toEqual([])

      const paid = yield* standIn.pay(order.id, { outcome: "capture" })
      expect(paid.id).toMatch(/^pay_[0-9A-Za-z]{14}$/)
      const listed = yield* payments.fetchOrderPayments(order.id)
      expect(listed).toHaveLength(1)
      expect(listed[0]).toMatchObject({ id: paid.id, orderId: order.id, amount: 54_900, status: "captured", method: "upi" })
      expect(yield* payments.fetchPayment(paid.id)).toEqual(listed[0])
      // No webhook url yet: the attempts count as failed and wait for their retry.
      yield* eventually(Effect.map(standIn.deliveries, (d) =>
        expect(d.map((x) => [x.event, x.attempt, x.status])).toEqual([
          ["payment.authorized", 1, "unreachable"],
          ["payment.captured", 1, "unreachable"]
        ])))
    }).pipe(Effect.provide(env())))

  it.scoped("a failed payment carries Razorpay's error fields; payQuietly sends no webhooks", () =>
    Effect.gen(function*() {
      const payments = yield* Payments
      const standIn = yield* StandIn.RazorpayStandIn
      const hook = yield* receiver()
      yield* standIn.setWebhookUrl(hook.url)
      const order = yield* newOrder(10_000)
      const failed = yield* standIn.payQuietly(order.id, { outcome: "fail", method: "card" })
      const late = yield* standIn.payQuietly(order.id, { outcome: "capture" })
      const listed = yield* payments.fetchOrderPayments(order.id)
      expect(listed.map((p) => p.id)).toEqual([late.id, failed.id])
      expect(listed[1]).toMatchObject({ status: "failed", method: "card", errorCode: "BAD_REQUEST_ERROR" })
      expect(listed[1].errorDescription).toBeTruthy()
      expect(yield* standIn.deliveries).toEqual([])
      expect(hook.received).toEqual([])
      const again = yield* Effect.flip(standIn.pay(order.id, { outcome: "capture" }))
      expect(again.message).toContain("already paid")
      expect((yield* Effect.flip(standIn.pay("order_DoesNotExist00", { outcome: "capture" })))._tag).toBe("StandInError")
    }).pipe(Effect.provide(env())))

  it.scoped("refunds are idempotent per key, bounded by the captured amount", () =>
    Effect.gen(function*() {
      const payments = yield* Payments
      const standIn = yield* StandIn.RazorpayStandIn
      const order = yield* newOrder(50_000)
      const paid = yield* standIn.pay(order.id, { outcome: "capture" })

      const first = yield* payments.refund({ paymentId: paid.id, amount: 20_000, idempotencyKey: "refund-qc-1-a" })
      const retried = yield* payments.refund({ paymentId: paid.id, amount: 20_000, idempotencyKey: "refund-qc-1-a" })
      expect(first.id).toMatch(/^rfnd_[0-9A-Za-z]{14}$/)
      expect(retried).toEqual(first)
      expect(yield* standIn.refunds(paid.id)).toHaveLength(1)
      expect(yield* payments.fetchPayment(paid.id)).toMatchObject({ status: "captured", amountRefunded: 20_000 })

      const reused = yield* Effect.flip(
        payments.refund({ paymentId: paid.id, amount: 1_000, idempotencyKey: "refund-qc-1-a" })
      )
      expect(reused).toMatchObject({ operation: "refund", status: 400, retryable: false })

      const tooMuch = yield* Effect.flip(
        payments.refund({ paymentId: paid.id, amount: 30_001, idempotencyKey: "refund-qc-1-b" })
      )
      expect(tooMuch).toBeInstanceOf(PaymentsError)
      expect(tooMuch).toMatchObject({ status: 400, retryable: false })

      const second = yield* payments.refund({ paymentId: paid.id, amount: 30_000, idempotencyKey: "refund-qc-1-c" })
      expect(second.id).not.toBe(first.id)
      expect((yield* standIn.refunds(paid.id)).map((r) => r.amount)).toEqual([20_000, 30_000])
      expect(yield* payments.fetchPayment(paid.id)).toMatchObject({ status: "refunded", amountRefunded: 50_000 })

      const more = yield* Effect.flip(payments.refund({ paymentId: paid.id, amount: 1, idempotencyKey: "refund-qc-1-d" }))
      expect(more).toMatchObject({ status: 400, retryable: false })
    }).pipe(Effect.provide(env())))

  it.scoped("maps 4xx to not retryable, 5xx and unreachable hosts to retryable, and never shows the secret", () =>
    Effect.gen(function*() {
      const standIn = yield* StandIn.RazorpayStandIn
      const wrongSecret = yield* Effect.flip(
        Effect.provide(newOrder(10_000), paymentsAt(standIn.baseUrl, "not-the-secret-at-all"))
      )
      expect(wrongSecret).toMatchObject({ operation: "createOrder", status: 401, retryable: false })
      expect(wrongSecret.message).toContain("Authentication failed")

      const unknown = yield* Effect.flip(Effect.flatMap(Payments, (p) => p.fetchPayment("pay_DoesNotExist0000")))
      expect(unknown).toMatchObject({ status: 400, retryable: false })

      const upstream = yield* receiver(() => 502)
      const badGateway = yield* Effect.flip(Effect.provide(newOrder(10_000), paymentsAt(upstream.url)))
      expect(badGateway).toMatchObject({ status: 502, retryable: true })

      const closed = yield* receiver()
      const closedUrl = closed.url
      yield* Effect.async<void>((resume) => void closed.server.close(() => resume(Effect.void)))
      const refused = yield* Effect.flip(Effect.provide(newOrder(10_000), paymentsAt(closedUrl)))
      expect(refused).toMatchObject({ operation: "createOrder", retryable: true })
      expect(refused.status).toBeUndefined()
      expect(refused.message).toContain("ECONNREFUSED")

      for (const error of [wrongSecret, unknown, badGateway, refused]) {
        expect(JSON.stringify(error)).not.toContain(keys.keySecret)
        expect(String(error)).not.toContain(keys.keySecret)
      }
    }).pipe(Effect.provide(env())))
})

describe("Payments signatures", () => {
  const payments = Effect.provide(Payments, paymentsAt("http://127.0.0.1:9"))

  it.effect("webhook: HMAC-SHA256 hex of the raw body with the webhook secret, anything else is false", () =>
    Effect.gen(function*() {
      const { verifyWebhookSignature } = yield* payments
      const raw = Buffer.from(`{"entity":"event","event":"payment.captured","amount":"₹549"}`)
      const good = hmacHex(keys.webhookSecret, raw)
      expect(verifyWebhookSignature(raw, good)).toBe(true)
      expect(verifyWebhookSignature(raw, good.toUpperCase())).toBe(true)
      expect(verifyWebhookSignature(raw, flipFirstHexDigit(good))).toBe(false)
      expect(verifyWebhookSignature(raw, good.slice(0, -2))).toBe(false)
      expect(verifyWebhookSignature(raw, good + "00")).toBe(false)
      expect(verifyWebhookSignature(raw, "zz" + good.slice(2))).toBe(false)
      expect(verifyWebhookSignature(raw, "")).toBe(false)
      expect(verifyWebhookSignature(Buffer.concat([raw, Buffer.from(" ")]), good)).toBe(false)
      expect(verifyWebhookSignature(raw, hmacHex(keys.keySecret, raw))).toBe(false)
    }))

  it.effect("checkout: HMAC-SHA256 hex of order_id|payment_id with the key secret", () =>
    Effect.gen(function*() {
      const { verifyCheckoutSignature } = yield* payments
      const orderId = "order_IluGWxBm9U8zJ8"
      const paymentId = "pay_IluGWxBm9U8zJ9"
      const good = hmacHex(keys.keySecret, `${orderId}|${paymentId}`)
      expect(verifyCheckoutSignature({ orderId, paymentId, signature: good })).toBe(true)
      for (const signature of [flipFirstHexDigit(good), good.slice(1), good + "a", "g".repeat(64), ""]) {
        expect(verifyCheckoutSignature({ orderId, paymentId, signature })).toBe(false)
      }
      expect(verifyCheckoutSignature({ orderId: paymentId, paymentId: orderId, signature: good })).toBe(false)
      expect(verifyCheckoutSignature({ orderId, paymentId, signature: hmacHex(keys.webhookSecret, `${orderId}|${paymentId}`) }))
        .toBe(false)
    }))
})
