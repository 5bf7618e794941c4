import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { demoRiderRadiusKm, demoRidersOf, seedDemoRiders } from "@qc/entities/demo/DemoRiders"
import { seedDemoCatalogue } from "@qc/entities/demo/Seed"
import * as Migrations from "@qc/entities/platform/Migrations"
import { etaSeconds, haversineKm } from "@qc/entities/stores/riders/Geo"
import { RiderDispatch } from "@qc/entities/stores/riders/RiderDispatch"
import type { DispatchRequest } from "@qc/entities/stores/riders/RiderDispatch"
import { riderDispatchLocal } from "@qc/entities/stores/riders/RiderDispatchLocal"
import { defaultRiderSettings } from "@qc/entities/stores/riders/RiderSettings"
import { Effect, Layer, Option, TestClock } from "effect"
import { makeTestDatabase } from "../support/TestDatabase.js"

const Database = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => db.layer))
const Seeded = Layer.effectDiscard(Effect.zipRight(Effect.orDie(Migrations.run), seedDemoCatalogue({ skuCount: 50 })))
const Shared = riderDispatchLocal(defaultRiderSettings).pipe(Layer.provideMerge(Seeded), Layer.provideMerge(Database))

interface StoreRow { readonly id: string; readonly region: string; readonly lat: number; readonly lng: number }
interface RiderRow { readonly id: string; readonly region: string; readonly online: boolean; readonly lat: number; readonly lng: number }

const stores = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<StoreRow>`SELECT id, region, lat, lng FROM stores ORDER BY id`).pipe(Effect.orDie)
const riders = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<RiderRow>`SELECT id, region, online, lat, lng FROM riders ORDER BY id`).pipe(Effect.orDie)

const store = (id: string) => Effect.map(stores, (all) => all.find((s) => s.id === id)!)
/** A valid order id from a readable label: `ord_test_` + the label's letters and digits, padded to 20. */
const ord = (label: string) => `ord_test_${label.replace(/[^a-z0-9]/g, "").padStart(20, "0")}`
const requestAt = (s: StoreRow, label: string): DispatchRequest => ({ orderId: ord(label), storeId: s.id, region: s.region, lat: s.lat, lng: s.lng })

/** Every test starts from the seeded fleet: all online where the seed put them, no assignments. */
const resetFleet = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`DELETE FROM rider_assignments`
  for (const r of demoRidersOf(yield* stores)) {
    yield* sql`UPDATE riders SET online = true, lat = ${r.lat}, lng = ${r.lng} WHERE id = ${r.id}`
  }
}).pipe(Effect.orDie)

