import type { SqlClient } from "@effect/sql"
import type { OrderStatus } from "@qc/domain/orders/Order"
import { PlacedOrder } from "@qc/domain/orders/Order"
import { Fulfilment } from "@qc/domain/orders/Fulfilment"
import type { OrderCommandEvent, OrderState } from "@qc/domain/orders/OrderEntity"
import { Data, DateTime, Effect, Schema } from "effect"
import type { DomainEvents } from "../platform/DomainEvents.js"

const encodePlaced = Schema.encodeSync(PlacedOrder)
const encodeFulfilment = Schema.encodeSync(Fulfilment)

/** The rows one order command writes; the entity builds it from its state, the writer batches it. */
export interface OrderWrite {
  readonly orderId: string
  /** When the command happened (the entity's clock): every row of the write carries it. */
  readonly at: number
  readonly insert?: OrderState
  /** A status move; `from` guards against a second writer of the same order. */
  readonly status?: {
    readonly from: OrderStatus
    readonly to: OrderStatus
    readonly reason: string | null
    readonly paymentId: string | null
  }
  readonly timeline?: { readonly seq: number; readonly status: string; readonly reason: string | null }
  readonly steps?: ReadonlyArray<{ readonly seq: number; readonly step: string; readonly detail: string | null }>
  readonly payment?: { readonly paymentId: string; readonly amount: number; readonly currency: string; readonly status: string; readonly method: string }
  readonly refund?: {
    readonly refundId: string
    readonly paymentId: string
    readonly amount: number
    readonly status: string
    readonly reason: string
  }
  readonly ticket?: { readonly reason: string; readonly detail: string }
  /** The order's next due time (epoch ms), null to clear it; absent leaves it as it is. */
  readonly due?: number | null
  readonly events?: ReadonlyArray<OrderCommandEvent>
  /** The order's fulfilment state after the command (absent leaves it). */
  readonly fulfilment?: Fulfilment
}

/** Another writer changed the order under its entity (two owners during a shard move). */
export class OrderWriteConflict extends Data.TaggedError("OrderWriteConflict")<{ readonly orderIds: ReadonlyArray<string> }> {
  override get message() {
    return `order(s) ${this.orderIds.join(", ")} changed under their entity; the write was rolled back`
  }
}

