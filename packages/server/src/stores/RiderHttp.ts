import { HttpApiBuilder } from "@effect/platform"
import { Api, CurrentRider } from "@qc/domain/Api"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { StoreId } from "@qc/domain/Ids"
import { OrderNotFound } from "@qc/domain/orders/Order"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import type { OrderState } from "@qc/domain/orders/OrderEntity"
import type { Rider } from "@qc/domain/stores/Riders"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { unitsHeld } from "@qc/entities/orders/FulfilmentRules"
import { RiderDispatch } from "@qc/entities/stores/riders/RiderDispatch"
import { DateTime, Effect, Option } from "effect"
import { entityAnswer } from "../ClusterCalls.js"

const dispatchDown = (e: { readonly message: string }) => new ServiceUnavailable({ message: `rider dispatch: ${e.message}` })

/**
 * The rider app: go online or offline, see the orders assigned to you, report picked up and
 * delivered. A rider only ever sees their own orders: another's is answered 404, like an unknown one.
 */
export const RiderHttpLive = HttpApiBuilder.group(Api, "rider", (handlers) =>
  Effect.gen(function*() {
    const dispatch = yield* RiderDispatch
    const order = yield* OrderEntity.client
    const catalogue = yield* CatalogueRepo

    const job = (s: OrderState) => {
      const storeId = s.fulfilment?.parts[0]?.storeId ?? s.lines[0].storeId
      const store = Option.getOrUndefined(catalogue.store(storeId))
      return {
        orderId: s.orderId,
        status: s.status,
        storeId: StoreId.make(storeId),
        storeName: store?.name ?? storeId,
        storeLat: store?.lat ?? 0,
        storeLng: store?.lng ?? 0,
        pincode: s.pincode,
        // What is in the bag: packed quantities once packed (a short pick carries fewer).
        units: s.lines.reduce((n, l) => n + unitsHeld(l, s.fulfilment), 0),
        etaAt: s.fulfilment?.rider ? DateTime.unsafeMake(s.fulfilment.rider.etaAt) : null
      }
    }

    const jobsOf = (rider: Rider) =>
      Effect.map(
        Effect.forEach(rider.activeOrderIds, (id) => Effect.orDie(order(id).Get()), { concurrency: 4 }),
        (states) => ({ rider, jobs: states.flatMap((s) => (Option.isSome(s) ? [job(s.value)] : [])) })
      )

    const me = Effect.gen(function*() {
      const { riderId } = yield* CurrentRider
      const rider = yield* Effect.mapError(dispatch.rider(riderId), dispatchDown)
      return yield* Option.match(rider, {
        onNone: () => Effect.fail(new ServiceUnavailable({ message: "this rider is not in the fleet right now" })),
        onSome: Effect.succeed
      })
    })

    /** The order, if it is assigned to the calling rider. */
    const mine = (orderId: string) =>
      Effect.gen(function*() {
        const { riderId } = yield* CurrentRider
        const found = yield* Effect.orDie(order(orderId).Get())
        return yield* Option.match(Option.filter(found, (s) => s.fulfilment?.rider?.riderId === riderId), {
          onNone: () => Effect.fail(new OrderNotFound({ orderId })),
          onSome: () => Effect.succeed(riderId)
        })
      })

    const missing = (orderId: string) => () => Effect.fail(new OrderNotFound({ orderId }))

    return handlers
      .handle("status", ({ payload }) =>
        entityAnswer(Effect.gen(function*() {
          const { riderId } = yield* CurrentRider
          yield* Effect.mapError(dispatch.setStatus(riderId, payload), dispatchDown)
          return yield* Effect.flatMap(me, jobsOf)
        })))
      .handle("jobs", () => entityAnswer(Effect.flatMap(me, jobsOf)))
      .handle("pickedUp", ({ path }) =>
        entityAnswer(Effect.gen(function*() {
          const riderId = yield* mine(path.orderId)
          yield* order(path.orderId).PickedUp({ riderId }).pipe(Effect.catchTag("OrderMissing", missing(path.orderId)))
          return yield* Effect.flatMap(me, jobsOf)
        })))
      .handle("delivered", ({ path }) =>
        entityAnswer(Effect.gen(function*() {
          const riderId = yield* mine(path.orderId)
          yield* order(path.orderId).Delivered({ riderId }).pipe(Effect.catchTag("OrderMissing", missing(path.orderId)))
          return yield* Effect.flatMap(me, jobsOf)
        })))
  }))
