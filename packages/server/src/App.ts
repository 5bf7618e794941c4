import { RunnerAddress, SingleRunner } from "@effect/cluster"
import type { ShardingConfig } from "@effect/cluster"
import { HttpApiBuilder, HttpApiSwagger, HttpMiddleware } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import { Api } from "@qc/domain/Api"
import { CatalogueRepo } from "@qc/entities/CatalogueRepo"
import { DomainEvents } from "@qc/entities/DomainEvents"
import { MigrationsLive } from "@qc/entities/Migrations"
import { ReservationSweeperLive } from "@qc/entities/ReservationSweeper"
import { SeedLive } from "@qc/entities/Seed"
import { StoreSkuLive } from "@qc/entities/StoreSku"
import { StockWriter } from "@qc/entities/StockWriter"
import { StoreSkuRepo } from "@qc/entities/StoreSkuRepo"
import { Layer, Option } from "effect"
import { AdminAuthLive } from "./AdminAuth.js"
import { HealthHttpLive } from "./HealthHttp.js"
import { StockHttpLive } from "./StockHttp.js"

/** Schema up to date and, on an empty database, the demo catalogue loaded. */
export const databaseReady = <E, R>(database: Layer.Layer<SqlClient.SqlClient, E, R>) =>
  SeedLive.pipe(Layer.provide(MigrationsLive), Layer.provideMerge(database))

/** The runner: sharding with SQL message and runner storage, and every entity it hosts. */
export const runner = (shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]>) =>
  Layer.mergeAll(StoreSkuLive, ReservationSweeperLive).pipe(
    Layer.provideMerge(StockWriter.Default),
    Layer.provideMerge(StoreSkuRepo.Default),
    Layer.provideMerge(DomainEvents.Default),
    Layer.provideMerge(CatalogueRepo.Default),
    Layer.provideMerge(SingleRunner.layer({
      runnerStorage: "sql",
      // Explicit, so the cluster's env config does not take our HTTP `PORT` as its runner port.
      shardingConfig: { runnerAddress: Option.some(RunnerAddress.make("localhost", 34431)), ...shardingConfig }
    }))
  )

export const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([HealthHttpLive, StockHttpLive]),
  Layer.provide(AdminAuthLive)
)

/** Serves the API, `/openapi.json` and Swagger UI at `/docs` on whatever HttpServer is provided. */
export const HttpLive = HttpApiBuilder.serve(HttpMiddleware.logger).pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(ApiLive)
)