/** The rows of many commands (of different orders) in one transaction. */
export const writeOrders = (sql: SqlClient.SqlClient, events: DomainEvents, writes: ReadonlyArray<OrderWrite>) =>
  Effect.gen(function*() {
    const atOf = (w: OrderWrite) => new Date(w.at)
    const inserts = writes.flatMap((w) => (w.insert ? [w.insert] : []))
    const dueOf = (orderId: string) => {
      const due = writes.find((w) => w.orderId === orderId && w.insert)?.due
      return due === undefined || due === null ? null : new Date(due)
    }
    if (inserts.length > 0) {
      yield* sql`INSERT INTO orders ${
        sql.insert(inserts.map((o) => ({
          id: o.orderId,
          customer_id: o.customerId,
          idempotency_key: o.idempotencyKey,
          request_hash: o.requestHash,
          pincode: o.pincode,
          status: o.status,
          status_reason: o.statusReason,
          total: o.total,
          currency: o.currency,
          razorpay_order_id: o.razorpayOrderId,
          placed_answer: JSON.stringify(encodePlaced(o.placed)),
          placed_at: DateTime.toDate(o.placedAt),
          updated_at: DateTime.toDate(o.placedAt),
          due_at: dueOf(o.orderId)
        })))
      }`
      yield* sql`INSERT INTO order_lines ${
        sql.insert(inserts.flatMap((o) =>
          o.lines.map((l) => ({
            order_id: o.orderId,
            line_no: l.lineNo,
            sku_id: l.skuId,
            store_id: l.storeId,
            qty: l.qty,
            unit_price: l.unitPrice,
            pricing_context: JSON.stringify(l.pricingContext),
            reservation_id: l.reservationId
          }))
        ))
      }`
    }
    const moves = writes.flatMap((w) => (w.status ? [{ orderId: w.orderId, at: w.at, ...w.status }] : []))
    if (moves.length > 0) {
      const moved = yield* sql<{ id: string }>`
        UPDATE orders o SET status = v.next, status_reason = v.reason, updated_at = v.at,
          payment_id = COALESCE(v.payment_id, o.payment_id)
        FROM unnest(${moves.map((m) => m.orderId)}::text[], ${moves.map((m) => m.from)}::text[], ${moves.map((m) => m.to)}::text[],
                    ${moves.map((m) => m.reason)}::text[], ${moves.map((m) => m.paymentId)}::text[],
                    ${moves.map((m) => new Date(m.at).toISOString())}::timestamptz[])
          AS v(id, prev, next, reason, payment_id, at)
        WHERE o.id = v.id AND o.status = v.prev
        RETURNING o.id`
      if (moved.length !== moves.length) {
        const done = new Set(moved.map((r) => r.id))
        return yield* Effect.die(new OrderWriteConflict({ orderIds: moves.filter((m) => !done.has(m.orderId)).map((m) => m.orderId) }))
      }
    }
    // Due times of existing orders (a new order's is in its insert), after its status move if any.
    const dues = writes.flatMap((w) => (w.due !== undefined && !w.insert ? [{ orderId: w.orderId, due: w.due }] : []))
    if (dues.length > 0) {
      yield* sql`
        UPDATE orders o SET due_at = v.due
        FROM unnest(${dues.map((d) => d.orderId)}::text[], ${dues.map((d) => (d.due === null ? null : new Date(d.due).toISOString()))}::timestamptz[])
          AS v(id, due)
        WHERE o.id = v.id`
    }
    // The last fulfilment state of each order in the batch (writes of one order are in command order).
    const fulfilments = new Map(writes.flatMap((w) => (w.fulfilment ? [[w.orderId, w.fulfilment] as const] : [])))
    if (fulfilments.size > 0) {
      yield* sql`
        UPDATE orders o SET fulfilment = v.f
        FROM unnest(${[...fulfilments.keys()]}::text[], ${[...fulfilments.values()].map((f) => JSON.stringify(encodeFulfilment(f)))}::jsonb[])
          AS v(id, f)
        WHERE o.id = v.id`
    }
    const timeline = writes.flatMap((w) => (w.timeline ? [{ order_id: w.orderId, ...w.timeline, at: atOf(w) }] : []))
    if (timeline.length > 0) yield* sql`INSERT INTO order_timeline ${sql.insert(timeline)}`
    const steps = writes.flatMap((w) => (w.steps ?? []).map((s) => ({ order_id: w.orderId, ...s, at: atOf(w) })))
    if (steps.length > 0) yield* sql`INSERT INTO order_saga_steps ${sql.insert(steps)}`
    const payments = writes.flatMap((w) =>
      w.payment
        ? [{
          payment_id: w.payment.paymentId,
          order_id: w.orderId,
          amount: w.payment.amount,
          currency: w.payment.currency,
          status: w.payment.status,
          method: w.payment.method,
          updated_at: atOf(w)
        }]
        : []
    )
    if (payments.length > 0) {
      // A late "authorized" must not overwrite "captured" (webhooks arrive in any order).
      yield* sql`INSERT INTO order_payments ${sql.insert(payments)}
        ON CONFLICT (payment_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
        WHERE order_payments.status NOT IN ('captured', 'refunded', 'failed') OR EXCLUDED.status = 'refunded'`
    }
    const refunds = writes.flatMap((w) =>
      w.refund
        ? [{
          refund_id: w.refund.refundId,
          order_id: w.orderId,
          payment_id: w.refund.paymentId,
          amount: w.refund.amount,
          status: w.refund.status,
          reason: w.refund.reason,
          at: atOf(w)
        }]
        : []
    )
    // A refund keeps the reason it was first recorded with; later reports move its status.
    if (refunds.length > 0) {
      yield* sql`INSERT INTO order_refunds ${sql.insert(refunds)}
        ON CONFLICT (refund_id) DO UPDATE SET status = EXCLUDED.status`
    }
    const tickets = writes.flatMap((w) => (w.ticket ? [{ order_id: w.orderId, ...w.ticket, at: atOf(w) }] : []))
    if (tickets.length > 0) yield* sql`INSERT INTO ops_tickets ${sql.insert(tickets)}`
    const outgoing = writes.flatMap((w) => w.events ?? [])
    if (outgoing.length > 0) yield* events.publish(outgoing)
  }).pipe(sql.withTransaction, Effect.withSpan("OrderRepo.writeMany"), Effect.orDie)
