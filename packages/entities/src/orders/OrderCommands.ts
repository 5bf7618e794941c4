import { domainEvent } from "@qc/domain/events/DomainEvent"
import type { OrderStatus } from "@qc/domain/orders/Order"
import type { Fulfilment } from "@qc/domain/orders/Fulfilment"
import type { OrderCommandEvent, PlaceOrderCommand } from "@qc/domain/orders/OrderEntity"
import { OrderMissing, OrderState } from "@qc/domain/orders/OrderEntity"
import { Clock, DateTime, Effect, Option } from "effect"
import { commitFailure } from "../platform/CommitFailure.js"
import type { OrderRecord } from "./OrderRecord.js"
import type { OrderRepo } from "./OrderRepo.js"
import type { OrderWrite } from "./OrderWrite.js"

/** Payment statuses a later report may not overwrite, except with "refunded". */
const settledPayment = new Set(["captured", "refunded", "failed"])

export interface StatusMove {
  readonly from: ReadonlyArray<OrderStatus>
  readonly to: OrderStatus
  readonly reason: string | null
  readonly paymentId?: string | undefined
  readonly events: ReadonlyArray<OrderCommandEvent>
  /** The next due time written with the move (null clears it; absent keeps it). */
  readonly due?: number | null
  /** The fulfilment state written with the move (absent keeps it). */
  readonly fulfilment?: Fulfilment
  /** When it happened, if the caller already read the clock for it (a timer started with the move). */
  readonly at?: number
}

/**
 * The order's record in memory and the commands that change it. Each computes the next
 * record, commits its rows (group-committed with other orders), and only then takes the
 * new record. If a commit fails, memory is reloaded from Postgres before the next command.
 * States are built from decoded commands and the previous state, so they skip re-validation.
 */
