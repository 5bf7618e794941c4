import { SqlClient } from "@effect/sql"
import { AdminOrderView } from "@qc/domain/orders/Order"
import { Clock, Effect, Option } from "effect"
import { makeBatcher } from "../platform/Batcher.js"
import { DomainEvents } from "../platform/DomainEvents.js"
import { loadOrders } from "./OrderRecord.js"
import { dateTimeOf } from "../platform/SqlValues.js"
import type { OrderWrite } from "./OrderWrite.js"
import { writeOrders } from "./OrderWrite.js"

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
    const loadMany = (ids: ReadonlyArray<string>) => loadOrders(sql, ids)

    const load = yield* makeBatcher({ maxBatch: 256, workers: 2, run: loadMany })

    /**
     * Durable when it succeeds; dies (and wrote nothing) otherwise. A batch that fails is
     * split by the batcher, so a bad write (a conflict, a value Postgres refuses) fails alone.
     */
    const write = yield* makeBatcher({
      maxBatch: 256,
      workers: 3,
      run: (writes: ReadonlyArray<OrderWrite>) => Effect.as(writeOrders(sql, events, writes), writes.map(() => undefined))
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
            updatedAt: dateTimeOf(p.updated_at)
          })),
          refunds: refunds.map((r) => ({
            refundId: r.refund_id,
            paymentId: r.payment_id,
            amount: r.amount,
            status: r.status,
            reason: r.reason,
            at: dateTimeOf(r.at)
          })),
          sagaSteps: steps.map((s) => ({ step: s.step, detail: s.detail, at: dateTimeOf(s.at) })),
          fulfilment: order.value.state.fulfilment,
          opsTickets: tickets.map((t) => ({ reason: t.reason, detail: t.detail, at: dateTimeOf(t.at) }))
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

    /** Orders whose entity must act by `before` (a deadline, steps a crash interrupted), oldest first. */
    const due = (before: number, limit: number) =>
      sql<{ id: string }>`
        SELECT id FROM orders WHERE due_at IS NOT NULL AND due_at <= ${new Date(before)}
        ORDER BY due_at LIMIT ${limit}`.pipe(Effect.map((rows) => rows.map((r) => r.id)), Effect.orDie)

    return {
      load,
      write,
      adminView,
      listForCustomer,
      findByRazorpayOrderId,
      claimWebhookEvent,
      releaseWebhookEvent,
      due
    } as const
  })
}) {}
