import { Unauthorized } from "@qc/domain/Errors"
import { Effect, Either, Option, ParseResult, Schema } from "effect"
import { createHash } from "node:crypto"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { safeText } from "@qc/domain/Text"
import { OrderRepo } from "../orders/OrderRepo.js"
import { Payments } from "./Payments.js"
import { timedWebhook } from "./WebhookMetrics.js"

/** Whole paise, more than none: Razorpay never reports a payment or refund of nothing, or of less. */
const Amount = Schema.Int.pipe(Schema.positive({ message: () => "must be a positive number of paise" }))
const GatewayId = safeText(64)
const Word = safeText(32)

const PaymentEntity = Schema.Struct({
  id: GatewayId,
  order_id: GatewayId,
  amount: Amount,
  currency: Word,
  status: Word,
  method: Schema.optionalWith(Schema.NullOr(Word), { default: () => null })
})

const RefundEntity = Schema.Struct({
  id: GatewayId,
  payment_id: GatewayId,
  amount: Amount,
  status: Word
})

const WebhookEvent = Schema.parseJson(Schema.Struct({
  event: safeText(64),
  payload: Schema.Struct({
    payment: Schema.optional(Schema.Struct({ entity: PaymentEntity })),
    refund: Schema.optional(Schema.Struct({ entity: RefundEntity }))
  })
}))

const decodeEvent = Schema.decodeUnknownEither(WebhookEvent)

/** What was wrong with a body, for the log: a few issues, each cut short (no whole values). */
const describeIssues = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, 5)
    .map((i) => `${i.path.join(".")}: ${i.message.slice(0, 120)}`).join("; ")

export type WebhookResult = "processed" | "duplicate" | "ignored"

/**
 * Razorpay webhooks: checked against the HMAC of the raw body, acted on once per
 * event id, in any order. A payment event for an order still waiting completes the
 * saga's durable deferred; a capture for an order that is over gets refunded.
 */
export class PaymentWebhooks extends Effect.Service<PaymentWebhooks>()("PaymentWebhooks", {
  effect: Effect.gen(function*() {
    const payments = yield* Payments
    const orders = yield* OrderRepo
    const order = yield* OrderEntity.client

    /**
     * A payment event goes to its order's entity, which decides: confirm, fail, or refund a
     * capture it does not keep. The entity acts on each payment once (keyed by payment id).
     */
    const onPayment = (event: string, p: typeof PaymentEntity.Type) =>
      Effect.gen(function*() {
        const orderId = yield* orders.findByRazorpayOrderId(p.order_id)
        if (Option.isNone(orderId)) return "ignored" as const
        const status = event === "payment.captured" ? "captured" as const : event === "payment.failed" ? "failed" as const : "authorized" as const
        yield* order(orderId.value).PaymentReported({ paymentId: p.id, amount: p.amount, currency: p.currency, status, method: p.method ?? "unknown" })
        return "processed" as const
      })

    const onRefund = (r: typeof RefundEntity.Type, paymentOrderId: string | undefined) =>
      Effect.gen(function*() {
        const orderId = paymentOrderId === undefined ? Option.none() : yield* orders.findByRazorpayOrderId(paymentOrderId)
        if (Option.isNone(orderId)) return "ignored" as const
        // A refund we made keeps its reason: recordRefund only updates the status of a known refund.
        yield* order(orderId.value).RecordRefund({
          refundId: r.id,
          paymentId: r.payment_id,
          amount: r.amount,
          status: r.status,
          reason: "refund_webhook"
        })
        return "processed" as const
      })

    const handle = Effect.fn("PaymentWebhooks.handle")(function*(
      rawBody: Uint8Array,
      headers: { readonly signature: string | undefined; readonly eventId: string | undefined }
    ) {
      if (headers.signature === undefined || !payments.verifyWebhookSignature(rawBody, headers.signature)) {
        return yield* Effect.fail(new Unauthorized({ message: "bad or missing x-razorpay-signature" }))
      }
      const text = new TextDecoder().decode(rawBody)
      const eventId = headers.eventId ?? createHash("sha256").update(rawBody).digest("hex")
      const parsed = decodeEvent(text)
      if (Either.isLeft(parsed)) {
        // Signed, yet not an event we can act on (an amount of zero, text Postgres cannot store):
        // nothing is stored and Razorpay gets a 2xx, since redelivering the same body changes nothing.
        yield* Effect.logWarning(`payment webhook ignored: ${describeIssues(parsed.left)}`).pipe(
          Effect.annotateLogs({ eventId: eventId.slice(0, 64) })
        )
        return "ignored" as const
      }
      const { event, payload } = parsed.right
      if (!(yield* orders.claimWebhookEvent(eventId, event))) return "duplicate" as const
      const act = event.startsWith("payment.") && payload.payment
        ? onPayment(event, payload.payment.entity)
        : event.startsWith("refund.") && payload.refund
        ? onRefund(payload.refund.entity, payload.payment?.entity.order_id)
        : Effect.succeed("ignored" as const)
      // If acting fails, forget the claim so Razorpay's retry can act on it.
      return yield* act.pipe(Effect.tapErrorCause(() => orders.releaseWebhookEvent(eventId)), Effect.orDie)
    }, timedWebhook)

    return { handle } as const
  })
}) {}
