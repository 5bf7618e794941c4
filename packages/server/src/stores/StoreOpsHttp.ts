import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { OrderNotFound } from "@qc/domain/orders/Order"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { PickConflict } from "@qc/domain/stores/FulfilmentErrors"
import { StoreEntity } from "@qc/domain/stores/StoreEntity"
import { Clock, DateTime, Effect, Option } from "effect"
import { entityAnswer } from "../ClusterCalls.js"
import { requireStore } from "./StaffAccess.js"

/**
 * The store app: the pick queue with the SLA time left, claiming, reporting packed, shifts. The
 * token's store must be the path's (403); an order not at this store is 404, like any unknown order.
 */
export const StoreOpsHttpLive = HttpApiBuilder.group(Api, "storeOps", (handlers) =>
  Effect.gen(function*() {
    const store = yield* StoreEntity.client
    const order = yield* OrderEntity.client

    /** The order, if it has lines at this store. */
    const orderAt = (storeId: string, orderId: string) =>
      Effect.flatMap(Effect.orDie(order(orderId).Get()), (found) =>
        Option.match(Option.filter(found, (s) => s.lines.some((l) => l.storeId === storeId)), {
          onNone: () => Effect.fail(new OrderNotFound({ orderId })),
          onSome: Effect.succeed
        }))

    return handlers
      .handle("queue", ({ path }) =>
        entityAnswer(Effect.gen(function*() {
          yield* requireStore(path.storeId)
          const view = yield* store(path.storeId).Get()
          const now = yield* Clock.currentTimeMillis
          return {
            storeId: path.storeId,
            items: view.queue.map((t) => ({ ...t, slaSecondsLeft: Math.ceil((DateTime.toEpochMillis(t.slaDueAt) - now) / 1000) }))
          }
        })))
      .handle("claim", ({ path }) =>
        entityAnswer(Effect.gen(function*() {
          const staff = yield* requireStore(path.storeId)
          yield* orderAt(path.storeId, path.orderId)
          const task = yield* store(path.storeId).Claim({ orderId: path.orderId, pickerId: staff.staffId })
          yield* order(path.orderId).StartPicking({ storeId: path.storeId, pickerId: staff.staffId }).pipe(
            Effect.catchTags({
              OrderMissing: () => Effect.fail(new OrderNotFound({ orderId: path.orderId })),
              OrderStateConflict: (e) => Effect.fail(new PickConflict({ orderId: path.orderId, status: e.status, pickerId: staff.staffId }))
            })
          )
          return task
        })))
      .handle("picked", ({ path, payload }) =>
        entityAnswer(Effect.gen(function*() {
          const staff = yield* requireStore(path.storeId)
          yield* orderAt(path.storeId, path.orderId)
          return yield* store(path.storeId).Pick({ orderId: path.orderId, pickerId: staff.staffId, lineNo: path.lineNo, picked: payload.picked })
        })))
      .handle("packed", ({ path, payload }) =>
        entityAnswer(Effect.gen(function*() {
          const staff = yield* requireStore(path.storeId)
          yield* orderAt(path.storeId, path.orderId)
          const state = yield* order(path.orderId).Packed({ storeId: path.storeId, lines: payload.lines, source: "store_app", by: staff.staffId }).pipe(
            Effect.catchTag("OrderMissing", () => Effect.fail(new OrderNotFound({ orderId: path.orderId })))
          )
          return state.view
        })))
      .handle("shift", ({ path, payload }) =>
        entityAnswer(Effect.gen(function*() {
          const staff = yield* requireStore(path.storeId)
          yield* store(path.storeId).Shift({ staffId: staff.staffId, onShift: payload.onShift })
          return { staffId: staff.staffId, onShift: payload.onShift }
        })))
  }))
