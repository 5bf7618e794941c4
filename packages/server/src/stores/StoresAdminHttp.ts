import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Store } from "@qc/domain/catalogue/Catalogue"
import { InvalidInput } from "@qc/domain/Errors"
import { OrderNotCancellable, OrderNotFound } from "@qc/domain/orders/Order"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { StoreExists } from "@qc/domain/stores/FulfilmentErrors"
import { knownRegionList } from "@qc/domain/stores/Regions"
import { StoreEntity } from "@qc/domain/stores/StoreEntity"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { StoreRepo } from "@qc/entities/stores/StoreRepo"
import { Effect } from "effect"
import { entityAnswer } from "../ClusterCalls.js"

const missing = (orderId: string) => () => Effect.fail(new OrderNotFound({ orderId }))

/** Ops: open a store, change its pincodes, hours or switch (at once, no deploy), cancel or give up an order. */
export const StoresAdminHttpLive = HttpApiBuilder.group(Api, "storesAdmin", (handlers) =>
  Effect.gen(function*() {
    const stores = yield* StoreRepo
    const catalogue = yield* CatalogueRepo
    const store = yield* StoreEntity.client
    const order = yield* OrderEntity.client
    return handlers
      .handle("createStore", ({ payload }) =>
        Effect.gen(function*() {
          // A store's entities run on its region's runners: a region nobody hosts would strand them.
          if (!knownRegionList().includes(payload.region)) {
            return yield* Effect.fail(
              new InvalidInput({ message: `region: ${payload.region} has no runners (known: ${knownRegionList().join(", ")}); start its runners first` })
            )
          }
          if (!(yield* stores.create(payload))) return yield* Effect.fail(new StoreExists({ storeId: payload.id }))
          yield* catalogue.reload
          return new Store({
            id: payload.id,
            region: payload.region,
            name: payload.name,
            locality: payload.locality,
            pincodes: payload.pincodes,
            lat: payload.lat,
            lng: payload.lng
          })
        }))
      .handle("updateStore", ({ path, payload }) =>
        entityAnswer(Effect.tap(store(path.storeId).Configure(payload), () => catalogue.reload)))
      .handle("cancelOrder", ({ path }) =>
        entityAnswer(Effect.gen(function*() {
          const state = yield* order(path.orderId).Cancel({ by: "ops" }).pipe(Effect.catchTag("OrderMissing", missing(path.orderId)))
          if (state.status !== "CANCELLED") return yield* Effect.fail(new OrderNotCancellable({ orderId: path.orderId, status: state.status }))
          return state.view
        })))
      .handle("undeliverable", ({ path, payload }) =>
        entityAnswer(
          order(path.orderId).Undeliverable(payload).pipe(
            Effect.map((s) => s.view),
            Effect.catchTag("OrderMissing", missing(path.orderId))
          )
        ))
  }))
