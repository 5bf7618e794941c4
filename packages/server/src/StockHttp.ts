import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { SkuNotFound, StoreNotFound } from "@qc/domain/Errors"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import { storeSkuEntityId } from "@qc/domain/Ids"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { toSnapshot } from "@qc/entities/stock/StoreSku"
import { StoreSkuRepo } from "@qc/entities/stock/StoreSkuRepo"
import { Effect, Layer, Option } from "effect"
import { entityAnswer } from "./ClusterCalls.js"

const makeStock = Effect.gen(function*() {
  const catalogue = yield* CatalogueRepo
  const storeSku = yield* StoreSkuEntity.client

  const requireStore = (storeId: StoreId) =>
    Option.match(catalogue.store(storeId), {
      onNone: () => Effect.fail(new StoreNotFound({ storeId })),
      onSome: Effect.succeed
    })
  const requireSku = (skuId: SkuId) =>
    Option.match(catalogue.sku(skuId), {
      onNone: () => Effect.fail(new SkuNotFound({ skuId })),
      onSome: Effect.succeed
    })

  /** 404s come first, so a mistyped id never activates an entity. */
  const entity = (path: { readonly storeId: StoreId; readonly skuId: SkuId }) =>
    Effect.zipRight(
      Effect.zip(requireStore(path.storeId), requireSku(path.skuId)),
      Effect.sync(() => storeSku(storeSkuEntityId(path.storeId, path.skuId)))
    )

  return { catalogue, requireStore, requireSku, entity } as const
})

export const StoresHttpLive = HttpApiBuilder.group(Api, "stores", (handlers) =>
  Effect.gen(function*() {
    const { catalogue, entity, requireStore } = yield* makeStock
    const repo = yield* StoreSkuRepo
    return handlers
      .handle("list", () => Effect.sync(() => catalogue.stores()))
      .handle("skus", ({ path, urlParams }) =>
        Effect.gen(function*() {
          yield* requireStore(path.storeId)
          const page = yield* repo.page(path.storeId, urlParams.cursor, urlParams.limit ?? 50)
          return {
            items: page.states.map((state) => ({
              sku: Option.getOrThrow(catalogue.sku(state.skuId)),
              stock: toSnapshot(state)
            })),
            nextCursor: page.nextCursor
          }
        }))
      .handle("snapshot", ({ path }) =>
        entity(path).pipe(Effect.flatMap((client) => client.Snapshot()), entityAnswer))
  }))

export const StockAdminHttpLive = HttpApiBuilder.group(Api, "stockAdmin", (handlers) =>
  Effect.gen(function*() {
    const { entity } = yield* makeStock
    return handlers
      .handle("receive", ({ path, payload }) =>
        entity(path).pipe(Effect.flatMap((client) => client.Receive(payload)), entityAnswer))
      .handle("adjust", ({ path, payload }) =>
        entity(path).pipe(Effect.flatMap((client) => client.Adjust(payload)), entityAnswer))
      .handle("reserve", ({ path, payload }) =>
        entity(path).pipe(Effect.flatMap((client) => client.Reserve(payload)), entityAnswer))
      .handle("commit", ({ path }) =>
        entity(path).pipe(
          Effect.flatMap((client) => client.Commit({ reservationId: path.reservationId })),
          entityAnswer
        ))
      .handle("fulfil", ({ path }) =>
        entity(path).pipe(
          Effect.flatMap((client) => client.Fulfil({ reservationId: path.reservationId })),
          entityAnswer
        ))
      .handle("release", ({ path }) =>
        entity(path).pipe(
          Effect.flatMap((client) => client.Release({ reservationId: path.reservationId })),
          entityAnswer
        ))
      .handle("ledger", ({ path, urlParams }) =>
        entity(path).pipe(
          Effect.flatMap((client) => client.Ledger({ limit: urlParams.limit ?? 100 })),
          entityAnswer
        ))
  }))

export const StockHttpLive = Layer.mergeAll(StoresHttpLive, StockAdminHttpLive)
