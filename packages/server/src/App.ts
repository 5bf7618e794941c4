import { RunnerAddress, SingleRunner } from "@effect/cluster"
import type { ShardingConfig } from "@effect/cluster"
import { HttpApiBuilder, HttpApiSwagger, HttpApp, HttpMiddleware, HttpServerResponse } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Api } from "@qc/domain/Api"
import { CatalogueLive } from "@qc/entities/catalogue/CatalogueLive"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { OrdersLive } from "@qc/entities/orders/OrdersLive"
import { PricingLive } from "@qc/entities/pricing/PricingLive"
import { StockLive } from "@qc/entities/stock/StockLive"
import { isPostgresServer } from "@qc/entities/platform/Database"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import { MigrationsLive } from "@qc/entities/platform/Migrations"
import { PaymentWebhooks } from "@qc/entities/payments/PaymentWebhooks"
import { SeedLive } from "@qc/entities/demo/Seed"
import { Clock, Config, Effect, Layer, Option } from "effect"
import { AdminAuthLive } from "./AdminAuth.js"
import { bodyLimits, BodyLimitsFromConfig } from "./BodyLimits.js"
import { CatalogueApiLive } from "./CatalogueHttp.js"
import { CustomerAuthLive } from "./CustomerAuth.js"
import { InternalErrorBodyLive, ShortDecodeErrorsLive } from "./ErrorResponses.js"
import { HealthHttpLive } from "./HealthHttp.js"
import { OrdersApiLive } from "./OrdersHttp.js"
import { RateLimits } from "./RateLimits.js"
import { StockHttpLive } from "./StockHttp.js"

/** Schema up to date and, on an empty database, the demo catalogue loaded. */
export const databaseReady = <E, R>(database: Layer.Layer<SqlClient.SqlClient, E, R>) =>
  SeedLive.pipe(Layer.provide(MigrationsLive), Layer.provideMerge(database))

/** The runner: sharding with SQL message and runner storage, and every entity it hosts. */
export const runner = (shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]>) =>
  StockLive.pipe(
    Layer.provideMerge(CatalogueRepo.Default),
    Layer.provideMerge(DomainEvents.Default),
    Layer.provideMerge(clusterOn(shardingConfig))
  )

/**
 * On Postgres the cluster's storage (runner heartbeats, shard locks, persisted messages)
 * gets a pool of its own: queued behind a busy app pool, a heartbeat or lock refresh
 * misses its deadline and the runner gives its shards up. No order message is persisted
 * by the cluster any more (the Order entity keeps its own state and timers), so the pool
 * only carries the cluster's bookkeeping: 5 by default. `CLUSTER_DB_POOL` sets it (mind
 * Postgres' max_connections times the runners). PGlite is one session.
 */
const ClusterSql = Layer.unwrapEffect(
  Effect.gen(function*() {
    const pg = yield* Effect.serviceOption(PgClient.PgClient)
    const size = yield* Config.integer("CLUSTER_DB_POOL").pipe(Config.withDefault(5), Effect.orDie)
    return Option.isSome(pg) && isPostgresServer(pg.value)
      ? Layer.orDie(PgClient.layer({ ...pg.value.config, maxConnections: size }))
      : Layer.effect(SqlClient.SqlClient, SqlClient.SqlClient)
  })
)

const clusterOn = (shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]>) =>
  SingleRunner.layer({
      runnerStorage: "sql",
      // Explicit, so the cluster's env config does not take our HTTP `PORT` as its runner port.
      shardingConfig: {
        runnerAddress: Option.some(RunnerAddress.make("localhost", 34431)),
        // Messages to entities on this runner are handed over as values; the schemas still
        // encode everything that is persisted or crosses to another runner.
        simulateRemoteSerialization: false,
        ...shardingConfig
      }
    }).pipe(Layer.provide(ClusterSql))

/**
 * Stock plus checkout and catalogue: the Order entity (its own lifecycle) and its due sweep, placement, payment webhooks,
 * the pricing chain and browse/search, on the gateway, price cache, competitor
 * feed and vendor secret provided. The pricing jobs are added separately
 * (`PricingJobsLive`), so a test can run without them.
 */
export const checkoutRunner = (shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]>) =>
  Layer.mergeAll(PaymentWebhooks.Default, CatalogueLive).pipe(
    Layer.provideMerge(OrdersLive),
    Layer.provideMerge(PricingLive),
    Layer.provideMerge(runner(shardingConfig))
  )

export const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([HealthHttpLive, StockHttpLive, OrdersApiLive, CatalogueApiLive]),
  Layer.provide([AdminAuthLive, CustomerAuthLive])
)

/**
 * `Server-Timing: app;dur=<ms>` on every response: the time spent in the server from
 * routing to the response, which browsers' dev tools and the benchmarks read.
 */
const serverTiming = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeNanos
    // A pre-response handler also sees responses the router answers by failing (404s, decode errors).
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.map(Clock.currentTimeNanos, (end) =>
        HttpServerResponse.setHeader(response, "server-timing", `app;dur=${(Number(end - start) / 1e6).toFixed(3)}`))
    )
    return yield* app
  })
)

/**
 * Serves the API, `/openapi.json` and Swagger UI at `/docs` on whatever HttpServer is provided.
 * Requests over their rate limits get 429 (`RateLimits`, provided by the caller), then bodies are
 * limited and checked before any route sees them (`MAX_BODY_BYTES`, `MAX_WEBHOOK_BODY_BYTES`);
 * errors answer short JSON bodies.
 */
export const HttpLive = Layer.unwrapEffect(Effect.zipWith(Effect.orDie(BodyLimitsFromConfig), RateLimits, (limits, rateLimits) =>
  HttpApiBuilder.serve((app) => HttpMiddleware.logger(serverTiming(rateLimits.middleware(bodyLimits(limits)(app)))))
)).pipe(
  Layer.provide([ShortDecodeErrorsLive, InternalErrorBodyLive]),
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(ApiLive)
)
