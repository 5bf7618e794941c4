import type { ShardingConfig } from "@effect/cluster"
import { FetchHttpClient, HttpApiBuilder, HttpApiSwagger, HttpApp, HttpMiddleware, HttpServerResponse } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import { Api } from "@qc/domain/Api"
import { CatalogueLive } from "@qc/entities/catalogue/CatalogueLive"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { OrdersLive } from "@qc/entities/orders/OrdersLive"
import { PricingLive } from "@qc/entities/pricing/PricingLive"
import { StockLive } from "@qc/entities/stock/StockLive"
import { StoresLive } from "@qc/entities/stores/StoresLive"
import { CartLive } from "@qc/entities/customers/CartLive"
import { CustomersLive } from "@qc/entities/customers/CustomersLive"
import { ChannelsFromConfig, notificationsOn } from "@qc/entities/notifications/NotificationChannels"
import type { Push } from "@qc/entities/notifications/Push"
import type { Sms } from "@qc/entities/notifications/Sms"
import { RiderDispatchFromConfig } from "@qc/entities/stores/riders/RiderDispatchHttp"
import { startupSection } from "@qc/entities/platform/Database"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import { MigrationsLive } from "@qc/entities/platform/Migrations"
import { PaymentWebhooks } from "@qc/entities/payments/PaymentWebhooks"
import { SeedLive } from "@qc/entities/demo/Seed"
import { WmsWebhooks } from "@qc/entities/stores/WmsWebhooks"
import { Clock, Effect, Layer } from "effect"
import { AdminAuthLive } from "./AdminAuth.js"
import { bodyLimits, BodyLimitsFromConfig } from "./BodyLimits.js"
import type { ClusterRole } from "./ClusterRoles.js"
import { clusterFor, SingleRole } from "./ClusterRoles.js"
import { CatalogueApiLive } from "./CatalogueHttp.js"
import { CustomerAuthLive } from "./CustomerAuth.js"
import { AuthHttpLive } from "./customers/AuthHttp.js"
import { MeHttpLive } from "./customers/MeHttp.js"
import { SignIn } from "./customers/SignIn.js"
import { InternalErrorBodyLive, ShortDecodeErrorsLive } from "./ErrorResponses.js"
import { HealthHttpLive } from "./HealthHttp.js"
import { httpMetrics } from "./observability/HttpMetrics.js"
import { MetricsHttpLive } from "./observability/MetricsHttp.js"
import { OrdersApiLive } from "./OrdersHttp.js"
import { RateLimits } from "./RateLimits.js"
import { StockHttpLive } from "./StockHttp.js"
import { RiderAuthLive, StaffAuthLive } from "./StaffAuth.js"
import { FulfilmentApiLive } from "./stores/FulfilmentHttp.js"
import { CartHttpLive } from "./customers/CartHttp.js"
import { NotificationsHttpLive } from "./notifications/NotificationsHttp.js"
import { OpsPageLive } from "./stores/OpsPage.js"

/**
 * Schema up to date and, on an empty database, the demo catalogue loaded. Processes starting
 * together on one Postgres take turns (`startupSection`, an advisory lock), so migrations and
 * the seed run once and the others find them done.
 */
export const databaseReady = <E, R>(database: Layer.Layer<SqlClient.SqlClient, E, R>) =>
  Layer.effectDiscard(startupSection(Effect.scoped(Layer.build(SeedLive.pipe(Layer.provide(MigrationsLive)))))).pipe(
    Layer.provideMerge(database)
  )

/**
 * The runner: sharding with SQL message and runner storage, and every entity it hosts
 * (as a `Client` the same layers register no entity: sharding without an address hosts none).
 */
export const runner = (shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]>, role: ClusterRole = SingleRole) =>
  StockLive.pipe(
    Layer.provideMerge(CatalogueRepo.Default),
    Layer.provideMerge(DomainEvents.Default),
    Layer.provideMerge(clusterFor(role, shardingConfig))
  )

/**
 * Stock plus checkout, catalogue and carts: the Order entity (its own lifecycle) and its due sweep, placement, payment and WMS webhooks,
 * the pricing chain and browse/search, on the gateway, price cache, competitor
 * feed and vendor secret provided. The pricing jobs are added separately
 * (`PricingJobsLive`), so a test can run without them.
 */
export const checkoutRunner = (
  shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]>,
  role: ClusterRole = SingleRole,
  /** Push and SMS: Firebase and the HTTP gateway when configured, else recorded locally. */
  channels: Layer.Layer<Push | Sms, never, SqlClient.SqlClient> = ChannelsFromConfig
) =>
  Layer.mergeAll(PaymentWebhooks.Default, WmsWebhooks.Default, CatalogueLive, CartLive).pipe(
    Layer.provideMerge(OrdersLive),
    Layer.provideMerge(StoresLive),
    Layer.provideMerge(CustomersLive),
    // Customers are told from the outbox through a queue: nothing here waits on Firebase or an SMS gateway.
    Layer.provideMerge(notificationsOn(channels)),
    Layer.provideMerge(RiderDispatchFromConfig.pipe(Layer.provide(FetchHttpClient.layer))),
    Layer.provideMerge(PricingLive),
    Layer.provideMerge(runner(shardingConfig, role))
  )

export const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([HealthHttpLive, StockHttpLive, OrdersApiLive, CatalogueApiLive, FulfilmentApiLive, MeHttpLive, CartHttpLive]),
  Layer.provide(AuthHttpLive.pipe(Layer.provide(SignIn.Default))),
  Layer.provide([HealthHttpLive, StockHttpLive, OrdersApiLive, CatalogueApiLive, FulfilmentApiLive, NotificationsHttpLive]),
  Layer.provide([AdminAuthLive, CustomerAuthLive, StaffAuthLive, RiderAuthLive])
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
 * Serves the API, `/openapi.json`, Swagger UI at `/docs` and the store dashboard at `/ops` on whatever HttpServer is provided.
 * Requests over their rate limits get 429 (`RateLimits`, provided by the caller), then bodies are
 * limited and checked before any route sees them (`MAX_BODY_BYTES`, `MAX_WEBHOOK_BODY_BYTES`);
 * errors answer short JSON bodies.
 */
export const HttpLive = Layer.unwrapEffect(Effect.zipWith(Effect.orDie(BodyLimitsFromConfig), RateLimits, (limits, rateLimits) =>
  HttpApiBuilder.serve((app) => httpMetrics(HttpMiddleware.logger(serverTiming(rateLimits.middleware(bodyLimits(limits)(app))))))
)).pipe(
  Layer.provide([ShortDecodeErrorsLive, InternalErrorBodyLive]),
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(MetricsHttpLive),
  Layer.provide(OpsPageLive),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(ApiLive)
)
