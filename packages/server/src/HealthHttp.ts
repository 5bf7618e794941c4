import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { Effect } from "effect"

export const HealthHttpLive = HttpApiBuilder.group(Api, "health", (handlers) =>
  Effect.gen(function*() {
    const catalogue = yield* CatalogueRepo
    return handlers.handle("health", () =>
      Effect.sync(() => ({ status: "ok" as const, stores: catalogue.stores().length, skus: catalogue.skuCount() })))
  }))
