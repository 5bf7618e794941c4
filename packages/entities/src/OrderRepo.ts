import { SqlClient } from "@effect/sql"
import type { CustomerId, OrderId, OrderLine, OrderStatus, PlacedOrder } from "@qc/domain/Order"
import { AdminOrderView, OrderView } from "@qc/domain/Order"
import { Clock, DateTime, Effect, Option } from "effect"
import type { NewEvent } from "./DomainEvents.js"
import { DomainEvents } from "./DomainEvents.js"

const toDateTime = (value: unknown) => DateTime.unsafeMake(value instanceof Date ? value : new Date(String(value)))
const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value)

export interface StoredLine extends OrderLine {
  readonly lineNo: number
  readonly reservationId: string
}

export interface OrderRow {
  readonly id: OrderId
  readonly customerId: CustomerId
  readonly status: OrderStatus
  readonly total: number
  readonly currency: string
  readonly razorpayOrderId: string
  /** The captured payment the order was confirmed with. */
  readonly paymentId: string | null
  readonly lines: ReadonlyArray<StoredLine>
}

/** SQL for orders; every status change writes the timeline, a saga step and its domain event together. */
export class OrderRepo extends Effect.Service<OrderRepo>()("OrderRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents
    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

    const findByKey = (customerId: string, idempotencyKey: string) =>
      sql<{ id: OrderId; request_hash: string; placed_answer: unknown }>`
        SELECT id, request_hash, placed_answer FROM orders
        WHERE customer_id = ${customerId} AND idempotency_key = ${idempotencyKey}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]).pipe(Option.map((r) => ({ ...r, placedAnswer: json(r.placed_answer) })))),
        Effect.orDie
      )

    /** Stores a placed order; false if the same customer and key won a race to it. */
    const insertPlaced = Effect.fn("OrderRepo.insertPlaced")(function*(input: {
      readonly customerId: string
      readonly idempotencyKey: string
      readonly requestHash: string
      readonly pincode: string
      readonly answer: PlacedOrder
      readonly answerJson: unknown
      readonly lines: ReadonlyArray<StoredLine>
    }) {
      const at = yield* now
      const { answer } = input
      const inserted = yield* sql`INSERT INTO orders ${
        sql.insert({
          id: answer.orderId,
          customer_id: input.customerId,
          idempotency_key: input.idempotencyKey,
          request_hash: input.requestHash,
          pincode: input.pincode,
          status: answer.status,
          status_reason: null,
          total: answer.total,
          currency: "INR",
          razorpay_order_id: answer.payment.razorpayOrderId,
          placed_answer: JSON.stringify(input.answerJson),
          placed_at: at,
          updated_at: at
        })
      } ON CONFLICT DO NOTHING RETURNING id`
      if (inserted.length === 0) return false
      yield* sql`INSERT INTO order_lines ${
        sql.insert(input.lines.map((l) => ({
          order_id: answer.orderId,
          line_no: l.lineNo,
          sku_id: l.skuId,
          store_id: l.storeId,
          qty: l.qty,
          unit_price: l.unitPrice,
          pricing_context: JSON.stringify(l.pricingContext),
          reservation_id: l.reservationId
        })))
      }`
      yield* sql`INSERT INTO order_timeline ${sql.insert({ order_id: answer.orderId, seq: 1, status: answer.status, reason: null, at })}`
      yield* step(answer.orderId, "placed", `reserved ${input.lines.length} line(s); razorpay ${answer.payment.razorpayOrderId}`)
      yield* events.publish([{
        type: "order.placed",
        aggregateId: answer.orderId,
        payload: { orderId: answer.orderId, customerId: input.customerId, total: answer.total }
      }])
      return true
    }, (effect) => sql.withTransaction(effect), Effect.orDie)

    const step = (orderId: string, name: string, detail: string | null) =>
      Effect.flatMap(now, (at) =>
        sql`INSERT INTO order_saga_steps (order_id, seq, step, detail, at)
          SELECT ${orderId}, COALESCE(max(seq), 0) + 1, ${name}, ${detail}, ${at} FROM order_saga_steps WHERE order_id = ${orderId}`)

    const load = (orderId: string) =>
      Effect.gen(function*() {
        const [o] = yield* sql<{
          id: OrderId
          customer_id: CustomerId
          status: OrderStatus
          status_reason: string | null
          total: number
          currency: string
          razorpay_order_id: string
          payment_id: string | null
          pincode: string
          placed_at: unknown
        }>`SELECT id, customer_id, status, status_reason, total, currency, razorpay_order_id, payment_id, pincode, placed_at
           FROM orders WHERE id = ${orderId}`
        if (o === undefined) return Option.none()
        const lines = yield* sql<{
          line_no: number
          sku_id: string
          store_id: string
          qty: number
          unit_price: number
          pricing_context: unknown
          reservation_id: string
        }>`SELECT line_no, sku_id, store_id, qty, unit_price, pricing_context, reservation_id FROM order_lines
           WHERE order_id = ${orderId} ORDER BY line_no`
        return Option.some({
          row: o,
          lines: lines.map((l) => ({
            lineNo: l.line_no,
            reservationId: l.reservation_id,
            skuId: l.sku_id,
            storeId: l.store_id,
            qty: l.qty,
            unitPrice: l.unit_price,
            pricingContext: json(l.pricing_context)
          }) as StoredLine)
        })
      })

    const get = Effect.fn("OrderRepo.get")(function*(orderId: string) {
      return Option.map(yield* load(orderId), ({ lines, row }): OrderRow => ({
        id: row.id,
        customerId: row.customer_id,
        status: row.status,
        total: row.total,
        currency: row.currency,
        razorpayOrderId: row.razorpay_order_id,
        paymentId: row.payment_id,
        lines
      }))
    }, Effect.orDie)

    const view = Effect.fn("OrderRepo.view")(function*(orderId: string) {
      const loaded = yield* load(orderId)
      if (Option.isNone(loaded)) return Option.none()
      const { lines, row } = loaded.value
      const timeline = yield* sql<{ status: string; at: unknown; reason: string | null }>`
        SELECT status, at, reason FROM order_timeline WHERE order_id = ${orderId} ORDER BY seq`
      return Option.some(
        new OrderView({
          orderId: row.id,
          customerId: row.customer_id,
          status: row.status,
          statusReason: row.status_reason,
          pincode: row.pincode,
          lines: lines.map(({ lineNo: _, reservationId: __, ...line }) => line),
          total: row.total as OrderView["total"],
          razorpayOrderId: row.razorpay_order_id,
          placedAt: toDateTime(row.placed_at),
          timeline: timeline.map((t) => ({ status: t.status, at: toDateTime(t.at), reason: t.reason }))
        })
      )
    }, Effect.orDie)

    const adminView = Effect.fn("OrderRepo.adminView")(function*(orderId: string) {
      const order = yield* view(orderId)
      if (Option.isNone(order)) return Option.none()
      const payments = yield* sql<{ payment_id: string; amount: number; currency: string; status: string; method: string | null; updated_at: unknown }>`
        SELECT payment_id, amount, currency, status, method, updated_at FROM order_payments WHERE order_id = ${orderId} ORDER BY updated_at`
      const refunds = yield* sql<{ refund_id: string; payment_id: string; amount: number; status: string; reason: string; at: unknown }>`
        SELECT refund_id, payment_id, amount, status, reason, at FROM order_refunds WHERE order_id = ${orderId} ORDER BY at`
      const steps = yield* sql<{ step: string; detail: string | null; at: unknown }>`
        SELECT step, detail, at FROM order_saga_steps WHERE order_id = ${orderId} ORDER BY seq`
      const tickets = yield* sql<{ reason: string; detail: string | null; at: unknown }>`
        SELECT reason, detail, at FROM ops_tickets WHERE order_id = ${orderId} ORDER BY id`
      return Option.some(
        new AdminOrderView({
          order: order.value,
          payments: payments.map((p) => ({
            paymentId: p.payment_id,
            amount: p.amount,
            currency: p.currency,
            status: p.status,
            method: p.method,
            updatedAt: toDateTime(p.updated_at)
          })),
          refunds: refunds.map((r) => ({
            refundId: r.refund_id,
            paymentId: r.payment_id,
            amount: r.amount,
            status: r.status,
            reason: r.reason,
            at: toDateTime(r.at)
          })),
          sagaSteps: steps.map((s) => ({ step: s.step, detail: s.detail, at: toDateTime(s.at) })),
          opsTickets: tickets.map((t) => ({ reason: t.reason, detail: t.detail, at: toDateTime(t.at) }))
        })
      )
    }, Effect.orDie)

    /** Newest first; the cursor is the last order id of the previous page. */
    const listForCustomer = Effect.fn("OrderRepo.listForCustomer")(function*(
      customerId: string,
      cursor: string | undefined,
      limit: number
    ) {
      const ids = yield* sql<{ id: string }>`
        SELECT id FROM orders WHERE customer_id = ${customerId}
        ${
        cursor === undefined ? sql`` : sql`AND (placed_at, id) < (SELECT placed_at, id FROM orders WHERE id = ${cursor})`
      }
        ORDER BY placed_at DESC, id DESC LIMIT ${limit + 1}`
      const page = ids.slice(0, limit)
      const items = yield* Effect.forEach(page, (r) => view(r.id))
      return {
        items: items.flatMap(Option.toArray),
        nextCursor: ids.length > limit ? page[page.length - 1].id : null
      }
    }, Effect.orDie)

    /**
     * Moves the order to `status` if it is still in one of `from`; answers whether it moved.
     * The timeline, a saga step and the domain events are written in the same transaction.
     */
    const transition = Effect.fn("OrderRepo.transition")(function*(input: {
      readonly orderId: string
      readonly from: ReadonlyArray<OrderStatus>
      readonly to: OrderStatus
      readonly reason: string | null
      readonly paymentId?: string
      readonly events: ReadonlyArray<NewEvent>
    }) {
      const at = yield* now
      const moved = yield* sql`UPDATE orders SET status = ${input.to}, status_reason = ${input.reason}, updated_at = ${at},
          payment_id = COALESCE(${input.paymentId ?? null}, payment_id)
        WHERE id = ${input.orderId} AND ${sql.in("status", input.from)} RETURNING id`
      if (moved.length === 0) return false
      yield* sql`INSERT INTO order_timeline (order_id, seq, status, reason, at)
        SELECT ${input.orderId}, COALESCE(max(seq), 0) + 1, ${input.to}, ${input.reason}, ${at}
        FROM order_timeline WHERE order_id = ${input.orderId}`
      yield* step(input.orderId, `status ${input.to}`, input.reason)
      yield* events.publish(input.events)
      return true
    }, (effect) => sql.withTransaction(effect), Effect.orDie)

    const addStep = (orderId: string, name: string, detail: string | null) => Effect.orDie(step(orderId, name, detail))

    const recordPayment = Effect.fn("OrderRepo.recordPayment")(function*(orderId: string, p: {
      readonly id: string
      readonly amount: number
      readonly currency: string
      readonly status: string
      readonly method: string
    }) {
      const at = yield* now
      // A late "authorized" must not overwrite "captured" (webhooks arrive in any order).
      yield* sql`INSERT INTO order_payments ${
        sql.insert({ payment_id: p.id, order_id: orderId, amount: p.amount, currency: p.currency, status: p.status, method: p.method, updated_at: at })
      } ON CONFLICT (payment_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
        WHERE order_payments.status NOT IN ('captured', 'refunded', 'failed') OR EXCLUDED.status = 'refunded'`
    }, Effect.orDie)

    const recordRefund = Effect.fn("OrderRepo.recordRefund")(function*(orderId: string, r: {
      readonly id: string
      readonly paymentId: string
      readonly amount: number
      readonly status: string
      readonly reason: string
    }) {
      const at = yield* now
      const inserted = yield* sql`INSERT INTO order_refunds ${
        sql.insert({ refund_id: r.id, order_id: orderId, payment_id: r.paymentId, amount: r.amount, status: r.status, reason: r.reason, at })
      } ON CONFLICT (refund_id) DO UPDATE SET status = EXCLUDED.status RETURNING (xmax = 0) AS fresh`
      if (inserted[0]?.fresh) {
        yield* events.publish([{
          type: "payment.refunded",
          aggregateId: orderId,
          payload: { orderId, paymentId: r.paymentId, refundId: r.id, amount: r.amount, reason: r.reason }
        }])
      }
    }, (effect) => sql.withTransaction(effect), Effect.orDie)

    const openTicket = Effect.fn("OrderRepo.openTicket")(function*(orderId: string, reason: string, detail: string) {
      const at = yield* now
      yield* sql`INSERT INTO ops_tickets ${sql.insert({ order_id: orderId, reason, detail, at })}`
    }, Effect.orDie)

    const findByRazorpayOrderId = (razorpayOrderId: string) =>
      sql<{ id: string }>`SELECT id FROM orders WHERE razorpay_order_id = ${razorpayOrderId}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]?.id)),
        Effect.orDie
      )

    /**
     * Orders still awaiting payment although a decisive payment event was recorded
     * `graceMs` ago, or placed longer than `deadlineMs` ago: the saga should have settled them.
     */
    const overdue = (now: number, graceMs: number, deadlineMs: number) =>
      sql<{ id: string; payment_id: string | null; status: string | null; amount: number | null; currency: string | null; method: string | null }>`
        SELECT o.id, p.payment_id, p.status, p.amount, p.currency, p.method
        FROM orders o
        LEFT JOIN LATERAL (
          SELECT payment_id, status, amount, currency, method FROM order_payments
          WHERE order_id = o.id AND status IN ('captured', 'failed') AND updated_at < ${new Date(now - graceMs)}
          ORDER BY (status = 'captured') DESC, updated_at LIMIT 1
        ) p ON true
        WHERE o.status = 'AWAITING_PAYMENT' AND (p.payment_id IS NOT NULL OR o.placed_at < ${new Date(now - deadlineMs)})
        LIMIT 200`.pipe(Effect.orDie)

    /** Lets Razorpay's retry act on an event whose handling failed half-way. */
    const releaseWebhookEvent = (eventId: string) =>
      Effect.orDie(sql`DELETE FROM webhook_events WHERE event_id = ${eventId}`)

    /** True the first time an event id is seen (Razorpay delivers at least once). */
    const claimWebhookEvent = (eventId: string, event: string) =>
      Effect.flatMap(now, (at) =>
        sql`INSERT INTO webhook_events ${sql.insert({ event_id: eventId, event, received_at: at })}
          ON CONFLICT DO NOTHING RETURNING event_id`).pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    return {
      findByKey,
      insertPlaced,
      get,
      view,
      adminView,
      listForCustomer,
      transition,
      addStep,
      recordPayment,
      recordRefund,
      openTicket,
      findByRazorpayOrderId,
      claimWebhookEvent,
      releaseWebhookEvent,
      overdue
    } as const
  })
}) {}
