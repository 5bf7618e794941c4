import { DurableClock, DurableDeferred, Workflow } from "@effect/workflow"
import { ReservationId, storeSkuEntityId } from "@qc/domain/Ids"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import { Effect, Either, Option, Schema } from "effect"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import type { OrderState } from "@qc/domain/orders/OrderEntity"
import { Payments } from "../payments/Payments.js"
import { paymentMatchesOrder } from "../payments/PaymentGuard.js"

/**
 * The one refund of a capture we do not keep. The saga and the webhook receiver may
 * both decide to refund the same capture at the same moment: they must send the very
 * same request under the same idempotency key (the gateway refuses a key reused with
 * another body), so the reason stays in our records, not in the request.
 */
export const refundOfCapture = (orderId: string, paymentId: string, amount: number) => ({
  paymentId,
  amount,
  idempotencyKey: `refund-${paymentId}`,
  notes: { orderId }
})

/** What a payment webhook tells the saga. */
export const PaymentOutcome = Schema.Struct({
  paymentId: Schema.String,
  status: Schema.Literal("captured", "failed"),
  amount: Schema.Int,
  currency: Schema.String,
  method: Schema.String
})
export type PaymentOutcome = typeof PaymentOutcome.Type

const Signalled = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("payment"), outcome: PaymentOutcome }),
  Schema.Struct({ kind: Schema.Literal("cancel") })
)
export type Decision = typeof Signalled.Type | { readonly kind: "timeout" }

/**
 * Completed by whoever decides first: the webhook receiver with the first decisive
 * payment event, or the customer's cancel. One deferred for both: the engine keeps the
 * first completion (its message's primary key is the deferred's name), and the saga
 * waits on one deferred less, which is a few storage queries less on every replay.
 */
export const DecisionSignal = DurableDeferred.make("decision", { success: Signalled })

export const SagaResult = Schema.Literal("CONFIRMED", "FAILED", "CANCELLED")

/** The payment window before the saga asks Razorpay itself (late UPI confirmations are common). */
export const paymentDeadline = "90 seconds"

/**
 * The order after placement: wait for the payment (webhook) or a cancel, or the
 * deadline, then settle.
 *
 * Neither the race nor the settling is recorded as a workflow step of its own (no
 * `DurableDeferred.raceAll`, no `Activity`): each would be two more persisted cluster
 * messages per order, the largest cost of checkout under load. They are not needed
 * for correctness: `settle` is idempotent step by step (status moves guarded by the
 * Order entity, refunds keyed by payment, stock operations keyed by reservation) and
 * answers the order's final status once it has one. So a replay after a crash settles
 * again, or finds the order settled, whichever of payment and deadline it sees first;
 * the Order entity's timeline and saga steps record what happened.
 */
export const OrderSaga = Workflow.make({
  name: "OrderSaga",
  payload: { orderId: Schema.String },
  idempotencyKey: ({ orderId }) => orderId,
  success: SagaResult
})

type Waiting = Effect.Effect<Decision, never, WorkflowEngine | WorkflowInstance>

const decided: Waiting = DurableDeferred.await(DecisionSignal)
// A clock under the default 60 s threshold would run in memory and win the race against a
// webhook that already arrived (`inMemoryThreshold` defaults to 60 s): keep it durable.
const deadline: Waiting = Effect.as(
  DurableClock.sleep({ name: "payment-deadline", duration: paymentDeadline, inMemoryThreshold: 0 }),
  { kind: "timeout" }
)

export const OrderSagaLive = OrderSaga.toLayer(Effect.fn(function*({ orderId }) {
  // A branch with no result yet suspends the workflow; the first result wins.
  const decision = yield* Effect.raceAll([decided, deadline])
  return yield* settle(orderId, decision)
}))

