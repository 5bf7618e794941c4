import { ReservationId, storeSkuEntityId } from "@qc/domain/Ids"
import type { StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { Context, Effect, Either, Layer } from "effect"
import { Payments } from "../payments/Payments.js"
import type { GatewayPayment, GatewayRefund, PaymentsError } from "../payments/Payments.js"

/** The refund of a capture the order does not keep: one key per payment, so it is made once whoever asks. */
export const refundOfCapture = (orderId: string, paymentId: string, amount: number) => ({
  paymentId,
  amount,
  idempotencyKey: `refund-${paymentId}`,
  notes: { orderId }
})

/** Why a line's stock could not be committed: final (the reservation is gone) or worth a retry. */
export interface CommitOutcome {
  readonly failed: ReadonlyArray<{ readonly reservationId: string; readonly reason: string; readonly retry: boolean }>
}

/**
 * What the Order entity does to the world outside it, each step idempotent and keyed
 * (reservation ids, payment ids), so a step repeated after a crash changes nothing twice.
 */
export class OrderSteps extends Context.Tag("OrderSteps")<OrderSteps, {
  /** Reserved → allocated for every line. */
  readonly commitStock: (lines: ReadonlyArray<StoredOrderLine>) => Effect.Effect<CommitOutcome>
  /** Gives every line's stock back (reserved or allocated); answers whether every line was answered. */
  readonly releaseStock: (lines: ReadonlyArray<StoredOrderLine>) => Effect.Effect<boolean>
  /** What Razorpay holds for the order (the late-UPI check, and captures a webhook has not told us of yet). */
  readonly gatewayPayments: (razorpayOrderId: string) => Effect.Effect<ReadonlyArray<GatewayPayment>, PaymentsError>
  readonly refund: (orderId: string, paymentId: string, amount: number) => Effect.Effect<GatewayRefund, PaymentsError>
  /** A refund of part of a kept capture (units missing at packing), under its own key. */
  readonly refundPart: (orderId: string, paymentId: string, amount: number, key: string) => Effect.Effect<GatewayRefund, PaymentsError>
}>() {}

const retryable = new Set(["ServiceUnavailable", "MailboxFull", "AlreadyProcessingMessage", "PersistenceError"])

export const OrderStepsLive = Layer.effect(
  OrderSteps,
  Effect.gen(function*() {
    const storeSku = yield* StoreSkuEntity.client
    const payments = yield* Payments
    const entity = (l: StoredOrderLine) => storeSku(storeSkuEntityId(l.storeId, l.skuId))
    return OrderSteps.of({
      commitStock: (lines) =>
        Effect.map(
          Effect.forEach(lines, (l) => Effect.either(entity(l).Commit({ reservationId: ReservationId.make(l.reservationId) })), {
            concurrency: "unbounded"
          }),
          (results) => ({
            failed: results.flatMap((r, i) =>
              Either.isLeft(r) ? [{ reservationId: lines[i].reservationId, reason: r.left._tag, retry: retryable.has(r.left._tag) }] : []
            )
          })
        ),
      releaseStock: (lines) =>
        Effect.map(
          Effect.forEach(lines, (l) =>
            Effect.either(entity(l).Release({ reservationId: ReservationId.make(l.reservationId) })), { concurrency: "unbounded" }),
          // Already released or expired is done; only a failure to answer is worth a retry.
          (results) => results.every((r) => Either.isRight(r) || !retryable.has(r.left._tag))
        ),
      gatewayPayments: (razorpayOrderId) => payments.fetchOrderPayments(razorpayOrderId),
      refund: (orderId, paymentId, amount) => payments.refund(refundOfCapture(orderId, paymentId, amount)),
      refundPart: (orderId, paymentId, amount, key) => payments.refund({ paymentId, amount, idempotencyKey: key, notes: { orderId } })
    })
  })
)
