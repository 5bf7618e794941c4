import { SqlClient } from "@effect/sql"
import { DomainEvent } from "@qc/domain/events/DomainEvent"
import { Effect, Either, Option, Schema } from "effect"

/**
 * Reads of the business tables, as Postgres has them (not as an entity holds them), in
 * JSON-ready values: timestamps as ISO strings, bigints as numbers. Reads only.
 */

export const isoOf = (value: unknown): string | null =>
  value === null || value === undefined ? null : new Date(value instanceof Date ? value : String(value)).toISOString()

const jsonOf = (value: unknown): unknown => (typeof value === "string" ? safeParse(value) : value)

const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The committed counters of one store-SKU (`store_skus`). */
export interface StoreSkuRow {
  readonly onHand: number
  readonly reserved: number
  readonly allocated: number
  readonly reorderThreshold: number
  readonly version: number
}

export const storeSkuRow = (storeId: string, skuId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ on_hand: number; reserved: number; allocated: number; reorder_threshold: number; version: number }>`
      SELECT on_hand, reserved, allocated, reorder_threshold, version FROM store_skus
       WHERE store_id = ${storeId} AND sku_id = ${skuId}`
    return Option.map(Option.fromNullable(row), (r): StoreSkuRow => ({
      onHand: r.on_hand,
      reserved: r.reserved,
      allocated: r.allocated,
      reorderThreshold: r.reorder_threshold,
      version: r.version
    }))
  })

/** An order row as stored. */
export interface OrderRow {
  readonly orderId: string
  readonly customerId: string
  readonly status: string
  readonly statusReason: string | null
  readonly total: number
  readonly currency: string
  readonly razorpayOrderId: string
  readonly paymentId: string | null
  readonly pincode: string
  readonly placedAt: string | null
  readonly updatedAt: string | null
  readonly dueAt: string | null
}

export const orderRow = (orderId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [r] = yield* sql<{
      id: string
      customer_id: string
      status: string
      status_reason: string | null
      total: number
      currency: string
      razorpay_order_id: string
      payment_id: string | null
      pincode: string
      placed_at: unknown
      updated_at: unknown
      due_at: unknown
    }>`SELECT id, customer_id, status, status_reason, total, currency, razorpay_order_id, payment_id, pincode,
              placed_at, updated_at, due_at
         FROM orders WHERE id = ${orderId}`
    return Option.map(Option.fromNullable(r), (o): OrderRow => ({
      orderId: o.id,
      customerId: o.customer_id,
      status: o.status,
      statusReason: o.status_reason,
      total: o.total,
      currency: o.currency,
      razorpayOrderId: o.razorpay_order_id,
      paymentId: o.payment_id,
      pincode: o.pincode,
      placedAt: isoOf(o.placed_at),
      updatedAt: isoOf(o.updated_at),
      dueAt: isoOf(o.due_at)
    }))
  })

/** Everything Postgres holds about one order. */
export interface OrderDetail {
  readonly order: OrderRow
  readonly lines: ReadonlyArray<{ lineNo: number; skuId: string; storeId: string; qty: number; unitPrice: number; reservationId: string }>
  readonly timeline: ReadonlyArray<{ seq: number; status: string; reason: string | null; at: string | null }>
  readonly sagaSteps: ReadonlyArray<{ seq: number; step: string; detail: string | null; at: string | null }>
  readonly payments: ReadonlyArray<{ paymentId: string; amount: number; currency: string; status: string; method: string | null; updatedAt: string | null }>
  readonly refunds: ReadonlyArray<{ refundId: string; paymentId: string; amount: number; status: string; reason: string; at: string | null }>
  readonly tickets: ReadonlyArray<{ id: number; reason: string; detail: string | null; at: string | null }>
}