/** Settles an order on a decision; idempotent, so the saga and the settlement sweeper may both run it. */
export const settle = (orderId: string, decision: Decision) =>
  Effect.gen(function*() {
    const payments = yield* Payments
    const storeSku = yield* StoreSkuEntity.client
    const entity = (yield* OrderEntity.client)(orderId)
    const transition = (t: Parameters<typeof entity.Transition>[0]) => Effect.orDie(entity.Transition(t))
    const order = Option.getOrThrow(yield* Effect.orDie(entity.Get()))
    const reservations = (o: OrderState) =>
      o.lines.map((l) => ({ entity: storeSku(storeSkuEntityId(l.storeId, l.skuId)), reservationId: ReservationId.make(l.reservationId) }))

    /** What Razorpay holds for the order; a lookup it refuses (not a glitch) is left to ops. */
    const gatewayPayments = payments.fetchOrderPayments(order.razorpayOrderId).pipe(
      Effect.catchIf((e) => !e.retryable, (e) =>
        Effect.as(Effect.orDie(entity.OpenTicket({ reason: "gateway_lookup_failed", detail: `${e.operation}: ${e.message}` })), []))
    )

    const refundCaptured = (reason: string, keep?: string) =>
      Effect.gen(function*() {
        const found = yield* gatewayPayments
        for (const p of found) {
          if (p.status !== "captured" || p.id === keep) continue
          yield* Effect.orDie(entity.RecordPayment({
            paymentId: p.id,
            amount: p.amount,
            currency: p.currency,
            status: p.status,
            method: p.method ?? "unknown"
          }))
          const refund = yield* payments.refund(refundOfCapture(orderId, p.id, p.amount))
          yield* Effect.orDie(entity.RecordRefund({ refundId: refund.id, paymentId: p.id, amount: refund.amount, status: refund.status, reason }))
        }
      })

    /**
     * Every failure path: stop the order, give the stock back, refund whatever was captured.
     * The status moves first: a capture webhook arriving later then sees a finished order and
     * refunds it itself, and one that came earlier is found by asking Razorpay below.
     */
    const fail = (status: "FAILED" | "CANCELLED", reason: string, options?: { readonly ticket?: string }) =>
      Effect.gen(function*() {
        yield* transition({
          from: ["AWAITING_PAYMENT", "PAID"],
          to: status,
          reason,
          events: [domainEvent(status === "FAILED" ? "order.failed" : "order.cancelled", orderId, { orderId: order.orderId, reason })]
        })
        yield* Effect.forEach(reservations(order), (r) => Effect.ignore(r.entity.Release({ reservationId: r.reservationId })), {
          concurrency: "unbounded",
          discard: true
        })
        // Asked of Razorpay, not of our records: a capture may be on its way as a webhook right now.
        yield* refundCaptured(reason)
        if (options?.ticket) yield* Effect.orDie(entity.OpenTicket({ reason, detail: options.ticket }))
        return status
      })

    const confirm = (outcome: PaymentOutcome) =>
      Effect.gen(function*() {
        yield* Effect.orDie(entity.RecordPayment(outcome))
        if (!paymentMatchesOrder(order, outcome)) {
          return yield* fail("FAILED", "amount_mismatch")
        }
        yield* transition({
          from: ["AWAITING_PAYMENT"],
          to: "PAID",
          reason: null,
          paymentId: outcome.paymentId,
          events: [
            domainEvent("payment.captured", orderId, { orderId: order.orderId, paymentId: outcome.paymentId, amount: outcome.amount }),
            domainEvent("order.paid", orderId, { orderId: order.orderId, paymentId: outcome.paymentId })
          ]
        })
        const commits = yield* Effect.forEach(reservations(order), (r) => Effect.either(r.entity.Commit({ reservationId: r.reservationId })), {
          concurrency: "unbounded"
        })
        const failed = commits.filter(Either.isLeft)
        if (failed.length > 0) {
          return yield* fail("FAILED", "commit_failed", {
            ticket: `paid ${outcome.paymentId} but ${failed.length} line(s) could not be allocated: ${failed.map((f) => f.left._tag).join(", ")}`
          })
        }
        yield* transition({
          from: ["PAID"],
          to: "CONFIRMED",
          reason: null,
          events: [domainEvent("order.confirmed", orderId, { orderId: order.orderId, total: order.total })]
        })
        // A second capture on the same Razorpay order (the customer paid twice) is not kept.
        yield* refundCaptured("duplicate_payment", outcome.paymentId)
        return "CONFIRMED" as const
      })

    if (order.status === "CONFIRMED" || order.status === "FAILED" || order.status === "CANCELLED") return order.status
    switch (decision.kind) {
      case "payment":
        return decision.outcome.status === "captured"
          ? yield* confirm(decision.outcome)
          : yield* fail("FAILED", "payment_failed")
      case "cancel":
        return yield* fail("CANCELLED", "cancelled_by_customer")
      case "timeout": {
        const found = yield* gatewayPayments
        const captured = found.find((p) => p.status === "captured")
        return captured
          ? yield* confirm({ paymentId: captured.id, status: "captured", amount: captured.amount, currency: captured.currency, method: captured.method })
          : yield* fail("FAILED", "payment_timeout")
      }
    }
  }).pipe(
    // Gateway hiccups are retried here; a refund must not be skipped.
    Effect.retry({ times: 5, while: (e) => e._tag === "PaymentsError" && e.retryable }),
    Effect.orDie
  )
