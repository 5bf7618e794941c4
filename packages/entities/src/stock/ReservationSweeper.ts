import { Singleton } from "@effect/cluster"
import { storeSkuEntityId } from "@qc/domain/Ids"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { Clock, Effect, Schedule } from "effect"
import { StoreSkuRepo } from "./StoreSkuRepo.js"
import { ReservationTtl } from "@qc/domain/stock/ReservationTtl"

/**
 * Once per cluster: finds reservations past their TTL whose entity is not in memory
 * (restart, passivation, shard move) and tells that entity to expire them.
 * The entity's own timer handles the common case; this makes expiry durable.
 */
export const ReservationSweeperLive = Singleton.make(
  "ReservationSweeper",
  Effect.gen(function*() {
    const repo = yield* StoreSkuRepo
    const storeSku = yield* StoreSkuEntity.client
    const sweep = Effect.gen(function*() {
      const due = yield* repo.withDueReservations(yield* Clock.currentTimeMillis)
      yield* Effect.forEach(
        due,
        (row) => storeSku(storeSkuEntityId(row.store_id, row.sku_id)).ExpireDue(),
        { concurrency: 16, discard: true }
      )
      if (due.length > 0) yield* Effect.logInfo(`expired reservations on ${due.length} store-SKU(s)`)
    }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("reservation sweep failed", cause)))
    yield* Effect.repeat(sweep, Schedule.spaced(ReservationTtl.sweepInterval))
  })
)
