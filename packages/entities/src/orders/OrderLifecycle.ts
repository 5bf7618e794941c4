import { domainEvent } from "@qc/domain/events/DomainEvent"
import type { OrderState, PaymentReport } from "@qc/domain/orders/OrderEntity"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { Clock, Effect, Option } from "effect"
import { paymentMatchesOrder } from "../payments/PaymentGuard.js"
import type { OrderCommands } from "./OrderCommands.js"
import type { OrderSteps } from "./OrderSteps.js"
import type { FulfilmentSettings } from "./FulfilmentSettings.js"
import type { FulfilmentSteps } from "./FulfilmentSteps.js"
import { makeFulfilmentProgress } from "./FulfilmentProgress.js"
import { cancellableBy, initialFulfilment, refundedOn } from "./FulfilmentRules.js"
import { makeOrderFulfilment } from "./OrderFulfilment.js"

/** The payment window before the order asks Razorpay itself (late UPI confirmations are common). */
export const paymentDeadlineMs = 90_000
/** A step that could not be done now (stock or gateway unreachable) is tried again this much later. */
const retryMs = 5_000

const ended = (s: OrderState) => s.status === "FAILED" || s.status === "CANCELLED"

/**
 * The order after placement, as a process manager on its own entity. Every decision is
 * persisted first (the status move, with a due time of now: "steps pending"), then its steps
 * run, each idempotent and keyed; when they are all done the due time is cleared. An order
 * found with a due time (after a crash, passivation or shard move) resumes from its
 * persisted state: `proceed` is the one place that knows what each state still needs.
 *
 * AWAITING_PAYMENT ─ captured, amount right ─► PAID ─ stock committed ─► CONFIRMED
 *        │  failed / wrong amount / deadline with nothing captured        │ not allocatable
 *        ▼                                                                 ▼
 *     FAILED ◄─────────────────────────────────────────────────────────────┘
 * CONFIRMED → PICKING → PACKED → RIDER_ASSIGNED → OUT_FOR_DELIVERY → DELIVERED (`OrderFulfilment`,
 * its steps and timers in `FulfilmentProgress`); UNDELIVERABLE by ops after pick-up.
 * CANCELLED: the customer's until packed, ops' until picked up (`cancellableBy`).
 * FAILED and CANCELLED: stock released, store tasks and rider freed, what was captured and not yet
 * refunded goes back, a ticket when the gateway refuses.
 */
