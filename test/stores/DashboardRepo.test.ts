import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { seedDemoCatalogue } from "@qc/entities/demo/Seed"
import * as Migrations from "@qc/entities/platform/Migrations"
import { DashboardRepo } from "@qc/entities/stores/DashboardRepo"
import { DateTime, Effect, Layer, Option } from "effect"
import { assignRider, insertOrder, insertRider, insertStaff } from "../support/DashboardFixture.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const MIN = 60_000
const HOUR = 60 * MIN
const baner = "pune-baner"
const aundh = "pune-aundh"
/** The seed runs at TestClock 0 (05:30 IST); "now" for the dashboard is two hours later. */
const now = 2 * HOUR
const iso = (ms: number) => new Date(ms).toISOString()
/** An order id of the real shape (`ord_` and 20 letters or digits) that still reads as its role. */
const oid = (name: string) => `ord_${name.replaceAll("-", "").padEnd(20, "0")}`

const Database = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => db.layer))
const Seeded = Layer.effectDiscard(Effect.zipRight(Effect.orDie(Migrations.run), seedDemoCatalogue({ skuCount: 100 })))
const RepoLive = DashboardRepo.Default.pipe(Layer.provideMerge(Seeded), Layer.provideMerge(Database))

/** Two SKUs the store carries. */
const skusOf = (storeId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ sku_id: string }>`SELECT sku_id FROM store_skus WHERE store_id = ${storeId} ORDER BY sku_id LIMIT 2`).pipe(
    Effect.map((rows) => rows.map((r) => r.sku_id)),
    Effect.orDie
  )

const dashboardOf = (storeId: string, at = now) =>
  Effect.flatMap(DashboardRepo, (repo) => repo.dashboard(storeId, at, 480)).pipe(
    Effect.map(Option.getOrThrowWith(() => new Error(`no dashboard for ${storeId}`)))
  )

