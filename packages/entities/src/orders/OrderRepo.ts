import { SqlClient } from "@effect/sql"
import type { CustomerId, OrderId, OrderStatus } from "@qc/domain/orders/Order"
import { AdminOrderView, PlacedOrder } from "@qc/domain/orders/Order"
import { OrderState } from "@qc/domain/orders/OrderEntity"
import type { OrderCommandEvent, StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import type { Paise } from "@qc/domain/Money"
import { Clock, DateTime, Effect, Option, Schema } from "effect"
import { makeBatcher } from "../platform/Batcher.js"
import { DomainEvents } from "../platform/DomainEvents.js"

const toDateTime = (value: unknown) => DateTime.unsafeMake(value instanceof Date ? value : new Date(String(value)))
const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value)
const decodePlaced = Schema.decodeUnknownSync(PlacedOrder)
const encodePlaced = Schema.encodeSync(PlacedOrder)

/** An order as its entity keeps it: the state, plus what makes its commands idempotent. */
export interface OrderRecord {
  readonly state: OrderState
  /** Payment id → last status recorded. */
  readonly payments: ReadonlyMap<string, string>
  /** Refund id → last status recorded. */
  readonly refunds: ReadonlyMap<string, string>
  /** Last saga step number written. */
  readonly stepSeq: number
}

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
  readonly events?: ReadonlyArray<OrderCommandEvent>
}

/** Another writer changed the order under its entity (two owners during a shard move). */
export class OrderWriteConflict extends Error {
  constructor(readonly orderIds: ReadonlyArray<string>) {
    super(`order(s) ${orderIds.join(", ")} changed under their entity; the write was rolled back`)
  }
}

/**
 * SQL for orders. The Order entity is their only writer: `write` commits the rows of
 * one command, and commands of many orders that arrive together share a transaction
 * (group commit). `load` reads orders for entities that wake up, also in batches.
 * Reads beyond one order (lists, the admin view, the sweeper) come straight from here.
 */