export const makeOrderLifecycle = (
  orderId: string,
  order: OrderCommands,
  steps: OrderSteps["Type"],
  ful: FulfilmentSteps["Type"],
  settings: FulfilmentSettings["Type"]
) => {
  const now = Clock.currentTimeMillis
  const progress = makeFulfilmentProgress(orderId, order, steps, ful, settings)
  const unavailable = (message: string) => new ServiceUnavailable({ message })

  /** Refunds a capture the order does not keep; a refund the gateway refuses goes to ops. */
  const refundCapture = (paymentId: string, amount: number, reason: string) =>
    Effect.gen(function*() {
      const refund = yield* Effect.either(steps.refund(orderId, paymentId, amount))
      if (refund._tag === "Right") {
        const r = refund.right
        return yield* order.recordRefund({ refundId: r.id, paymentId, amount: r.amount, status: r.status, reason })
      }
      if (refund.left.retryable) return yield* Effect.fail(unavailable(`refund of ${paymentId} failed; it will be retried`))
      yield* Effect.logWarning(`order ${orderId}: refund of ${paymentId} refused: ${refund.left.message}`)
      yield* order.openTicket({ reason: "refund_refused", detail: `${reason}: refund of ${paymentId} (${amount} paise) refused: ${refund.left.message}` })
    })

  const fail = (reason: string, from: ReadonlyArray<OrderState["status"]>) =>
    Effect.gen(function*() {
      const status = reason.startsWith("cancelled_") ? "CANCELLED" as const : "FAILED" as const
      yield* order.transition({
        from,
        to: status,
        reason,
        events: [status === "FAILED"
          ? domainEvent("order.failed", orderId, { orderId: (yield* order.existing).state.orderId, reason })
          : domainEvent("order.cancelled", orderId, { orderId: (yield* order.existing).state.orderId, reason })],
        due: yield* now
      })
      return yield* proceed
    })

  const confirmWith = (p: PaymentReport) =>
    Effect.gen(function*() {
      const s = (yield* order.existing).state
      if (!paymentMatchesOrder(s, p)) return yield* fail("amount_mismatch", ["AWAITING_PAYMENT"])
      yield* order.transition({
        from: ["AWAITING_PAYMENT"],
        to: "PAID",
        reason: null,
        paymentId: p.paymentId,
        events: [
          domainEvent("payment.captured", orderId, { orderId: s.orderId, paymentId: p.paymentId, amount: p.amount }),
          domainEvent("order.paid", orderId, { orderId: s.orderId, paymentId: p.paymentId })
        ],
        due: yield* now
      })
      return yield* proceed
    })

  /** What the current state still needs; repeatable at any point. */
  const proceed: Effect.Effect<OrderState, OrderCommandError> = Effect.suspend(() =>
    Effect.gen(function*() {
      const r = yield* order.existing
      const s = r.state
      const at = yield* now
      if (r.dueAt === null || r.dueAt > at) return s
      const later = Effect.as(order.setDue(at + retryMs), s)
      switch (s.status) {
        case "AWAITING_PAYMENT": {
          const found = yield* Effect.either(steps.gatewayPayments(s.razorpayOrderId))
          if (found._tag === "Left" && found.left.retryable) return yield* later
          if (found._tag === "Left") {
            yield* order.openTicket({ reason: "gateway_lookup_failed", detail: `${found.left.operation}: ${found.left.message}` })
          }
          const captured = found._tag === "Right" ? found.right.find((p) => p.status === "captured") : undefined
          if (captured === undefined) return yield* fail("payment_timeout", ["AWAITING_PAYMENT"])
          const report = { paymentId: captured.id, status: "captured" as const, amount: captured.amount, currency: captured.currency, method: captured.method }
          yield* order.recordPayment(report)
          return yield* confirmWith(report)
        }
        case "PAID": {
          const committed = yield* steps.commitStock(s.lines)
          if (committed.failed.some((f) => f.retry)) return yield* later
          if (committed.failed.length > 0) {
            yield* order.openTicket({
              reason: "commit_failed",
              detail: `paid ${s.paymentId} but ${committed.failed.length} line(s) could not be allocated: ${committed.failed.map((f) => f.reason).join(", ")}`
            })
            return yield* fail("commit_failed", ["PAID"])
          }
          // The packing SLA runs from the instant on the CONFIRMED timeline entry.
          const confirmedAt = yield* now
          yield* order.transition({
            from: ["PAID"],
            to: "CONFIRMED",
            reason: null,
            events: [domainEvent("order.confirmed", orderId, { orderId: s.orderId, total: s.total })],
            fulfilment: initialFulfilment(s.lines, confirmedAt, settings.packingSlaMs),
            due: confirmedAt,
            at: confirmedAt
          })
          return yield* proceed
        }
        case "CONFIRMED":
        case "PICKING":
        case "PACKED":
        case "RIDER_ASSIGNED":
        case "OUT_FOR_DELIVERY":
        case "DELIVERED":
        case "UNDELIVERABLE": {
          yield* progress.proceed(r, at).pipe(Effect.catchTag("StepPending", () => later))
          return (yield* order.existing).state
        }
        case "FAILED":
        case "CANCELLED": {
          const released = yield* steps.releaseStock(s.lines)
          // Paid and then cancelled: its store tasks leave the queues, its rider is freed.
          const f = s.fulfilment
          if (f !== null) {
            const cleared = yield* Effect.either(Effect.zipRight(
              Effect.forEach(f.parts, (p) => ful.finishAt(p.storeId, orderId, "cancelled"), { discard: true }),
              f.rider === null ? Effect.void : ful.releaseRider(orderId)
            ))
            if (cleared._tag === "Left") return yield* later
          }
          // Asked of Razorpay, not of our records: a capture may be on its way as a webhook right now.
          const found = yield* Effect.either(steps.gatewayPayments(s.razorpayOrderId))
          if (found._tag === "Left" && found.left.retryable) return yield* later
          // The gateway refused the lookup for good: the capture we confirmed with is still ours to
          // refund (a refusal of that refund opens a ticket), and ops are told the lookup failed.
          if (found._tag === "Left") {
            yield* Effect.logWarning(`order ${orderId}: payment lookup refused: ${found.left.message}`)
            yield* order.openTicket({ reason: "gateway_lookup_failed", detail: `${found.left.operation}: ${found.left.message}` })
          }
          const captures = found._tag === "Right"
            ? found.right.filter((p) => p.status === "captured")
            : s.paymentId === null ? [] : [{ id: s.paymentId, amount: s.total, currency: s.currency, status: "captured", method: "recorded" }]
          for (const p of captures) {
            if (found._tag === "Right") {
              yield* order.recordPayment({ paymentId: p.id, amount: p.amount, currency: p.currency, status: p.status, method: p.method })
            }
            // A short pick may have refunded part of it already.
            const rest = p.amount - refundedOn(r.refunds, p.id)
            if (rest > 0) yield* refundCapture(p.id, rest, s.statusReason ?? "order_ended")
          }
          if (!released) return yield* later
          yield* order.setDue(null)
          return s
        }
        default:
          yield* order.setDue(null)
          return s
      }
    })
  )

  /** A payment reported by the webhook (any order, any number of times). */
  const paymentReported = (p: PaymentReport) =>
    Effect.gen(function*() {
      const s = yield* order.recordPayment(p)
      if (p.status === "authorized") return s
      if (s.status === "AWAITING_PAYMENT") {
        return p.status === "captured" ? yield* confirmWith(p) : yield* fail("payment_failed", ["AWAITING_PAYMENT"])
      }
      if (p.status === "captured" && p.paymentId !== s.paymentId) {
        // Not the payment the order was paid with: the order is over, or the customer paid twice.
        yield* refundCapture(p.paymentId, p.amount, ended(s) ? "captured_after_order_ended" : "duplicate_payment")
      }
      return (yield* order.existing).state
    })

  const cancel = (by: "customer" | "ops") =>
    Effect.gen(function*() {
      const s = (yield* order.existing).state
      if (!cancellableBy[by].has(s.status)) return s
      return yield* fail(`cancelled_by_${by}`, [s.status])
    })

  const wake = Effect.flatMap(order.current, Option.match({
    onNone: () => Effect.succeed(Option.none<OrderState>()),
    onSome: () => Effect.map(proceed, Option.some)
  }))

  const fulfilment = makeOrderFulfilment(orderId, order, settings, proceed)

  return { paymentReported, cancel, wake, proceed, ...fulfilment } as const
}

type OrderCommandError = Effect.Effect.Error<OrderCommands["existing"]> | Effect.Effect.Error<ReturnType<OrderCommands["transition"]>> | ServiceUnavailable
