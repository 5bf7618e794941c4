import { RateLimiter } from "@effect/experimental"
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { SqlClient } from "@effect/sql"
import { Api } from "@qc/domain/Api"
import type { Push } from "@qc/entities/notifications/Push"
import type { Sms } from "@qc/entities/notifications/Sms"
import type { Payments } from "@qc/entities/payments/Payments"
import type { RazorpayStandIn } from "@qc/entities/payments/standin/RazorpayStandIn"
import * as Migrations from "@qc/entities/platform/Migrations"
import { seedDemoCatalogue } from "@qc/entities/demo/Seed"
import { AdminKey } from "@qc/server/AdminAuth"
import { checkoutRunner, HttpLive } from "@qc/server/App"
import { ObservabilityLive } from "@qc/server/observability/Observability"
import { AuthSecret } from "@qc/server/CustomerAuth"
import { RateLimits, rateLimitsLayer } from "@qc/server/RateLimits"
import type { OtpLimits } from "@qc/server/customers/OtpLimits"
import { otpLimitsLayer } from "@qc/server/customers/OtpLimits"
import { StandInPayments, StandInWebhookTarget } from "@qc/server/PaymentsMode"
import type { CompetitorSignal } from "@qc/domain/pricing/Pricing"
import { CompetitorPrices } from "@qc/entities/pricing/CompetitorPrices"
import { PriceCache, PriceCacheMemory, PriceCacheProbe } from "@qc/entities/pricing/PriceCache"
import { VendorWebhookSecret } from "@qc/entities/pricing/PricingRuleStore"
import { WmsWebhookSecret } from "@qc/entities/stores/WmsWebhooks"
import { PricingJobsLive } from "@qc/jobs/PricingJobs"
import { Duration, Effect, Layer, Logger, LogLevel, Redacted } from "effect"

export const adminKey = "test-admin-key"
export const vendorSecret = "test-vendor-secret"
export const wmsSecret = "test-wms-secret"

const roomy = { perSecond: 1_000_000, burst: 1_000_000 }

/**
 * Limits no test reaches (a TestClock that never moves refills nothing), counted in memory even
 * when REDIS_URL is set: the middleware runs on every request of the suite without refusing any.
 */
export const RoomyRateLimits = rateLimitsLayer({
  enabled: true,
  customer: roomy,
  address: roomy,
  webhooks: roomy,
  admin: roomy,
  trustedProxies: 0
}).pipe(Layer.provide(RateLimiter.layerStoreMemory))

/**
 * Sign-in codes without limits a suite reaches (a phone may ask again at once), in memory: many
 * tests sign in from the same address. The OTP rate-limit test passes tight ones.
 */
export const RoomyOtpLimits = otpLimitsLayer({
  resendAfter: Duration.zero,
  perPhonePerHour: 1_000_000,
  perAddressPerHour: 1_000_000,
  trustedProxies: 0
}).pipe(Layer.provide(RateLimiter.layerStoreMemory))

/**
 * The whole server as `start` runs it (migrations, demo seed, single runner on SQL
 * storage, HTTP API), on a test database and an in-process HTTP server.
 */
export const stackLayer = (
  database: Layer.Layer<SqlClient.SqlClient>,
  options?: {
    readonly skuCount?: number
    /** Share one gateway across stacks (a restart keeps Razorpay's state, as the real one would). */
    readonly payments?: Layer.Layer<Payments | RazorpayStandIn>
    /** What the competitor feed reports (default: nothing). */
    readonly competitors?: ReadonlyArray<CompetitorSignal>
    /** Run the pricing jobs (warm-up, crons, markdown on receipt); off by default so prices are the catalogue's. */
    readonly pricingJobs?: boolean
    /** Default: in memory. */
    readonly priceCache?: Layer.Layer<PriceCache | PriceCacheProbe>
    /** Default: `RoomyRateLimits`. */
    readonly rateLimits?: Layer.Layer<RateLimits, never, AuthSecret | AdminKey>
    /** Default: `RoomyOtpLimits`. */
    readonly otpLimits?: Layer.Layer<OtpLimits>
    /** Customers' push and SMS channels (default: chosen by config, i.e. recorded locally). */
    readonly channels?: Layer.Layer<Push | Sms, never, SqlClient.SqlClient>
  }
) =>
  Layer.mergeAll(HttpLive, StandInWebhookTarget, options?.pricingJobs ? PricingJobsLive : Layer.empty).pipe(
    Layer.provide(options?.rateLimits ?? RoomyRateLimits),
    Layer.provide(options?.otpLimits ?? RoomyOtpLimits),
    Layer.provideMerge(checkoutRunner(undefined, undefined, options?.channels)),
    Layer.provideMerge(options?.payments ?? StandInPayments),
    Layer.provideMerge(options?.priceCache ?? PriceCacheMemory),
    Layer.provideMerge(Layer.succeed(VendorWebhookSecret, Redacted.make(vendorSecret))),
    Layer.provideMerge(Layer.succeed(WmsWebhookSecret, Redacted.make(wmsSecret))),
    Layer.provideMerge(Layer.succeed(CompetitorPrices, CompetitorPrices.of({
      source: "test",
      fetch: Effect.succeed(options?.competitors ?? [])
    }))),
    Layer.provide(Layer.succeed(AdminKey, { key: Redacted.make(adminKey), generated: false })),
    Layer.provideMerge(Layer.succeed(AuthSecret, Redacted.make(new TextEncoder().encode("test-auth-secret")))),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(
      Layer.effectDiscard(
        Effect.zipRight(Effect.orDie(Migrations.run), seedDemoCatalogue({ skuCount: options?.skuCount ?? 300 }))
      ).pipe(Layer.provideMerge(database))
    ),
    // `/metrics` and the metric reader, as `main.ts` provides them.
    Layer.provide(ObservabilityLive),
    // Request logs of a thousand-request storm drown the test report.
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
  )

/** Typed clients as an app would use them: anonymous and with the admin key. */
export const apiClients = Effect.gen(function*() {
  const anonymous = yield* HttpApiClient.make(Api)
  const admin = yield* HttpApiClient.make(Api, {
    transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-admin-key", adminKey))
  })
  const raw = yield* HttpClient.HttpClient
  return { anonymous, admin, raw } as const
})
