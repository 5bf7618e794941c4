import type { SqlClient } from "@effect/sql"
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { eventually } from "./Drive.js"

/**
 * What must hold once every payment event of a checkout run has been delivered: no order is
 * left in a non-final state or holding stock, every store-SKU balances, and a capture is kept
 * only as the payment of a confirmed order (any other is refunded in full).
 */
export const checkoutInvariants = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    // Refunds of late captures happen as their webhooks arrive.
    yield* eventually(Effect.flatMap(
      sql<{ n: number }>`SELECT count(*)::int AS n FROM order_payments p JOIN orders o ON o.id = p.order_id
        WHERE p.status = 'captured' AND NOT (o.status = 'CONFIRMED' AND o.payment_id = p.payment_id)
        AND NOT EXISTS (SELECT 1 FROM order_refunds f WHERE f.payment_id = p.payment_id)`,
      ([row]) => Effect.sync(() => expect(row.n).toBe(0))
    ), 2000)

    // Every order ends; none is left holding stock.
    yield* eventually(Effect.flatMap(
      sql<{ n: number }>`SELECT count(*)::int AS n FROM orders WHERE status IN ('AWAITING_PAYMENT', 'PAID')`,
      ([row]) => Effect.sync(() => expect(row.n).toBe(0))
    ), 2000)
    // The order's status moves first, then its reservations are released or committed.
    yield* eventually(Effect.flatMap(
      sql<{ n: number }>`
      SELECT count(*)::int AS n FROM order_lines l JOIN orders o ON o.id = l.order_id
      JOIN stock_reservations r ON r.reservation_id = l.reservation_id AND r.store_id = l.store_id AND r.sku_id = l.sku_id
      WHERE (o.status <> 'CONFIRMED' AND r.status IN ('reserved', 'committed'))
         OR (o.status = 'CONFIRMED' AND r.status <> 'committed')`,
      ([row]) => Effect.sync(() => expect(row.n).toBe(0))
    ), 2000)
    // Conservation on every store-SKU: counters = ledger sums = reservations held.
    const unbalanced = yield* sql<{ store_id: string; sku_id: string }>`
      SELECT s.store_id, s.sku_id FROM store_skus s
      LEFT JOIN (SELECT store_id, sku_id, sum(on_hand_delta) AS oh, sum(reserved_delta) AS re, sum(allocated_delta) AS al
                 FROM stock_ledger GROUP BY store_id, sku_id) l USING (store_id, sku_id)
      LEFT JOIN (SELECT store_id, sku_id, sum(qty) FILTER (WHERE status = 'reserved') AS re,
                        sum(qty) FILTER (WHERE status = 'committed') AS al
                 FROM stock_reservations GROUP BY store_id, sku_id) r USING (store_id, sku_id)
      WHERE s.on_hand <> COALESCE(l.oh, 0) OR s.reserved <> COALESCE(l.re, 0) OR s.allocated <> COALESCE(l.al, 0)
         OR s.reserved <> COALESCE(r.re, 0) OR s.allocated <> COALESCE(r.al, 0)`
    expect(unbalanced).toEqual([])
    // Money: a capture is kept only as the payment of a confirmed order; any other is refunded in full.
    const kept = yield* sql<{ payment_id: string; refunded: number; amount: number; keep: boolean }>`
      SELECT p.payment_id, p.amount, COALESCE(sum(f.amount), 0)::int AS refunded,
             bool_or(o.status = 'CONFIRMED' AND o.payment_id = p.payment_id) AS keep
      FROM order_payments p JOIN orders o ON o.id = p.order_id
      LEFT JOIN order_refunds f ON f.payment_id = p.payment_id
      WHERE p.status IN ('captured', 'refunded')
      GROUP BY p.payment_id, p.amount`
    for (const p of kept) {
      expect(p.refunded, p.payment_id).toBe(p.keep ? 0 : p.amount)
    }
  })