export class OrderRepo extends Effect.Service<OrderRepo>()("OrderRepo", {
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents

    const byOrder = <R extends { readonly order_id: string }>(rows: ReadonlyArray<R>) => {
      const by = new Map<string, Array<R>>()
      for (const r of rows) {
        const list = by.get(r.order_id)
        if (list === undefined) by.set(r.order_id, [r])
        else list.push(r)
      }
      return by
    }

    /** Whole orders in six queries whatever their number; answers in id order. */
    const loadMany = Effect.fn("OrderRepo.loadMany")(function*(ids: ReadonlyArray<string>) {
      const orders = yield* sql<{
        id: OrderId
        customer_id: CustomerId
        idempotency_key: string
        request_hash: string
        status: OrderStatus
        status_reason: string | null
        total: number
        currency: string
        razorpay_order_id: string
        payment_id: string | null
        pincode: string
        placed_at: unknown
        placed_answer: unknown
      }>`SELECT id, customer_id, idempotency_key, request_hash, status, status_reason, total, currency, razorpay_order_id,
                payment_id, pincode, placed_at, placed_answer
         FROM orders WHERE id = ANY(${ids as Array<string>}::text[])`
      const found = orders.map((o) => o.id as string)
      if (found.length === 0) return ids.map(() => Option.none<OrderRecord>())
      const lines = byOrder(
        yield* sql<{
          order_id: string
          line_no: number
          sku_id: string
          store_id: string
          qty: number
          unit_price: number
          pricing_context: unknown
          reservation_id: string
        }>`SELECT order_id, line_no, sku_id, store_id, qty, unit_price, pricing_context, reservation_id FROM order_lines
           WHERE order_id = ANY(${found}::text[]) ORDER BY order_id, line_no`
      )
      const timeline = byOrder(
        yield* sql<{ order_id: string; status: string; at: unknown; reason: string | null }>`
          SELECT order_id, status, at, reason FROM order_timeline WHERE order_id = ANY(${found}::text[]) ORDER BY order_id, seq`
      )
      const payments = byOrder(
        yield* sql<{ order_id: string; payment_id: string; status: string }>`
          SELECT order_id, payment_id, status FROM order_payments WHERE order_id = ANY(${found}::text[])`
      )
      const refunds = byOrder(
        yield* sql<{ order_id: string; refund_id: string; status: string }>`
          SELECT order_id, refund_id, status FROM order_refunds WHERE order_id = ANY(${found}::text[])`
      )
      const steps = new Map(
        (yield* sql<{ order_id: string; seq: number }>`
          SELECT order_id, max(seq)::int AS seq FROM order_saga_steps WHERE order_id = ANY(${found}::text[]) GROUP BY order_id`)
          .map((r) => [r.order_id, r.seq])
      )
      const records = new Map(orders.map((o): [string, OrderRecord] => [o.id, {
        state: new OrderState({
          orderId: o.id,
          customerId: o.customer_id,
          idempotencyKey: o.idempotency_key,
          requestHash: o.request_hash,
          status: o.status,
          statusReason: o.status_reason,
          pincode: o.pincode,
          lines: (lines.get(o.id) ?? []).map((l): StoredOrderLine => ({
            lineNo: l.line_no,
            reservationId: l.reservation_id,
            skuId: l.sku_id as StoredOrderLine["skuId"],
            storeId: l.store_id as StoredOrderLine["storeId"],
            qty: l.qty,
            unitPrice: l.unit_price as Paise,
            pricingContext: json(l.pricing_context)
          })),
          total: o.total as Paise,
          currency: o.currency,
          razorpayOrderId: o.razorpay_order_id,
          paymentId: o.payment_id,
          placedAt: toDateTime(o.placed_at),
          timeline: (timeline.get(o.id) ?? []).map((t) => ({ status: t.status, at: toDateTime(t.at), reason: t.reason })),
          placed: decodePlaced(json(o.placed_answer))
        }),
        payments: new Map((payments.get(o.id) ?? []).map((p) => [p.payment_id, p.status])),
        refunds: new Map((refunds.get(o.id) ?? []).map((r) => [r.refund_id, r.status])),
        stepSeq: steps.get(o.id) ?? 0
      }]))
      return ids.map((id) => Option.fromNullable(records.get(id)))
    }, Effect.orDie)

    /** The rows of many commands (of different orders) in one transaction. */
    const writeMany = (writes: ReadonlyArray<OrderWrite>) =>
      Effect.gen(function*() {
        const atOf = (w: OrderWrite) => new Date(w.at)
        const inserts = writes.flatMap((w) => (w.insert ? [w.insert] : []))
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
              updated_at: DateTime.toDate(o.placedAt)
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
            return yield* Effect.die(new OrderWriteConflict(moves.filter((m) => !done.has(m.orderId)).map((m) => m.orderId)))
          }
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

    const load = yield* makeBatcher({ maxBatch: 256, workers: 2, run: loadMany })

    /**
     * Durable when it succeeds; dies (and wrote nothing) otherwise. A batch that fails is
     * split by the batcher, so a bad write (a conflict, a value Postgres refuses) fails alone.
     */
    const write = yield* makeBatcher({
      maxBatch: 256,
      workers: 3,
      run: (writes: ReadonlyArray<OrderWrite>) => Effect.as(writeMany(writes), writes.map(() => undefined))
    })

    /** Our order for a Razorpay order id; concurrent lookups share one query. */
    const findByRazorpayOrderId = yield* makeBatcher({
      maxBatch: 256,
      workers: 2,
      run: (razorpayOrderIds: ReadonlyArray<string>) =>
        sql<{ id: string; razorpay_order_id: string }>`
          SELECT id, razorpay_order_id FROM orders WHERE razorpay_order_id = ANY(${razorpayOrderIds as Array<string>}::text[])`.pipe(
          Effect.map((rows) => {
            const by = new Map(rows.map((r) => [r.razorpay_order_id, r.id]))
            return razorpayOrderIds.map((id) => Option.fromNullable(by.get(id)))
          }),
          Effect.orDie
        )
    })

    const claimBatch = yield* makeBatcher({
      maxBatch: 256,
      workers: 2,
      run: (claims: ReadonlyArray<{ readonly eventId: string; readonly event: string }>) =>
        Effect.gen(function*() {
          const at = new Date(yield* Clock.currentTimeMillis)
          const inserted = yield* sql<{ event_id: string }>`
            INSERT INTO webhook_events (event_id, event, received_at)
            SELECT e, n, ${at}::timestamptz FROM unnest(${claims.map((c) => c.eventId)}::text[], ${claims.map((c) => c.event)}::text[]) AS v(e, n)
            ON CONFLICT DO NOTHING RETURNING event_id`
          // The same id twice in one batch (a duplicate delivery): only the first one claims it.
          const fresh = new Set(inserted.map((r) => r.event_id))
          return claims.map((c) => fresh.delete(c.eventId))
        }).pipe(Effect.orDie)
    })

    /** True the first time an event id is seen (Razorpay delivers at least once). */
    const claimWebhookEvent = (eventId: string, event: string) => claimBatch({ eventId, event })

    /** Lets Razorpay's retry act on an event whose handling failed half-way. */
    const releaseWebhookEvent = (eventId: string) => Effect.orDie(sql`DELETE FROM webhook_events WHERE event_id = ${eventId}`)

    const adminView = Effect.fn("OrderRepo.adminView")(function*(orderId: string) {
      const [order] = yield* loadMany([orderId])
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
          order: order.value.state.view,
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
      const items = yield* loadMany(page.map((r) => r.id))
      return {
        items: items.flatMap((o) => (Option.isSome(o) ? [o.value.state.view] : [])),
        nextCursor: ids.length > limit ? page[page.length - 1].id : null
      }
    }, Effect.orDie)

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

    return {
      load,
      write,
      adminView,
      listForCustomer,
      findByRazorpayOrderId,
      claimWebhookEvent,
      releaseWebhookEvent,
      overdue
    } as const
  })
}) {}
