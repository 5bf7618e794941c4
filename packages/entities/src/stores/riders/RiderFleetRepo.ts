import { SqlClient } from "@effect/sql"
import type { RiderStatusUpdate } from "@qc/domain/stores/Riders"
import { Rider } from "@qc/domain/stores/Riders"
import { Effect, Option, Schema } from "effect"
import { epochMillis } from "../../platform/SqlValues.js"
import type { Box, LatLng } from "./Geo.js"
import type { Quote } from "./NearestRider.js"

interface RiderRow {
  readonly id: string
  readonly name: string
  readonly phone: string
  readonly online: boolean
  readonly lat: number
  readonly lng: number
}

/** An order's assignment as stored (open or released). */
export interface StoredAssignment extends Quote {
  readonly riderId: string
  readonly name: string
  readonly phone: string
  readonly open: boolean
}

export type AssignAttempt =
  | { readonly _tag: "Assigned"; readonly quote: Quote }
  /** The rider went offline, moved out of reach or filled up since the candidates were read. */
  | { readonly _tag: "RiderTaken" }
  /** Another call assigned this order first. */
  | { readonly _tag: "OrderTaken" }

const decodeRider = Schema.decodeUnknown(Rider)

/**
 * SQL for the simulated fleet: `riders` and `rider_assignments`. An assignment is open until
 * `released_at` is set; the order id is the primary key, so an order is assigned once.
 */
