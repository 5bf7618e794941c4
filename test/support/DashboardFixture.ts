import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Rows the fulfilment core writes (staff, pick tasks, riders and their assignments), inserted
 * straight into a seeded database: what the store manager's dashboard reads, before the
 * entities that write them exist on this branch.
 */
export interface FixtureOrder {
  readonly orderId: string
  readonly storeId: string
  /** The order's own status (`orders.status`). */
  readonly status: string
  readonly taskStatus: "queued" | "picking" | "packed" | "cancelled"
  readonly placedAt: number
  readonly slaDueAt: number
  readonly breachedAt?: number | null
  readonly pickerId?: string | null
  readonly lines: ReadonlyArray<{ readonly skuId: string; readonly qty: number }>
  readonly customerId?: string
}

export const insertStaff = (rows: ReadonlyArray<{ id: string; storeId: string; role: "picker" | "store_manager"; name: string }>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO store_staff ${sql.insert(rows.map((r) => ({ id: r.id, store_id: r.storeId, role: r.role, name: r.name, on_shift: true })))}
      ON CONFLICT (id) DO NOTHING`).pipe(Effect.orDie)

/** An order row (enough for the joins) and its pick task at its store. */
export const insertOrder = (o: FixtureOrder) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const placedAt = new Date(o.placedAt)
    yield* sql`INSERT INTO orders ${sql.insert({
      id: o.orderId,
      customer_id: o.customerId ?? "cust-demo-1",
      idempotency_key: `fixture-${o.orderId}`,
      request_hash: "fixture",
      pincode: "411045",
      status: o.status,
      total: 0,
      currency: "INR",
      razorpay_order_id: `order_fixture_${o.orderId}`,
      placed_answer: JSON.stringify({}),
      placed_at: placedAt,
      updated_at: placedAt
    })}`
    yield* insertPickTask(o)
  }).pipe(Effect.orDie)

/** A pick task for an order that already has its row (one placed over HTTP, say). */
export const insertPickTask = (o: FixtureOrder) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO pick_tasks ${sql.insert({
      order_id: o.orderId,
      store_id: o.storeId,
      status: o.taskStatus,
      picker_id: o.pickerId ?? null,
      lines: JSON.stringify(o.lines.map((l, i) => ({ lineNo: i + 1, skuId: l.skuId, qty: l.qty }))),
      placed_at: new Date(o.placedAt),
      confirmed_at: new Date(o.placedAt),
      sla_due_at: new Date(o.slaDueAt),
      breached_at: o.breachedAt == null ? null : new Date(o.breachedAt),
      updated_at: new Date(o.placedAt)
    })}`).pipe(Effect.orDie)

export const insertRider = (r: { id: string; name: string; homeStoreId: string; online: boolean; lat: number; lng: number }) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO riders ${sql.insert({
      id: r.id,
      name: r.name,
      phone: "+919800009999",
      home_store_id: r.homeStoreId,
      region: "pune-west",
      online: r.online,
      lat: r.lat,
      lng: r.lng,
      updated_at: new Date(0)
    })}`).pipe(Effect.orDie)

export const assignRider = (a: { orderId: string; riderId: string; storeId: string; at: number; releasedAt?: number }) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO rider_assignments ${sql.insert({
      order_id: a.orderId,
      rider_id: a.riderId,
      store_id: a.storeId,
      assigned_at: new Date(a.at),
      eta_at: new Date(a.at + 15 * 60_000),
      distance_km: 2.4,
      released_at: a.releasedAt === undefined ? null : new Date(a.releasedAt)
    })}`).pipe(Effect.orDie)