const setOnline = (ids: ReadonlyArray<string>, online: boolean) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE riders SET online = ${online} WHERE id = ANY(${[...ids]}::text[])`).pipe(Effect.orDie)

/** Online riders of the store's region, nearest first (what the dispatcher should follow). */
const expectedOrder = (s: StoreRow) =>
  Effect.map(riders, (all) =>
    all.filter((r) => r.online && r.region === s.region)
      .map((r) => ({ id: r.id, km: haversineKm(r, s) }))
      .filter((r) => r.km <= defaultRiderSettings.maxDistanceKm)
      .sort((a, b) => a.km - b.km))

const openAssignments = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ order_id: string; rider_id: string }>`SELECT order_id, rider_id FROM rider_assignments WHERE released_at IS NULL ORDER BY order_id`
).pipe(Effect.orDie)

describe("RiderDispatchLocal on the demo fleet", () => {
  layer(Shared, { timeout: "120 seconds" })((it) => {
    it.effect("the seed gives every store three online riders near it, once", () =>
      Effect.gen(function*() {
        const all = yield* riders
        const byStore = yield* stores
        expect(all).toHaveLength(byStore.length * 3)
        for (const s of byStore) {
          const own = all.filter((r) => r.id.startsWith(`rider-${s.id}-`))
          expect(own.map((r) => r.id)).toEqual([1, 2, 3].map((n) => `rider-${s.id}-${n}`))
          for (const r of own) {
            expect(r.region).toBe(s.region)
            expect(r.online).toBe(true)
            expect(haversineKm(r, s)).toBeLessThanOrEqual(demoRiderRadiusKm + 0.01)
          }
        }
        const dispatch = yield* RiderDispatch
        const baner = yield* dispatch.ridersOfStore("pune-baner")
        expect(baner.map((r) => r.riderId)).toEqual(["rider-pune-baner-1", "rider-pune-baner-2", "rider-pune-baner-3"])
        for (const r of baner) {
          expect(r.phone).toMatch(/^[789]\d{9}$/)
          expect(r.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/)
        }
        expect(yield* seedDemoRiders).toBe(0)
        expect(yield* seedDemoCatalogue({ skuCount: 50 })).toBe(false)
        expect(yield* riders).toHaveLength(all.length)
      }))

    it.effect("sends the nearest online rider of the region, with the ETA from distance and speed", () =>
      Effect.gen(function*() {
        yield* resetFleet
        yield* TestClock.setTime(Date.UTC(2026, 0, 5, 6, 30))
        const dispatch = yield* RiderDispatch
        for (const storeId of ["pune-baner", "pune-kharadi", "pune-hinjewadi"]) {
          const s = yield* store(storeId)
          const [nearest] = yield* expectedOrder(s)
          const assigned = yield* dispatch.assign(requestAt(s, `near-${storeId}`))
          expect(Option.getOrThrow(assigned)).toMatchObject({ riderId: nearest.id, etaSeconds: etaSeconds(nearest.km, defaultRiderSettings) })
          expect(Option.getOrThrow(assigned).distanceKm).toBeCloseTo(nearest.km, 9)
        }
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ assigned_at: Date; eta_at: Date }>`SELECT assigned_at, eta_at FROM rider_assignments WHERE order_id = ${ord("near-pune-baner")}`
        expect(row.assigned_at.getTime()).toBe(Date.UTC(2026, 0, 5, 6, 30))
        const banerAssignment = Option.getOrThrow(yield* dispatch.assign(requestAt(yield* store("pune-baner"), "near-pune-baner")))
        expect(row.eta_at.getTime() - row.assigned_at.getTime()).toBe(banerAssignment.etaSeconds * 1000)
      }))

    it.effect("never sends a rider of another region, however close", () =>
      Effect.gen(function*() {
        yield* resetFleet
        const dispatch = yield* RiderDispatch
        const baner = yield* store("pune-baner")
        // A pune-east rider waits at the Baner store's door.
        yield* dispatch.setStatus("rider-pune-viman-nagar-1", { online: true, lat: baner.lat, lng: baner.lng })
        const first = Option.getOrThrow(yield* dispatch.assign(requestAt(baner, "region-1")))
        expect(first.riderId).not.toBe("rider-pune-viman-nagar-1")
        expect(first.riderId).toMatch(/^rider-pune-(baner|aundh|kothrud|wakad|chinchwad|hinjewadi|pimple-saudagar)-\d$/)
        const west = (yield* riders).filter((r) => r.region === "pune-west").map((r) => r.id)
        yield* setOnline(west, false)
        expect(yield* dispatch.assign(requestAt(baner, "region-2"))).toEqual(Option.none())
      }))

    it.effect("skips offline riders, and riders farther than the max distance", () =>
      Effect.gen(function*() {
        yield* resetFleet
        const dispatch = yield* RiderDispatch
        const s = yield* store("pune-koregaon-park")
        const [nearest, second] = yield* expectedOrder(s)
        yield* dispatch.setStatus(nearest.id, { online: false, lat: s.lat, lng: s.lng })
        expect(Option.getOrThrow(yield* dispatch.assign(requestAt(s, "offline-1"))).riderId).toBe(second.id)
        // 200 m at most: nobody of the seeded fleet is that close to a point 3 km north of the store.
        const far = yield* Effect.provide(
          RiderDispatch.pipe(Effect.flatMap((d) => d.assign({ ...requestAt(s, "too-far"), lat: s.lat + 0.027 }))),
          riderDispatchLocal({ ...defaultRiderSettings, maxDistanceKm: 0.2 })
        )
        expect(far).toEqual(Option.none())
      }))

    it.effect("with batch size 1 the second order gets the next nearest rider; with 2 the same rider takes both", () =>
      Effect.gen(function*() {
        yield* resetFleet
        const dispatch = yield* RiderDispatch
        const s = yield* store("pune-wakad")
        const [nearest, second] = yield* expectedOrder(s)
        expect(Option.getOrThrow(yield* dispatch.assign(requestAt(s, "batch-1"))).riderId).toBe(nearest.id)
        expect(Option.getOrThrow(yield* dispatch.assign(requestAt(s, "batch-2"))).riderId).toBe(second.id)
        expect((yield* dispatch.rider(nearest.id)).pipe(Option.map((r) => r.activeOrderIds))).toEqual(Option.some([ord("batch-1")]))

        yield* resetFleet
        const batched = riderDispatchLocal({ ...defaultRiderSettings, batchSize: 2 })
        const ids = yield* Effect.provide(
          Effect.forEach(["batch-3", "batch-4", "batch-5"], (orderId) =>
            Effect.flatMap(RiderDispatch, (d) => d.assign(requestAt(s, orderId)))),
          batched
        )
        expect(ids.map((a) => Option.getOrThrow(a).riderId)).toEqual([nearest.id, nearest.id, second.id])
      }))

    it.effect("20 orders at once, 3 riders free: exactly 3 assigned, no rider twice", () =>
      Effect.gen(function*() {
        yield* resetFleet
        const dispatch = yield* RiderDispatch
        const s = yield* store("pune-baner")
        const own = [1, 2, 3].map((n) => `rider-pune-baner-${n}`)
        yield* setOnline((yield* riders).map((r) => r.id).filter((id) => !own.includes(id)), false)
        const orders = Array.from({ length: 20 }, (_, i) => `storm-${i}`)
        const answers = yield* Effect.forEach(orders, (orderId) => dispatch.assign(requestAt(s, orderId)), { concurrency: "unbounded" })
        const assigned = answers.flatMap((a) => (Option.isSome(a) ? [a.value.riderId] : []))
        expect(assigned).toHaveLength(3)
        expect([...assigned].sort()).toEqual(own)
        const rows = yield* openAssignments
        expect(rows).toHaveLength(3)
        expect(new Set(rows.map((r) => r.rider_id)).size).toBe(3)

        // Batch size 2: the same storm fills each rider exactly to two.
        yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM rider_assignments`).pipe(Effect.orDie)
        const batched = yield* Effect.provide(
          Effect.forEach(orders, (orderId) => Effect.flatMap(RiderDispatch, (d) => d.assign(requestAt(s, orderId))), { concurrency: "unbounded" }),
          riderDispatchLocal({ ...defaultRiderSettings, batchSize: 2 })
        )
        expect(batched.filter(Option.isSome)).toHaveLength(6)
        const perRider = new Map<string, number>()
        for (const r of yield* openAssignments) perRider.set(r.rider_id, (perRider.get(r.rider_id) ?? 0) + 1)
        expect(Object.fromEntries(perRider)).toEqual(Object.fromEntries(own.map((id) => [id, 2])))
      }))

    it.effect("a repeated assign for an order answers the same assignment, even concurrently and after the rider moved", () =>
      Effect.gen(function*() {
        yield* resetFleet
        const dispatch = yield* RiderDispatch
        const s = yield* store("pune-aundh")
        const first = Option.getOrThrow(yield* dispatch.assign(requestAt(s, "again-1")))
        yield* TestClock.adjust("5 minutes")
        yield* dispatch.setStatus(first.riderId, { online: true, lat: s.lat + 0.05, lng: s.lng })
        expect(yield* dispatch.assign(requestAt(s, "again-1"))).toEqual(Option.some(first))
        const storm = yield* Effect.forEach(Array.from({ length: 10 }), () => dispatch.assign(requestAt(s, "again-2")), { concurrency: "unbounded" })
        const riderIds = new Set(storm.map((a) => Option.getOrThrow(a).riderId))
        expect(riderIds.size).toBe(1)
        expect(riderIds.has(first.riderId)).toBe(false)
        expect((yield* openAssignments).filter((r) => r.order_id === ord("again-2"))).toHaveLength(1)
      }))

    it.effect("release frees the rider for the next order; releasing twice or an unknown order is harmless", () =>
      Effect.gen(function*() {
        yield* resetFleet
        const dispatch = yield* RiderDispatch
        const s = yield* store("pune-hadapsar")
        const [nearest] = yield* expectedOrder(s)
        expect(Option.getOrThrow(yield* dispatch.assign(requestAt(s, "free-1"))).riderId).toBe(nearest.id)
        expect(Option.map(yield* dispatch.riderOf(ord("free-1")), (r) => r.riderId)).toEqual(Option.some(nearest.id))
        yield* dispatch.release(ord("free-1"))
        yield* dispatch.release(ord("free-1"))
        yield* dispatch.release(ord("never-assigned"))
        expect(yield* dispatch.riderOf(ord("free-1"))).toEqual(Option.none())
        expect(Option.map(yield* dispatch.rider(nearest.id), (r) => r.activeOrderIds)).toEqual(Option.some([]))
        expect(Option.getOrThrow(yield* dispatch.assign(requestAt(s, "free-2"))).riderId).toBe(nearest.id)
      }))

    it.effect("setStatus: none for an unknown rider; going offline keeps the rider's open orders", () =>
      Effect.gen(function*() {
        yield* resetFleet
        yield* TestClock.setTime(Date.UTC(2026, 0, 5, 7))
        const dispatch = yield* RiderDispatch
        expect(yield* dispatch.setStatus("rider-nobody", { online: true, lat: 18.5, lng: 73.8 })).toEqual(Option.none())
        expect(yield* dispatch.rider("rider-nobody")).toEqual(Option.none())
        const s = yield* store("pune-kothrud")
        const assigned = Option.getOrThrow(yield* dispatch.assign(requestAt(s, "status-1")))
        const off = Option.getOrThrow(yield* dispatch.setStatus(assigned.riderId, { online: false, lat: 18.51, lng: 73.81 }))
        expect(off).toMatchObject({ riderId: assigned.riderId, online: false, lat: 18.51, lng: 73.81, activeOrderIds: [ord("status-1")] })
        expect(Option.map(yield* dispatch.riderOf(ord("status-1")), (r) => r.riderId)).toEqual(Option.some(assigned.riderId))
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ updated_at: Date }>`SELECT updated_at FROM riders WHERE id = ${assigned.riderId}`
        expect(row.updated_at.getTime()).toBe(Date.UTC(2026, 0, 5, 7))
        const mine = yield* dispatch.ridersOfStore(assigned.riderId.replace(/^rider-(.*)-\d$/, "$1"))
        expect(mine.find((r) => r.riderId === assigned.riderId)?.activeOrderIds).toEqual([ord("status-1")])
      }))
  })
})
