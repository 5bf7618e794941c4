import { SqlClient } from "@effect/sql"
import type { OrderStatus } from "@qc/domain/orders/Order"
import type { StoreDashboard } from "@qc/domain/stores/StoreOps"
import { DateTime, Effect, Option, Schema } from "effect"
import { ActiveOrderRow, AlertRow, ExpiringBatchRow, LowStockRow, packingSlaBreached, RiderRow, StoreRow } from "./DashboardRows.js"
import { toSettings } from "./StoreRepo.js"

/** An order in one of these needs nothing more from its store. */
const finishedStatuses: ReadonlyArray<OrderStatus> = ["DELIVERED", "UNDELIVERABLE", "FAILED", "CANCELLED"]

/** Batches whose best-before falls before now + this are listed (already past ones first). */
const expiryHorizonMs = 48 * 3_600_000

/** Rows of the page's stock lists; the manager acts on the top of each. */
const listLimit = 50

/**
 * A store's active orders on its page: a dark store has a few dozen at its busiest, so this
 * only guards the page against a queue that is stuck.
 */
const activeOrderLimit = 500

const decode = <A, I>(row: Schema.Schema<A, I>) => Schema.decodeUnknown(Schema.Array(row))

/**
 * The store manager's dashboard as one read model, six queries per call whatever the store's
 * size. Reads the rows the Store, Order, StoreSku and rider entities write; writes nothing.
 */
export class DashboardRepo extends Effect.Service<DashboardRepo>()("DashboardRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const dashboard = Effect.fn("DashboardRepo.dashboard")(function*(storeId: string, nowMs: number, packingSlaSeconds: number) {
      const [store] = yield* Effect.flatMap(
        sql`SELECT id, name, region, pincodes, lat, lng, hours, accepting FROM stores WHERE id = ${storeId}`,
        decode(StoreRow)
      )
      if (store === undefined) return Option.none<StoreDashboard>()
      const finished = finishedStatuses as Array<string>

      // A cancelled pick task is no work for this store, even while its order winds down.
      const orders = yield* Effect.flatMap(
        sql`
          SELECT p.order_id, o.status, p.status AS task_status, p.lines, p.placed_at, p.sla_due_at, p.breached_at,
                 p.picker_id, s.name AS picker_name, a.rider_id, r.name AS rider_name
          FROM pick_tasks p
          JOIN orders o ON o.id = p.order_id
          LEFT JOIN store_staff s ON s.id = p.picker_id
          LEFT JOIN rider_assignments a ON a.order_id = p.order_id AND a.released_at IS NULL
          LEFT JOIN riders r ON r.id = a.rider_id
          WHERE p.store_id = ${storeId} AND p.status <> 'cancelled' AND o.status <> ALL(${finished}::text[])
          ORDER BY p.placed_at, p.order_id
          LIMIT ${activeOrderLimit}`,
        decode(ActiveOrderRow)
      )

      const alerts = yield* Effect.flatMap(
        sql`
          SELECT p.order_id, p.breached_at
          FROM pick_tasks p JOIN orders o ON o.id = p.order_id
          WHERE p.store_id = ${storeId} AND p.breached_at IS NOT NULL AND p.status <> 'cancelled'
            AND o.status <> ALL(${finished}::text[])
          ORDER BY p.breached_at DESC, p.order_id
          LIMIT ${activeOrderLimit}`,
        decode(AlertRow)
      )

      const riders = yield* Effect.flatMap(
        sql`
          SELECT r.id, r.name, r.online, r.lat, r.lng,
                 coalesce(array_agg(a.order_id ORDER BY a.assigned_at, a.order_id) FILTER (WHERE a.order_id IS NOT NULL), '{}') AS order_ids
          FROM riders r
          LEFT JOIN rider_assignments a ON a.rider_id = r.id AND a.released_at IS NULL
          WHERE r.home_store_id = ${storeId}
          GROUP BY r.id, r.name, r.online, r.lat, r.lng
          ORDER BY r.name, r.id`,
        decode(RiderRow)
      )

      const lowStock = yield* Effect.flatMap(
        sql`
          SELECT ss.sku_id, k.name, (ss.on_hand - ss.reserved - ss.allocated)::int AS available, ss.reorder_threshold
          FROM store_skus ss JOIN skus k ON k.id = ss.sku_id
          WHERE ss.store_id = ${storeId} AND ss.on_hand - ss.reserved - ss.allocated < ss.reorder_threshold
          ORDER BY available, ss.sku_id
          LIMIT ${listLimit}`,
        decode(LowStockRow)
      )

      const expiring = yield* Effect.flatMap(
        sql`
          SELECT b.sku_id, k.name, b.lot, b.qty, b.best_before
          FROM stock_batches b JOIN skus k ON k.id = b.sku_id
          WHERE b.store_id = ${storeId} AND b.qty > 0 AND b.best_before < ${new Date(nowMs + expiryHorizonMs)}::timestamptz
          ORDER BY b.best_before, b.sku_id, b.lot
          LIMIT ${listLimit}`,
        decode(ExpiringBatchRow)
      )

      return Option.some<StoreDashboard>({
        store: toSettings(store, nowMs),
        now: DateTime.unsafeMake(nowMs),
        packingSlaSeconds,
        orders: orders.map((o) => ({
          orderId: o.order_id,
          status: o.status,
          placedAt: o.placed_at,
          slaDueAt: DateTime.unsafeMake(o.sla_due_at),
          slaBreached: packingSlaBreached({ taskStatus: o.task_status, slaDueAt: o.sla_due_at, breachedAt: o.breached_at }, nowMs),
          picker: o.picker_id === null ? null : { id: o.picker_id, name: o.picker_name ?? o.picker_id },
          rider: o.rider_id === null ? null : { id: o.rider_id, name: o.rider_name ?? o.rider_id },
          units: o.lines.reduce((sum, line) => sum + line.qty, 0),
          picked: o.lines.reduce((sum, line) => sum + line.picked, 0)
        })),
        alerts: alerts.map((a) => ({ orderId: a.order_id, kind: "sla_breached" as const, at: a.breached_at })),
        riders: riders.map((r) => ({ id: r.id, name: r.name, online: r.online, lat: r.lat, lng: r.lng, activeOrderIds: r.order_ids })),
        lowStock: lowStock.map((s) => ({ skuId: s.sku_id, name: s.name, available: s.available, reorderThreshold: s.reorder_threshold })),
        expiringBatches: expiring.map((b) => ({ skuId: b.sku_id, name: b.name, lot: b.lot, qty: b.qty, bestBefore: b.best_before }))
      })
    }, Effect.orDie)

    return { dashboard } as const
  })
}) {}
