import type { SqlClient } from "@effect/sql"
import { OrderId } from "@qc/domain/orders/Order"
import { RiderAssignment } from "@qc/domain/stores/Riders"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { boundingBox } from "./Geo.js"
import { quoteRider, rankRiders } from "./NearestRider.js"
import { RiderDispatch } from "./RiderDispatch.js"
import type { DispatchRequest } from "./RiderDispatch.js"
import { RiderFleetRepo } from "./RiderFleetRepo.js"
import type { StoredAssignment } from "./RiderFleetRepo.js"
import type { RiderSettings } from "./RiderSettings.js"
import { RiderSettingsConfig } from "./RiderSettings.js"

const toAssignment = (a: Pick<StoredAssignment, "riderId" | "name" | "phone" | "distanceKm" | "etaSeconds">) =>
  Effect.orDie(Schema.decodeUnknown(RiderAssignment)({
    riderId: a.riderId,
    name: a.name,
    phone: a.phone,
    distanceKm: a.distanceKm,
    etaSeconds: a.etaSeconds
  }))

const make = (settings: RiderSettings) =>
  Effect.gen(function*() {
    const repo = yield* RiderFleetRepo

    // An order's assignment answers every later call for it, even once released: a replayed
    // command of a finished order must not book a rider again.
    const existing = (orderId: string) =>
      Effect.flatMap(repo.assignmentOf(orderId), Option.match({
        onNone: () => Effect.succeed(Option.none<RiderAssignment>()),
        onSome: (a) => Effect.map(toAssignment(a), Option.some)
      }))

    const assign = Effect.fn("RiderDispatchLocal.assign")(function*(req: DispatchRequest) {
      // A rider's orders are read back as OrderIds: anything else must never be stored.
      yield* Effect.orDie(Schema.decodeUnknown(OrderId)(req.orderId))
      const known = yield* existing(req.orderId)
      if (Option.isSome(known)) return known
      const store = { lat: req.lat, lng: req.lng }
      const free = yield* repo.freeRiders(req.region, boundingBox(store, settings.maxDistanceKm), settings.batchSize)
      const at = yield* Clock.currentTimeMillis
      // Nearest first; one that filled up (or left) since the read makes way for the next.
      for (const candidate of rankRiders(free, store, settings)) {
        const attempt = yield* repo.tryAssign({
          orderId: req.orderId,
          storeId: req.storeId,
          riderId: candidate.id,
          region: req.region,
          batchSize: settings.batchSize,
          at,
          quote: (position) => quoteRider(position, store, settings)
        })
        if (attempt._tag === "OrderTaken") return yield* existing(req.orderId)
        if (attempt._tag === "Assigned") return Option.some(yield* toAssignment({ ...candidate, riderId: candidate.id, ...attempt.quote }))
      }
      return Option.none<RiderAssignment>()
    })

    return RiderDispatch.of({
      assign,
      release: (orderId) => Effect.flatMap(Clock.currentTimeMillis, (at) => repo.release(orderId, at)),
      setStatus: (riderId, update) => Effect.flatMap(Clock.currentTimeMillis, (at) => repo.setStatus(riderId, update, at)),
      rider: repo.rider,
      riderOf: repo.riderOf,
      ridersOfStore: repo.ridersOfStore
    })
  })

/** The simulated fleet in our own tables, with these settings. */
export const riderDispatchLocal = (settings: RiderSettings): Layer.Layer<RiderDispatch, never, SqlClient.SqlClient> =>
  Layer.effect(RiderDispatch, make(settings)).pipe(Layer.provide(RiderFleetRepo.Default))

/** The simulated fleet with `RIDER_*` settings from config (a bad value stops the process at start). */
export const RiderDispatchLocal: Layer.Layer<RiderDispatch, never, SqlClient.SqlClient> = Layer.unwrapEffect(
  Effect.map(Effect.orDie(RiderSettingsConfig), riderDispatchLocal)
)