export class RiderFleetRepo extends Effect.Service<RiderFleetRepo>()("RiderFleetRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const withActiveOrders = (rows: ReadonlyArray<RiderRow>) =>
      Effect.gen(function*() {
        if (rows.length === 0) return []
        const open = yield* sql<{ rider_id: string; order_id: string }>`
          SELECT rider_id, order_id FROM rider_assignments
          WHERE rider_id = ANY(${rows.map((r) => r.id)}::text[]) AND released_at IS NULL
          ORDER BY assigned_at, order_id`
        return yield* Effect.forEach(rows, (r) =>
          decodeRider({
            riderId: r.id,
            name: r.name,
            phone: r.phone,
            online: r.online,
            lat: r.lat,
            lng: r.lng,
            activeOrderIds: open.filter((a) => a.rider_id === r.id).map((a) => a.order_id)
          }))
      })

    const first = <A>(riders: ReadonlyArray<A>) => Option.fromNullable(riders[0])

    const rider = Effect.fn("RiderFleetRepo.rider")(function*(riderId: string) {
      const rows = yield* sql<RiderRow>`SELECT id, name, phone, online, lat, lng FROM riders WHERE id = ${riderId}`
      return first(yield* withActiveOrders(rows))
    }, Effect.orDie)

    const riderOf = Effect.fn("RiderFleetRepo.riderOf")(function*(orderId: string) {
      const rows = yield* sql<RiderRow>`
        SELECT r.id, r.name, r.phone, r.online, r.lat, r.lng
        FROM rider_assignments a JOIN riders r ON r.id = a.rider_id
        WHERE a.order_id = ${orderId} AND a.released_at IS NULL`
      return first(yield* withActiveOrders(rows))
    }, Effect.orDie)

    const ridersOfStore = Effect.fn("RiderFleetRepo.ridersOfStore")(function*(storeId: string) {
      const rows = yield* sql<RiderRow>`
        SELECT id, name, phone, online, lat, lng FROM riders WHERE home_store_id = ${storeId} ORDER BY id`
      return yield* withActiveOrders(rows)
    }, Effect.orDie)

    const setStatus = Effect.fn("RiderFleetRepo.setStatus")(function*(riderId: string, update: RiderStatusUpdate, at: number) {
      const rows = yield* sql<RiderRow>`
        UPDATE riders SET online = ${update.online}, lat = ${update.lat}, lng = ${update.lng}, updated_at = ${new Date(at)}
        WHERE id = ${riderId} RETURNING id, name, phone, online, lat, lng`
      return first(yield* withActiveOrders(rows))
    }, Effect.orDie)

    /** The order's assignment, open or released. */
    const assignmentOf = Effect.fn("RiderFleetRepo.assignmentOf")(function*(orderId: string) {
      const rows = yield* sql<{
        rider_id: string
        name: string
        phone: string
        distance_km: number
        assigned_at: unknown
        eta_at: unknown
        released_at: unknown
      }>`
        SELECT a.rider_id, r.name, r.phone, a.distance_km, a.assigned_at, a.eta_at, a.released_at
        FROM rider_assignments a JOIN riders r ON r.id = a.rider_id WHERE a.order_id = ${orderId}`
      return Option.map(first(rows), (a): StoredAssignment => ({
        riderId: a.rider_id,
        name: a.name,
        phone: a.phone,
        distanceKm: a.distance_km,
        etaSeconds: Math.round((epochMillis(a.eta_at) - epochMillis(a.assigned_at)) / 1000),
        open: a.released_at === null
      }))
    }, Effect.orDie)

    /** Online riders of the region inside the box with room for another order (distance is checked by the caller). */
    const freeRiders = Effect.fn("RiderFleetRepo.freeRiders")(function*(region: string, box: Box, batchSize: number) {
      return yield* sql<RiderRow>`
        SELECT r.id, r.name, r.phone, r.online, r.lat, r.lng FROM riders r
        WHERE r.online AND r.region = ${region}
          AND r.lat BETWEEN ${box.minLat} AND ${box.maxLat} AND r.lng BETWEEN ${box.minLng} AND ${box.maxLng}
          AND (SELECT count(*) FROM rider_assignments a WHERE a.rider_id = r.id AND a.released_at IS NULL) < ${batchSize}`
    }, Effect.orDie)

    /**
     * Books one rider for one order, exactly: the rider's row is locked (`FOR UPDATE`), so
     * concurrent bookings of the same rider take turns, and each one recounts the rider's open
     * orders before inserting. One rider row per transaction: a caller that finds the rider
     * taken tries the next in its own transaction, so no two bookings wait on each other's locks.
     */
    const tryAssign = Effect.fn("RiderFleetRepo.tryAssign")(function*(input: {
      readonly orderId: string
      readonly storeId: string
      readonly riderId: string
      readonly region: string
      readonly batchSize: number
      readonly at: number
      /** Re-quotes the rider from its locked position; undefined when now out of reach. */
      readonly quote: (position: LatLng) => Quote | undefined
    }) {
      return yield* sql.withTransaction(Effect.gen(function*() {
        const [locked] = yield* sql<{ lat: number; lng: number }>`
          SELECT lat, lng FROM riders WHERE id = ${input.riderId} AND online AND region = ${input.region} FOR UPDATE`
        const quote = locked === undefined ? undefined : input.quote(locked)
        if (quote === undefined) return { _tag: "RiderTaken" } as const
        const [{ n }] = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM rider_assignments WHERE rider_id = ${input.riderId} AND released_at IS NULL`
        if (n >= input.batchSize) return { _tag: "RiderTaken" } as const
        const inserted = yield* sql`
          INSERT INTO rider_assignments (order_id, rider_id, store_id, assigned_at, eta_at, distance_km)
          VALUES (${input.orderId}, ${input.riderId}, ${input.storeId}, ${new Date(input.at)},
                  ${new Date(input.at + quote.etaSeconds * 1000)}, ${quote.distanceKm})
          ON CONFLICT (order_id) DO NOTHING RETURNING order_id`
        return inserted.length > 0 ? { _tag: "Assigned", quote } as const : { _tag: "OrderTaken" } as const
      }))
    }, (effect): Effect.Effect<AssignAttempt> => Effect.orDie(effect))

    const release = Effect.fn("RiderFleetRepo.release")(function*(orderId: string, at: number) {
      yield* sql`UPDATE rider_assignments SET released_at = ${new Date(at)} WHERE order_id = ${orderId} AND released_at IS NULL`
    }, Effect.orDie)

    return { rider, riderOf, ridersOfStore, setStatus, assignmentOf, freeRiders, tryAssign, release } as const
  })
}) {}
