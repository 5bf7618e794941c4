import type { SqlClient } from "@effect/sql"
import type { CustomerId, OrderId, OrderStatus } from "@qc/domain/orders/Order"
import { PlacedOrder, PricingContext } from "@qc/domain/orders/Order"
import { OrderState } from "@qc/domain/orders/OrderEntity"
import { Fulfilment } from "@qc/domain/orders/Fulfilment"
import type { StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import type { Paise } from "@qc/domain/Money"
import { Effect, Option, Schema } from "effect"
import { dateTimeOf, epochMillis, JsonColumn } from "../platform/SqlValues.js"

const decodePlaced = Schema.decodeUnknownSync(JsonColumn(PlacedOrder))
const decodePricingContext = Schema.decodeUnknownSync(JsonColumn(PricingContext))
const decodeFulfilment = Schema.decodeUnknownSync(JsonColumn(Fulfilment))

/** An order as its entity keeps it: the state, plus what makes its commands idempotent. */
export interface OrderRecord {
  readonly state: OrderState
  /** Payment id → last status recorded. */
  readonly payments: ReadonlyMap<string, string>
  /** Refund id → last status recorded, with its payment and amount. */
  readonly refunds: ReadonlyMap<string, { readonly status: string; readonly paymentId: string; readonly amount: number }>
  /** Last saga step number written. */
  readonly stepSeq: number
  /** When the entity must act next (epoch ms), or null: the `due_at` of its row. */
  readonly dueAt: number | null
}

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
export const loadOrders = Effect.fn("OrderRepo.loadMany")(function*(sql: SqlClient.SqlClient, ids: ReadonlyArray<string>) {
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
    due_at: unknown
    fulfilment: unknown
  }>`SELECT id, customer_id, idempotency_key, request_hash, status, status_reason, total, currency, razorpay_order_id,
            payment_id, pincode, placed_at, placed_answer, due_at, fulfilment
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
    yield* sql<{ order_id: string; refund_id: string; status: string; payment_id: string; amount: number }>`
      SELECT order_id, refund_id, status, payment_id, amount FROM order_refunds WHERE order_id = ANY(${found}::text[])`
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
        pricingContext: decodePricingContext(l.pricing_context)
      })),
      total: o.total as Paise,
      currency: o.currency,
      razorpayOrderId: o.razorpay_order_id,
      paymentId: o.payment_id,
      placedAt: dateTimeOf(o.placed_at),
      timeline: (timeline.get(o.id) ?? []).map((t) => ({ status: t.status, at: dateTimeOf(t.at), reason: t.reason })),
      placed: decodePlaced(o.placed_answer),
      fulfilment: o.fulfilment === null ? null : decodeFulfilment(o.fulfilment)
    }),
    payments: new Map((payments.get(o.id) ?? []).map((p) => [p.payment_id, p.status])),
    refunds: new Map((refunds.get(o.id) ?? []).map((r) => [r.refund_id, { status: r.status, paymentId: r.payment_id, amount: r.amount }])),
    stepSeq: steps.get(o.id) ?? 0,
    dueAt: o.due_at === null ? null : epochMillis(o.due_at)
  }]))
  return ids.map((id) => Option.fromNullable(records.get(id)))
}, Effect.orDie)
