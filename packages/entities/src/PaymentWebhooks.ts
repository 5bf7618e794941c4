import { DurableDeferred } from "@effect/workflow"
import { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import { Unauthorized } from "@qc/domain/Errors"
import { Effect, Exit, Option, Schema } from "effect"
import { createHash } from "node:crypto"
import { OrderEntity } from "@qc/domain/OrderEntity"
import { OrderRepo } from "./OrderRepo.js"
import { DecisionSignal, OrderSaga, refundOfCapture } from "./OrderSaga.js"
import type { PaymentOutcome } from "./OrderSaga.js"
import { Payments } from "./Payments.js"

const PaymentEntity = Schema.Struct({
  id: Schema.String,
  order_id: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  status: Schema.String,
  method: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
})

const RefundEntity = Schema.Struct({
  id: Schema.String,
  payment_id: Schema.String,
  amount: Schema.Int,
  status: Schema.String
})

const WebhookEvent = Schema.parseJson(Schema.Struct({
  event: Schema.String,
  payload: Schema.Struct({
    payment: Schema.optional(Schema.Struct({ entity: PaymentEntity })),
    refund: Schema.optional(Schema.Struct({ entity: RefundEntity }))
  })
}))

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
    const engine = yield* WorkflowEngine

    const signal = <A>(orderId: string, deferred: DurableDeferred.DurableDeferred<Schema.Schema<A>>, value: A) =>
      DurableDeferred.tokenFromPayload(deferred, { workflow: OrderSaga, payload: { orderId } }).pipe(
        Effect.flatMap((token) => DurableDeferred.done(deferred, { token, exit: Exit.succeed(value) })),
        Effect.provideService(WorkflowEngine, engine)
      )

    const signalPayment = (orderId: string, outcome: PaymentOutcome) => signal(orderId, DecisionSignal, { kind: "payment", outcome })
    const signalCancel = (orderId: string) => signal(orderId, DecisionSignal, { kind: "cancel" })

    const onPayment = (event: string, p: typeof PaymentEntity.Type) =>
      Effect.gen(function*() {
        const orderId = yield* orders.findByRazorpayOrderId(p.order_id)
        if (Option.isNone(orderId)) return "ignored" as const
        const entity = order(orderId.value)
        const status = event === "payment.captured" ? "captured" : event === "payment.failed" ? "failed" : "authorized"
        // Answers the order as it is after recording: no second message to read it.
        const current = yield* entity.RecordPayment({ paymentId: p.id, amount: p.amount, currency: p.currency, status, method: p.method ?? "unknown" })
        if (status === "authorized") return "processed" as const
        if (current.status === "AWAITING_PAYMENT") {
          yield* signalPayment(current.orderId, { paymentId: p.id, status, amount: p.amount, currency: p.currency, method: p.method ?? "unknown" })
          return "processed" as const
        }
        const lateCapture = status === "captured" &&
          (current.status === "FAILED" || current.status === "CANCELLED" || (current.paymentId !== null && current.paymentId !== p.id))
        if (lateCapture) {
          const reason = current.status === "FAILED" || current.status === "CANCELLED" ? "captured_after_order_ended" : "duplicate_payment"
          const refund = yield* payments.refund(refundOfCapture(current.orderId, p.id, p.amount))
          yield* entity.RecordRefund({ refundId: refund.id, paymentId: p.id, amount: refund.amount, status: refund.status, reason })
        }
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
      const parsed = Schema.decodeUnknownOption(WebhookEvent)(text)
      if (Option.isNone(parsed)) return "ignored" as const
      const { event, payload } = parsed.value
      const eventId = headers.eventId ?? createHash("sha256").update(rawBody).digest("hex")
      if (!(yield* orders.claimWebhookEvent(eventId, event))) return "duplicate" as const
      const act = event.startsWith("payment.") && payload.payment
        ? onPayment(event, payload.payment.entity)
        : event.startsWith("refund.") && payload.refund
        ? onRefund(payload.refund.entity, payload.payment?.entity.order_id)
        : Effect.succeed("ignored" as const)
      // If acting fails, forget the claim so Razorpay's retry can act on it.
      return yield* act.pipe(Effect.tapErrorCause(() => orders.releaseWebhookEvent(eventId)), Effect.orDie)
    })

    return { handle, signalPayment, signalCancel } as const
  })
}) {}