export const orderDetail = (orderId: string) =>
  Effect.gen(function*() {
    const order = yield* orderRow(orderId)
    if (Option.isNone(order)) return Option.none<OrderDetail>()
    const sql = yield* SqlClient.SqlClient
    const lines = yield* sql<{ line_no: number; sku_id: string; store_id: string; qty: number; unit_price: number; reservation_id: string }>`
      SELECT line_no, sku_id, store_id, qty, unit_price, reservation_id FROM order_lines WHERE order_id = ${orderId} ORDER BY line_no`
    const timeline = yield* sql<{ seq: number; status: string; reason: string | null; at: unknown }>`
      SELECT seq, status, reason, at FROM order_timeline WHERE order_id = ${orderId} ORDER BY seq`
    const steps = yield* sql<{ seq: number; step: string; detail: string | null; at: unknown }>`
      SELECT seq, step, detail, at FROM order_saga_steps WHERE order_id = ${orderId} ORDER BY seq`
    const payments = yield* sql<{ payment_id: string; amount: number; currency: string; status: string; method: string | null; updated_at: unknown }>`
      SELECT payment_id, amount, currency, status, method, updated_at FROM order_payments WHERE order_id = ${orderId} ORDER BY updated_at, payment_id`
    const refunds = yield* sql<{ refund_id: string; payment_id: string; amount: number; status: string; reason: string; at: unknown }>`
      SELECT refund_id, payment_id, amount, status, reason, at FROM order_refunds WHERE order_id = ${orderId} ORDER BY at, refund_id`
    const tickets = yield* sql<{ id: string | number; reason: string; detail: string | null; at: unknown }>`
      SELECT id, reason, detail, at FROM ops_tickets WHERE order_id = ${orderId} ORDER BY id`
    return Option.some<OrderDetail>({
      order: order.value,
      lines: lines.map((l) => ({
        lineNo: l.line_no,
        skuId: l.sku_id,
        storeId: l.store_id,
        qty: l.qty,
        unitPrice: l.unit_price,
        reservationId: l.reservation_id
      })),
      timeline: timeline.map((t) => ({ seq: t.seq, status: t.status, reason: t.reason, at: isoOf(t.at) })),
      sagaSteps: steps.map((s) => ({ seq: s.seq, step: s.step, detail: s.detail, at: isoOf(s.at) })),
      payments: payments.map((p) => ({
        paymentId: p.payment_id,
        amount: p.amount,
        currency: p.currency,
        status: p.status,
        method: p.method,
        updatedAt: isoOf(p.updated_at)
      })),
      refunds: refunds.map((r) => ({
        refundId: r.refund_id,
        paymentId: r.payment_id,
        amount: r.amount,
        status: r.status,
        reason: r.reason,
        at: isoOf(r.at)
      })),
      tickets: tickets.map((t) => ({ id: Number(t.id), reason: t.reason, detail: t.detail, at: isoOf(t.at) }))
    })
  })

/** An outbox row as stored, whether or not it decodes as a domain event. */
export interface OutboxRow {
  readonly seq: number
  readonly type: string
  readonly aggregateId: string
  readonly payload: unknown
  readonly at: string | null
}

type RawOutboxRow = { seq: string | number; type: string; aggregate_id: string; payload: unknown; at: unknown }

const outboxRow = (r: RawOutboxRow): OutboxRow => ({
  seq: Number(r.seq),
  type: r.type,
  aggregateId: r.aggregate_id,
  payload: jsonOf(r.payload),
  at: isoOf(r.at)
})

export const outboxAfter = (after: number, limit: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<RawOutboxRow>`
      SELECT seq, type, aggregate_id, payload, at FROM outbox WHERE seq > ${after} ORDER BY seq LIMIT ${limit}`
    return rows.map(outboxRow)
  })

/** One durable subscriber of the outbox and how far behind its end it is. */
export interface SubscriberLag {
  readonly subscriber: string
  readonly cursor: number
  readonly head: number
  readonly lag: number
  /** Commit time of the oldest event it has not handled yet. */
  readonly oldestPendingAt: string | null
}

export const subscriberLag = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ subscriber: string; seq: string | number; head: string | number; oldest: unknown }>`
    SELECT c.subscriber, c.seq, h.head,
           (SELECT o.at FROM outbox o WHERE o.seq > c.seq ORDER BY o.seq LIMIT 1) AS oldest
      FROM outbox_cursors c
     CROSS JOIN (SELECT coalesce(max(seq), 0) AS head FROM outbox) h
     ORDER BY c.subscriber`
  return rows.map((r): SubscriberLag => ({
    subscriber: r.subscriber,
    cursor: Number(r.seq),
    head: Number(r.head),
    lag: Math.max(0, Number(r.head) - Number(r.seq)),
    oldestPendingAt: isoOf(r.oldest)
  }))
})

/** An ops ticket with where its order stands now. */
export interface TicketRow {
  readonly id: number
  readonly orderId: string
  readonly reason: string
  readonly detail: string | null
  readonly at: string | null
  readonly orderStatus: string | null
}

export const tickets = (limit: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: string | number; order_id: string; reason: string; detail: string | null; at: unknown; status: string | null }>`
      SELECT t.id, t.order_id, t.reason, t.detail, t.at, o.status
        FROM ops_tickets t LEFT JOIN orders o ON o.id = t.order_id
       ORDER BY t.id DESC LIMIT ${limit}`
    return rows.map((r): TicketRow => ({
      id: Number(r.id),
      orderId: r.order_id,
      reason: r.reason,
      detail: r.detail,
      at: isoOf(r.at),
      orderStatus: r.status
    }))
  })

const decodeEvent = Schema.decodeUnknownEither(DomainEvent)

/**
 * Outbox rows among the latest `scan` that do not decode as a domain event: every
 * subscriber passes over such a row (logging it once), so it is never delivered.
 */
export const undeliverableEvents = (scan: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<RawOutboxRow>`
      SELECT seq, type, aggregate_id, payload, at FROM outbox ORDER BY seq DESC LIMIT ${scan}`
    return rows
      .map(outboxRow)
      .filter((r) => Either.isLeft(decodeEvent({ type: r.type, aggregateId: r.aggregateId, payload: r.payload })))
      .reverse()
  })
