import { Clock, Data, Effect, Schema } from "effect"
import { GatewayPayment, GatewayRefund } from "../Payments.js"
import { FAILURE, orderJson, paymentEvent, paymentJson, refundJson } from "./RazorpayStandInRecords.js"
import type { Order, Payment, Refund } from "./RazorpayStandInRecords.js"
import type { WebhookEvent } from "./RazorpayStandInWebhooks.js"
import { emptyLedgerState } from "./RazorpayStandInJournal.js"
import type { Journal } from "./RazorpayStandInJournal.js"

/** The stand-in's in-memory Razorpay account: what creating orders, paying and refunding do to it. */

export class StandInError extends Data.TaggedError("StandInError")<{
  readonly message: string
  /** The order named does not exist: Razorpay's "The id provided does not exist". */
  readonly unknownId?: boolean
}> {}

export interface PayOptions {
  readonly outcome: "capture" | "fail"
  /** Defaults to the order amount. */
  readonly amount?: number
  readonly method?: "upi" | "card"
}

/** Answered over HTTP as Razorpay does: `{ error: { code, description, ... } }`. */
export class ApiError extends Data.TaggedError("ApiError")<{ readonly status: number; readonly description: string }> {}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const ID_SPACE = 62n ** 14n
// Odd and not a multiple of 31, so multiplying permutes [0, 62^14): distinct counters, distinct ids.
const SCRAMBLE = 25_214_903_917n

/** Razorpay-looking ids (`order_` + 14 alphanumerics). A random salt keeps a restarted stand-in from reusing ids. */
export const makeIds = (salt: bigint) => {
  let counter = 0n
  return (prefix: string) => {
    let n = ((salt + ++counter) * SCRAMBLE) % ID_SPACE
    let digits = ""
    for (let i = 0; i < 14; i++, n /= 62n) digits = ALPHABET[Number(n % 62n)] + digits
    return `${prefix}_${digits}`
  }
}

const Notes = Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number) })
const OrderBody = Schema.Struct({
  amount: Schema.Int,
  currency: Schema.optional(Schema.String),
  receipt: Schema.optional(Schema.String),
  notes: Schema.optional(Notes)
})
const RefundBody = Schema.Struct({
  amount: Schema.optional(Schema.Int),
  speed: Schema.optional(Schema.String),
  receipt: Schema.optional(Schema.String),
  notes: Schema.optional(Notes)
})

/** The body of `POST /v1/dev/payments/{orderId}`, as the server's own dev endpoint takes it. */
const PayBody = Schema.Struct({
  outcome: Schema.Literal("capture", "fail"),
  amount: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { exact: true })
})

const decodeBody = <A, I>(schema: Schema.Schema<A, I>, raw: string) =>
  Schema.decodeUnknown(Schema.parseJson(schema))(raw).pipe(
    Effect.mapError((e) => new ApiError({ status: 400, description: e.message }))
  )

const badRequest = (description: string) => new ApiError({ status: 400, description })
const noSuchId = badRequest("The id provided does not exist")
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{10,}$/

const nowSeconds = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1000))

/**
 * Every operation reads and updates the maps without yielding in between, so concurrent requests
 * cannot interleave inside one (a single JS thread).
 */
