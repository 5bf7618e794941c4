import { Entity } from "@effect/cluster"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import { OrderMissing, OrderEntity, OrderState } from "@qc/domain/orders/OrderEntity"
import { Clock, DateTime, Effect, Option } from "effect"
import { commitFailure } from "../platform/CommitFailure.js"
import type { OrderRecord } from "./OrderRecord.js"
import { OrderRepo } from "./OrderRepo.js"
import type { OrderWrite } from "./OrderWrite.js"

/** Payment statuses a later report may not overwrite, except with "refunded". */
const settledPayment = new Set(["captured", "refunded", "failed"])

/**
 * The Order behaviour. The order lives in memory (loaded when the entity wakes) and
 * every command computes the next record, commits its rows through the runner's
 * group-committing writer, and only then takes the new record and answers. Messages
 * of one order are handled one at a time, so the record never races itself; if a
 * commit fails the entity reloads from Postgres before the next command. States are built
 * from the decoded command and the previous state, so they skip re-validation (`true`).
 */
export const OrderLive = OrderEntity.toLayer(
  Effect.gen(function*() {
    const orderId = (yield* Entity.CurrentAddress).entityId
    const repo = yield* OrderRepo
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

    return {
      Get: () => Effect.map(current, Option.map((r) => r.state)),

      Place: ({ payload }) =>
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
            placed
          }, true)
          yield* commit({
            orderId,
            at,
            insert: state,
            timeline: { seq: 1, status: placed.status, reason: null },
            steps: [{ seq: 1, step: "placed", detail: `reserved ${payload.lines.length} line(s); razorpay ${placed.payment.razorpayOrderId}` }],
            events: [domainEvent("order.placed", orderId, { orderId: placed.orderId, customerId: payload.customerId, total: placed.total })]
          }, { state, payments: new Map(), refunds: new Map(), stepSeq: 1 })
          return state
        }),

      Transition: ({ payload }) =>
        Effect.gen(function*() {
          const r = yield* existing
          const s = r.state
          if (!payload.from.includes(s.status)) return false
          const at = yield* Clock.currentTimeMillis
          const paymentId = payload.paymentId ?? s.paymentId
          const state = new OrderState({
            ...s,
            status: payload.to,
            statusReason: payload.reason,
            paymentId,
            timeline: [...s.timeline, { status: payload.to, at: DateTime.unsafeMake(at), reason: payload.reason }]
          }, true)
          yield* commit({
            orderId,
            at,
            status: { from: s.status, to: payload.to, reason: payload.reason, paymentId: payload.paymentId ?? null },
            timeline: { seq: s.timeline.length + 1, status: payload.to, reason: payload.reason },
            steps: [{ seq: r.stepSeq + 1, step: `status ${payload.to}`, detail: payload.reason }],
            events: payload.events
          }, { ...r, state, stepSeq: r.stepSeq + 1 })
          return true
        }),

      RecordPayment: ({ payload }) =>
        Effect.gen(function*() {
          const r = yield* existing
          const previous = r.payments.get(payload.paymentId)
          if (previous === payload.status) return r.state
          if (previous !== undefined && settledPayment.has(previous) && payload.status !== "refunded") return r.state
          yield* commit(
            { orderId, at: yield* Clock.currentTimeMillis, payment: payload },
            { ...r, payments: new Map(r.payments).set(payload.paymentId, payload.status) }
          )
          return r.state
        }),

      RecordRefund: ({ payload }) =>
        Effect.gen(function*() {
          const r = yield* existing
          const previous = r.refunds.get(payload.refundId)
          if (previous === payload.status) return
          yield* commit({
            orderId,
            at: yield* Clock.currentTimeMillis,
            refund: payload,
            events: previous === undefined
              ? [domainEvent("payment.refunded", orderId, {
                orderId: r.state.orderId,
                paymentId: payload.paymentId,
                refundId: payload.refundId,
                amount: payload.amount,
                reason: payload.reason
              })]
              : []
          }, { ...r, refunds: new Map(r.refunds).set(payload.refundId, payload.status) })
        }),

      OpenTicket: ({ payload }) =>
        Effect.gen(function*() {
          const r = yield* existing
          yield* commit({ orderId, at: yield* Clock.currentTimeMillis, ticket: payload }, r)
        })
    }
  }),
  // An order is read a few times in its first minutes (webhooks, saga, the app polling).
  // A defect answers its own caller instead of restarting the entity and replaying the message.
  { maxIdleTime: "5 minutes", disableFatalDefects: true }
)