describe("DashboardRepo", () => {
  layer(RepoLive, { timeout: "120 seconds" })((it) => {
    it.effect("answers None for a store that does not exist", () =>
      Effect.gen(function*() {
        const repo = yield* DashboardRepo
        expect(Option.isNone(yield* repo.dashboard("pune-nowhere", now, 480))).toBe(true)
      }))

    it.effect("lists the store's active orders oldest first, with picker, rider, units and the SLA verdict", () =>
      Effect.gen(function*() {
        const [a, b] = yield* skusOf(baner)
        yield* insertStaff([
          { id: "baner-picker-1", storeId: baner, role: "picker", name: "Sunil Pawar" },
          { id: "baner-manager", storeId: baner, role: "store_manager", name: "Kavita Rao" }
        ])
        yield* insertRider({ id: "rider-baner-1", name: "Imran Shaikh", homeStoreId: baner, online: true, lat: 18.56, lng: 73.78 })
        yield* insertRider({ id: "rider-baner-2", name: "Ganesh More", homeStoreId: baner, online: false, lat: 18.57, lng: 73.79 })
        yield* insertRider({ id: "rider-aundh-1", name: "Other Rider", homeStoreId: aundh, online: true, lat: 18.55, lng: 73.8 })
        const task = (orderId: string, placedMin: number, rest: Partial<Parameters<typeof insertOrder>[0]>) =>
          insertOrder({
            orderId,
            storeId: baner,
            status: "CONFIRMED",
            taskStatus: "queued",
            placedAt: now - placedMin * MIN,
            slaDueAt: now - placedMin * MIN + 8 * MIN,
            lines: [{ skuId: a, qty: 1 }],
            ...rest
          })
        // Placed 3 min ago, picking, due in 5 min: on time.
        yield* task(oid("picking"), 3, { status: "PICKING", taskStatus: "picking", pickerId: "baner-picker-1", lines: [{ skuId: a, qty: 2 }, { skuId: b, qty: 3 }] })
        // Placed 10 min ago, still queued, due 2 min ago, no stamp yet: breached by the clock.
        yield* task(oid("late-queued"), 10, {})
        // Stamped breached, packed late, rider on the way.
        yield* task(oid("packed-late"), 20, { status: "RIDER_ASSIGNED", taskStatus: "packed", breachedAt: now - 12 * MIN, pickerId: "baner-picker-1" })
        // Packed in time (never stamped), now past its due time: not breached.
        yield* task(oid("packed-ok"), 15, { status: "PACKED", taskStatus: "packed" })
        // Finished orders, a cancelled task and another store's order stay off the page.
        yield* task(oid("delivered"), 40, { status: "DELIVERED", taskStatus: "packed", breachedAt: now - 30 * MIN })
        yield* task(oid("cancelled"), 5, { status: "CANCELLED", taskStatus: "cancelled" })
        yield* task(oid("task-cancelled"), 6, { status: "CONFIRMED", taskStatus: "cancelled", breachedAt: now - MIN })
        yield* insertOrder({
          orderId: oid("aundh"),
          storeId: aundh,
          status: "CONFIRMED",
          taskStatus: "queued",
          placedAt: now - 30 * MIN,
          slaDueAt: now - 22 * MIN,
          breachedAt: now - 22 * MIN,
          lines: [{ skuId: a, qty: 1 }]
        })
        yield* assignRider({ orderId: oid("packed-late"), riderId: "rider-baner-1", storeId: baner, at: now - 5 * MIN })
        yield* assignRider({ orderId: oid("packed-ok"), riderId: "rider-baner-1", storeId: baner, at: now - 4 * MIN })
        // Released: given back, so neither the order nor the rider shows it.
        yield* assignRider({ orderId: oid("late-queued"), riderId: "rider-baner-2", storeId: baner, at: now - 9 * MIN, releasedAt: now - 8 * MIN })

        const dashboard = yield* dashboardOf(baner)
        expect(DateTime.toEpochMillis(dashboard.now)).toBe(now)
        expect(dashboard.packingSlaSeconds).toBe(480)
        expect(dashboard.orders.map((o) => o.orderId)).toEqual([oid("packed-late"), oid("packed-ok"), oid("late-queued"), oid("picking")])
        const byId = new Map(dashboard.orders.map((o) => [o.orderId as string, o]))
        expect(byId.get(oid("picking"))).toMatchObject({
          status: "PICKING",
          slaBreached: false,
          picker: { id: "baner-picker-1", name: "Sunil Pawar" },
          rider: null,
          units: 5
        })
        expect(DateTime.formatIso(byId.get(oid("picking"))!.slaDueAt)).toBe(iso(now + 5 * MIN))
        expect(DateTime.formatIso(byId.get(oid("picking"))!.placedAt)).toBe(iso(now - 3 * MIN))
        expect(byId.get(oid("late-queued"))).toMatchObject({ slaBreached: true, picker: null, rider: null, units: 1 })
        expect(byId.get(oid("packed-late"))).toMatchObject({
          status: "RIDER_ASSIGNED",
          slaBreached: true,
          rider: { id: "rider-baner-1", name: "Imran Shaikh" }
        })
        expect(byId.get(oid("packed-ok"))).toMatchObject({ slaBreached: false, rider: { id: "rider-baner-1", name: "Imran Shaikh" } })

        // Alerts: stamped breaches of active orders only (the clock-only breach is not stamped yet).
        expect(dashboard.alerts.map((x) => ({ orderId: x.orderId, kind: x.kind, at: DateTime.formatIso(x.at) }))).toEqual([
          { orderId: oid("packed-late"), kind: "sla_breached", at: iso(now - 12 * MIN) }
        ])
        // The fixture's riders (the demo seed puts its own three at every store too).
        expect(dashboard.riders.filter((r) => !r.id.startsWith("rider-pune-"))).toEqual([
          { id: "rider-baner-2", name: "Ganesh More", online: false, lat: 18.57, lng: 73.79, activeOrderIds: [] },
          { id: "rider-baner-1", name: "Imran Shaikh", online: true, lat: 18.56, lng: 73.78, activeOrderIds: [oid("packed-late"), oid("packed-ok")] }
        ])
        // The other store sees its own order and none of Baner's.
        const aundhBoard = yield* dashboardOf(aundh)
        expect(aundhBoard.orders.map((o) => o.orderId)).toEqual([oid("aundh")])
        expect(aundhBoard.riders.map((r) => r.id).filter((id) => !id.startsWith("rider-pune-"))).toEqual(["rider-aundh-1"])
      }))

    it.effect("lists SKUs below their reorder threshold, lowest available first", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [a, b] = yield* skusOf(aundh)
        // available = on_hand - reserved - allocated; b ends lower than a.
        yield* sql`UPDATE store_skus SET reorder_threshold = on_hand - reserved - allocated + 1 WHERE store_id = ${aundh} AND sku_id = ${a}`
        yield* sql`UPDATE store_skus SET reorder_threshold = 1000, on_hand = reserved + allocated WHERE store_id = ${aundh} AND sku_id = ${b}`
        const { lowStock } = yield* dashboardOf(aundh)
        expect(lowStock.length).toBeLessThanOrEqual(50)
        expect(lowStock.map((s) => s.skuId)).toEqual(expect.arrayContaining([a, b]))
        expect(lowStock.find((s) => s.skuId === b)).toMatchObject({ available: 0, reorderThreshold: 1000 })
        for (const s of lowStock) expect(s.available).toBeLessThan(s.reorderThreshold)
        expect(lowStock.map((s) => s.available)).toEqual([...lowStock.map((s) => s.available)].sort((x, y) => x - y))
        expect(lowStock.every((s) => s.name.length > 0)).toBe(true)
      }).pipe(Effect.orDie))

    it.effect("lists batches in stock whose best-before falls within 48 hours, soonest first", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [a] = yield* skusOf(baner)
        const batch = (lot: string, qty: number, bestBefore: number) =>
          sql`INSERT INTO stock_batches ${sql.insert({ store_id: baner, sku_id: a, lot, qty, best_before: new Date(bestBefore) })}`
        yield* batch("FIX-SOON", 4, now + HOUR)
        yield* batch("FIX-EDGE", 2, now + 47 * HOUR)
        yield* batch("FIX-LATER", 5, now + 49 * HOUR)
        yield* batch("FIX-EMPTY", 0, now + 2 * HOUR)
        yield* batch("FIX-PAST", 1, now - HOUR)
        const { expiringBatches } = yield* dashboardOf(baner)
        const lots = expiringBatches.map((x) => x.lot)
        expect(lots).toEqual(expect.arrayContaining(["FIX-PAST", "FIX-SOON", "FIX-EDGE"]))
        expect(lots).not.toContain("FIX-LATER")
        expect(lots).not.toContain("FIX-EMPTY")
        expect(expiringBatches.find((x) => x.lot === "FIX-SOON")).toMatchObject({ skuId: a, qty: 4 })
        const times = expiringBatches.map((x) => DateTime.toEpochMillis(x.bestBefore))
        expect(times).toEqual([...times].sort((x, y) => x - y))
        expect(times.every((t) => t < now + 48 * HOUR)).toBe(true)
        expect(expiringBatches.length).toBeLessThanOrEqual(50)
      }).pipe(Effect.orDie))

    it.effect("says open only when accepting and inside the IST hours", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        expect((yield* dashboardOf(baner)).store).toMatchObject({ storeId: baner, name: expect.any(String), hours: null, accepting: true, openNow: true })
        yield* sql`UPDATE stores SET hours = ${JSON.stringify({ opens: "08:00", closes: "23:00" })}::jsonb WHERE id = ${baner}`
        // now is 07:30 IST: before opening; 09:30 IST is inside.
        expect((yield* dashboardOf(baner)).store).toMatchObject({ hours: { opens: "08:00", closes: "23:00" }, openNow: false })
        expect((yield* dashboardOf(baner, now + 2 * HOUR)).store.openNow).toBe(true)
        yield* sql`UPDATE stores SET accepting = false WHERE id = ${baner}`
        expect((yield* dashboardOf(baner, now + 2 * HOUR)).store).toMatchObject({ accepting: false, openNow: false })
        yield* sql`UPDATE stores SET hours = NULL, accepting = true WHERE id = ${baner}`
      }).pipe(Effect.orDie))
  })
})