export const makeLedger = (options: {
  readonly nextId: (prefix: string) => string
  readonly send: (events: ReadonlyArray<WebhookEvent>) => Effect.Effect<void>
  /** Where the records are kept across restarts (embedded mode); in memory only without. */
  readonly journal?: Journal
}) => {
  const { nextId, send } = options
  const { orders, payments, refunds, refundsByKey } = options.journal?.state ?? emptyLedgerState()
  const record = options.journal?.append ?? (() => {})

  const createOrder = (raw: string) =>
    Effect.gen(function*() {
      const body = yield* decodeBody(OrderBody, raw)
      const createdAt = yield* nowSeconds
      if (body.amount < 100) return yield* badRequest("Order amount less than minimum amount allowed")
      if ((body.currency ?? "INR") !== "INR") return yield* badRequest("The stand-in only supports INR")
      if (body.receipt !== undefined && body.receipt.length > 40) {
        return yield* badRequest("receipt: The receipt may not be greater than 40 characters.")
      }
      const order: Order = {
        id: nextId("order"),
        amount: body.amount,
        receipt: body.receipt ?? null,
        notes: body.notes ?? {},
        status: "created",
        attempts: 0,
        amountPaid: 0,
        createdAt
      }
      orders.set(order.id, order)
      record({ t: "order", v: order })
      return orderJson(order)
    })

  const orderPayments = (orderId: string) =>
    orders.has(orderId)
      ? Effect.sync(() => {
        // Newest first, as Razorpay lists them.
        const items = [...payments.values()].filter((p) => p.orderId === orderId).reverse().map(paymentJson)
        return { entity: "collection", count: items.length, items }
      })
      : Effect.fail(noSuchId)

  const fetchPayment = (paymentId: string) =>
    Effect.suspend(() => {
      const payment = payments.get(paymentId)
      return payment === undefined ? Effect.fail(noSuchId) : Effect.succeed(paymentJson(payment))
    })

  const refund = (paymentId: string, raw: string, idempotencyKey: string | undefined) =>
    Effect.gen(function*() {
      const body = yield* decodeBody(RefundBody, raw)
      const createdAt = yield* nowSeconds
      const payment = payments.get(paymentId)
      if (payment === undefined) return yield* noSuchId
      const fingerprint = JSON.stringify([paymentId, body.amount, body.speed, body.receipt, body.notes])
      if (idempotencyKey !== undefined) {
        if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
          return yield* badRequest("X-Refund-Idempotency must be at least 10 letters, digits, hyphens or underscores")
        }
        const earlier = refundsByKey.get(idempotencyKey)
        if (earlier !== undefined && earlier.fingerprint !== fingerprint) {
          return yield* badRequest("Different request with the same idempotency key has already been processed.")
        }
        if (earlier !== undefined) return refundJson(earlier.refund)
      }
      if (payment.status === "refunded") return yield* badRequest("The payment has been fully refunded already")
      if (payment.status !== "captured") return yield* badRequest("Only captured payments can be refunded")
      const remaining = payment.amount - payment.amountRefunded
      const amount = body.amount ?? remaining
      if (amount <= 0 || amount > remaining) {
        return yield* badRequest("The refund amount provided is greater than amount captured")
      }
      const created: Refund = {
        id: nextId("rfnd"),
        paymentId,
        amount,
        notes: body.notes ?? {},
        receipt: body.receipt ?? null,
        createdAt
      }
      refunds.set(created.id, created)
      if (idempotencyKey !== undefined) refundsByKey.set(idempotencyKey, { fingerprint, refund: created })
      payment.amountRefunded += amount
      if (payment.amountRefunded === payment.amount) payment.status = "refunded"
      record(idempotencyKey === undefined ? { t: "refund", v: created } : { t: "refund", v: created, key: idempotencyKey, fingerprint })
      record({ t: "payment", v: payment })
      yield* send([{
        event: "refund.processed",
        contains: ["refund", "payment"],
        payload: { refund: { entity: refundJson(created) }, payment: { entity: paymentJson(payment) } }
      }])
      return refundJson(created)
    })

  const pay = (orderId: string, options: PayOptions, notify: boolean) =>
    Effect.gen(function*() {
      const createdAt = yield* nowSeconds
      const order = orders.get(orderId)
      if (order === undefined) return yield* new StandInError({ message: `no order ${orderId}`, unknownId: true })
      if (order.status === "paid") return yield* new StandInError({ message: `order ${orderId} is already paid` })
      const amount = options.amount ?? order.amount
      if (!Number.isInteger(amount) || amount <= 0) {
        return yield* new StandInError({ message: `amount must be a positive number of paise, got ${amount}` })
      }
      const failed = options.outcome === "fail"
      const payment: Payment = {
        id: nextId("pay"),
        orderId,
        amount,
        method: options.method ?? "upi",
        status: failed ? "failed" : "authorized",
        amountRefunded: 0,
        failed,
        createdAt
      }
      const events = [paymentEvent(failed ? "payment.failed" : "payment.authorized", payment)]
      if (!failed) {
        // Auto-capture, as our checkout is configured: authorized and captured back to back.
        payment.status = "captured"
        events.push(paymentEvent("payment.captured", payment))
        order.amountPaid += payment.amount
      }
      order.attempts++
      order.status = failed ? "attempted" : "paid"
      payments.set(payment.id, payment)
      record({ t: "payment", v: payment })
      record({ t: "order", v: order })
      if (notify) yield* send(events)
      return new GatewayPayment({
        id: payment.id,
        orderId,
        amount: payment.amount,
        currency: "INR",
        status: payment.status,
        method: payment.method,
        amountRefunded: 0,
        errorCode: failed ? "BAD_REQUEST_ERROR" : null,
        errorDescription: failed ? FAILURE : null
      })
    })

  /** `pay` over HTTP, answered like the server's `/v1/dev/payments`: 404 for an unknown order, else 400. */
  const payOverHttp = (orderId: string, raw: string) =>
    decodeBody(PayBody, raw).pipe(
      Effect.flatMap((body) => pay(orderId, body, true)),
      Effect.map((p) => ({ paymentId: p.id, status: p.status, amount: p.amount })),
      Effect.catchTag("StandInError", (e) =>
        Effect.fail(
          e.unknownId === true ? new ApiError({ status: 404, description: noSuchId.description }) : badRequest(e.message)
        ))
    )

  const refundsOf = (paymentId: string) =>
    Effect.sync(() =>
      [...refunds.values()].filter((r) => r.paymentId === paymentId).map((r) =>
        new GatewayRefund({ id: r.id, paymentId: r.paymentId, amount: r.amount, currency: "INR", status: "processed" })
      )
    )

  return { createOrder, orderPayments, fetchPayment, refund, pay, payOverHttp, refundsOf }
}
