import { ReservationId, storeSkuEntityId } from "@qc/domain/Ids"
import type { StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import type { WriteOffReason } from "@qc/domain/stock/StoreSku"
import { StoreEntity } from "@qc/domain/stores/StoreEntity"
import type { PickLine, PickTask } from "@qc/domain/stores/StoreOps"
import type { RiderAssignment } from "@qc/domain/stores/Riders"
import { Context, Data, Effect, Either, Layer, Option } from "effect"
import { CatalogueRepo } from "../catalogue/CatalogueRepo.js"
import { RiderDispatch } from "../stores/riders/RiderDispatch.js"

/** A step that could not be done now; the order tries again on its timer. */
export class StepPending extends Data.TaggedError("StepPending")<{ readonly step: string }> {}

const pending = (what: string) => (cause: unknown) =>
  Effect.zipRight(Effect.logWarning(`fulfilment step pending: ${what}`, cause), Effect.fail(new StepPending({ step: what })))

/**
 * What the Order entity does to stores, stock and riders after payment, each step idempotent
 * and keyed (order id, reservation id and reason), so a step repeated after a crash changes
 * nothing twice. A step that cannot be done now fails with `StepPending`.
 */
export class FulfilmentSteps extends Context.Tag("FulfilmentSteps")<FulfilmentSteps, {
  readonly enqueue: (storeId: string, task: {
    readonly orderId: string
    readonly lines: ReadonlyArray<PickLine>
    readonly placedAt: number
    readonly confirmedAt: number
    readonly slaDueAt: number
  }) => Effect.Effect<PickTask, StepPending>
  readonly finishAt: (storeId: string, orderId: string, status: "packed" | "cancelled") => Effect.Effect<void, StepPending>
  readonly markBreached: (storeId: string, orderId: string, at: number) => Effect.Effect<void, StepPending>
  readonly writeOff: (line: StoredOrderLine, qty: number, reason: WriteOffReason) => Effect.Effect<void, StepPending>
  /** Allocated → delivered for every line. */
  readonly fulfil: (lines: ReadonlyArray<StoredOrderLine>) => Effect.Effect<void, StepPending>
  /** None: no rider free now. */
  readonly assignRider: (orderId: string, storeId: string) => Effect.Effect<Option.Option<RiderAssignment>, StepPending>
  readonly releaseRider: (orderId: string) => Effect.Effect<void, StepPending>
}>() {}

/** Answers that mean the step is already done (a write-off repeated, a reservation fulfilled). */
const settled = new Set(["ReservationStateConflict", "ReservationNotFound", "StoreSkuNotFound"])

export const FulfilmentStepsLive = Layer.effect(
  FulfilmentSteps,
  Effect.gen(function*() {
    const store = yield* StoreEntity.client
    const storeSku = yield* StoreSkuEntity.client
    const riders = yield* RiderDispatch
    const catalogue = yield* CatalogueRepo
    const stock = (l: StoredOrderLine) => storeSku(storeSkuEntityId(l.storeId, l.skuId))
    return FulfilmentSteps.of({
      enqueue: (storeId, task) => store(storeId).Enqueue(task).pipe(Effect.catchAll(pending(`enqueue at ${storeId}`))),
      finishAt: (storeId, orderId, status) =>
        store(storeId).Finish({ orderId, status }).pipe(Effect.catchAll(pending(`finish at ${storeId}`))),
      markBreached: (storeId, orderId, at) =>
        store(storeId).MarkBreached({ orderId, at }).pipe(Effect.catchAll(pending(`mark breach at ${storeId}`))),
      writeOff: (line, qty, reason) =>
        stock(line).WriteOff({ reservationId: ReservationId.make(line.reservationId), qty, reason }).pipe(
          Effect.asVoid,
          Effect.catchAll((e) =>
            settled.has(e._tag)
              ? Effect.logWarning(`write-off of ${line.reservationId} (${reason}) refused: ${e._tag}`)
              : pending(`write off ${line.reservationId}`)(e)
          )
        ),
      fulfil: (lines) =>
        Effect.forEach(lines, (l) => Effect.either(stock(l).Fulfil({ reservationId: ReservationId.make(l.reservationId) })), {
          concurrency: "unbounded"
        }).pipe(
          Effect.flatMap((results) => {
            const failed = results.flatMap((r) => (Either.isLeft(r) && !settled.has(r.left._tag) ? [r.left] : []))
            return failed.length === 0 ? Effect.void : pending("fulfil stock")(failed)
          })
        ),
      assignRider: (orderId, storeId) =>
        Option.match(catalogue.store(storeId), {
          onNone: () => pending(`assign rider: unknown store ${storeId}`)(storeId),
          onSome: (s) =>
            riders.assign({ orderId, storeId, region: s.region, lat: s.lat, lng: s.lng }).pipe(Effect.catchAll(pending("assign rider")))
        }),
      releaseRider: (orderId) => riders.release(orderId).pipe(Effect.catchAll(pending("release rider")))
    })
  })
)