export const makeOrderCommands = (orderId: string, repo: OrderRepo) =>
  Effect.gen(function*() {
    let record: Option.Option<OrderRecord> = yield* repo.load(orderId)
    let stale = false

    const current = Effect.suspend(() =>
      stale
        ? Effect.map(repo.load(orderId), (loaded) => {
          record = loaded
          stale = false
          return loaded
        })
        : Effect.succeed(record)
    )
    const existing = Effect.flatMap(current, Option.match({
      onNone: () => Effect.fail(new OrderMissing({ orderId })),
      onSome: Effect.succeed
    }))
    const commit = (write: OrderWrite, next: OrderRecord) =>
      repo.write(write).pipe(
        Effect.tap(() => {
          record = Option.some(next)
        }),
        Effect.catchAllCause((cause) =>
          Effect.zipRight(
            Effect.sync(() => {
              stale = true
            }),
            Effect.zipRight(Effect.logWarning(`order ${orderId}: change not committed`, cause), Effect.fail(commitFailure(cause)))
          )
        )
      )

    const place = (payload: typeof PlaceOrderCommand.Type, due: number) =>
      Effect.gen(function*() {
        const found = yield* current
        if (Option.isSome(found)) return found.value.state
        const at = yield* Clock.currentTimeMillis
        const { placed } = payload
        const state = new OrderState({
          orderId: placed.orderId,
          customerId: payload.customerId,
          idempotencyKey: payload.idempotencyKey,
          requestHash: payload.requestHash,
          status: placed.status,
          statusReason: null,
          pincode: payload.pincode,
          lines: payload.lines,
          total: placed.total,
          currency: placed.payment.currency,
          razorpayOrderId: placed.payment.razorpayOrderId,
          paymentId: null,
          placedAt: DateTime.unsafeMake(at),
          timeline: [{ status: placed.status, at: DateTime.unsafeMake(at), reason: null }],
          placed,
          fulfilment: null
        }, true)
        yield* commit({
          orderId,
          at,
          insert: state,
          due,
          timeline: { seq: 1, status: placed.status, reason: null },
          steps: [{ seq: 1, step: "placed", detail: `reserved ${payload.lines.length} line(s); razorpay ${placed.payment.razorpayOrderId}` }],
          events: [domainEvent("order.placed", orderId, { orderId: placed.orderId, customerId: payload.customerId, total: placed.total })]
        }, { state, payments: new Map(), refunds: new Map(), stepSeq: 1, dueAt: due })
        return state
      })

    const transition = (move: StatusMove) =>
      Effect.gen(function*() {
        const r = yield* existing
        const s = r.state
        if (!move.from.includes(s.status)) return false
        const at = move.at ?? (yield* Clock.currentTimeMillis)
        const state = new OrderState({
          ...s,
          status: move.to,
          statusReason: move.reason,
          paymentId: move.paymentId ?? s.paymentId,
          timeline: [...s.timeline, { status: move.to, at: DateTime.unsafeMake(at), reason: move.reason }],
          fulfilment: move.fulfilment ?? s.fulfilment
        }, true)
        yield* commit({
          orderId,
          at,
          status: { from: s.status, to: move.to, reason: move.reason, paymentId: move.paymentId ?? null },
          timeline: { seq: s.timeline.length + 1, status: move.to, reason: move.reason },
          steps: [{ seq: r.stepSeq + 1, step: `status ${move.to}`, detail: move.reason }],
          events: move.events,
          ...(move.due === undefined ? {} : { due: move.due }),
          ...(move.fulfilment === undefined ? {} : { fulfilment: move.fulfilment })
        }, { ...r, state, stepSeq: r.stepSeq + 1, dueAt: move.due === undefined ? r.dueAt : move.due })
        return true
      })

    const recordPayment = (p: { readonly paymentId: string; readonly amount: number; readonly currency: string; readonly status: string; readonly method: string }) =>
      Effect.gen(function*() {
        const r = yield* existing
        const previous = r.payments.get(p.paymentId)
        if (previous === p.status) return r.state
        if (previous !== undefined && settledPayment.has(previous) && p.status !== "refunded") return r.state
        yield* commit(
          { orderId, at: yield* Clock.currentTimeMillis, payment: p },
          { ...r, payments: new Map(r.payments).set(p.paymentId, p.status) }
        )
        return r.state
      })

    const recordRefund = (
      refund: { readonly refundId: string; readonly paymentId: string; readonly amount: number; readonly status: string; readonly reason: string }
    ) =>
      Effect.gen(function*() {
        const r = yield* existing
        const previous = r.refunds.get(refund.refundId)?.status
        if (previous === refund.status) return
        yield* commit({
          orderId,
          at: yield* Clock.currentTimeMillis,
          refund,
          events: previous === undefined
            ? [domainEvent("payment.refunded", orderId, {
              orderId: r.state.orderId,
              paymentId: refund.paymentId,
              refundId: refund.refundId,
              amount: refund.amount,
              reason: refund.reason
            })]
            : []
        }, { ...r, refunds: new Map(r.refunds).set(refund.refundId, { status: refund.status, paymentId: refund.paymentId, amount: refund.amount }) })
      })

    const openTicket = (ticket: { readonly reason: string; readonly detail: string }) =>
      Effect.gen(function*() {
        const r = yield* existing
        yield* commit({ orderId, at: yield* Clock.currentTimeMillis, ticket }, r)
      })

    const setDue = (due: number | null) =>
      Effect.gen(function*() {
        const r = yield* existing
        if (r.dueAt === due) return
        yield* commit({ orderId, at: yield* Clock.currentTimeMillis, due }, { ...r, dueAt: due })
      })

    /** Fulfilment progress without a status move (a part picked, a timer acted on), with its events and next due time. */
    const setFulfilment = (
      fulfilment: Fulfilment,
      change: { readonly due?: number | null; readonly events?: ReadonlyArray<OrderCommandEvent>; readonly step?: string }
    ) =>
      Effect.gen(function*() {
        const r = yield* existing
        const state = new OrderState({ ...r.state, fulfilment }, true)
        const seq = change.step === undefined ? r.stepSeq : r.stepSeq + 1
        yield* commit({
          orderId,
          at: yield* Clock.currentTimeMillis,
          fulfilment,
          ...(change.due === undefined ? {} : { due: change.due }),
          ...(change.events === undefined ? {} : { events: change.events }),
          ...(change.step === undefined ? {} : { steps: [{ seq, step: change.step, detail: null }] })
        }, { ...r, state, stepSeq: seq, dueAt: change.due === undefined ? r.dueAt : change.due })
        return state
      })

    /** The record as held now (no reload), for the timer. */
    const held = () => record

    return { current, existing, place, transition, recordPayment, recordRefund, openTicket, setDue, setFulfilment, held } as const
  })

export type OrderCommands = Effect.Effect.Success<ReturnType<typeof makeOrderCommands>>
