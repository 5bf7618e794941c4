import { FetchHttpClient } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { PricingJobsLive } from "@qc/jobs/PricingJobs"
import { CompetitorPricesFromConfig } from "@qc/entities/pricing/CompetitorPrices"
import { PriceCacheFromConfig } from "@qc/entities/pricing/PriceCacheRedis"
import { VendorWebhookSecretFromConfig } from "@qc/entities/pricing/PricingRuleStore"
import { WmsWebhookSecretFromConfig } from "@qc/entities/stores/WmsWebhooks"
import { DatabaseLive } from "@qc/entities/platform/Database"
import { demoCustomers } from "@qc/entities/demo/Seed"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { createServer } from "node:http"
import { AdminKey, AdminKeyFromConfig } from "./AdminAuth.js"
import { checkoutRunner, databaseReady, HttpLive } from "./App.js"
import type { ClusterRole } from "./ClusterRoles.js"
import { authSecretConfigured, AuthSecretFromConfig, issueToken } from "./CustomerAuth.js"
import { ObservabilityLive } from "./observability/Observability.js"
import { PaymentsMode, StandInWebhookTarget } from "./PaymentsMode.js"
import { OtpLimitsFromConfig } from "./customers/OtpLimits.js"
import { RateLimitsFromConfig } from "./RateLimits.js"

const port = Config.integer("PORT").pipe(Config.withDefault(8080))

const Banner = Layer.effectDiscard(
  Effect.gen(function*() {
    const admin = yield* AdminKey
    yield* Effect.logInfo(`listening on http://localhost:${yield* port} (API docs at /docs)`)
    if (admin.generated) {
      // Printed on purpose: with no ADMIN_API_KEY configured, this is the only way to learn the key.
      yield* Effect.logWarning(`no ADMIN_API_KEY set; this run's admin key: ${Redacted.value(admin.key)}`)
    }
    // Only for a server that made up its own auth secret (a laptop demo): with AUTH_SECRET set,
    // a working customer token in the logs would be a credential anyone reading them could use.
    if (!(yield* authSecretConfigured)) {
      const customer = demoCustomers[0]
      yield* Effect.logInfo(`demo customer ${customer.id} (${customer.name}) bearer token: ${yield* issueToken(customer.id)}`)
    }
  })
)

const ServerLive = Layer.unwrapEffect(Effect.map(port, (port) => NodeHttpServer.layer(createServer, { port })))

const HttpProcess = Layer.mergeAll(HttpLive, Banner, StandInWebhookTarget).pipe(
  Layer.provide(ServerLive),
  Layer.provide(RateLimitsFromConfig),
  Layer.provide(OtpLimitsFromConfig)
)

/**
 * Settings every process of a cluster must share, checked before anything starts: one
 * Postgres, one payment gateway (Razorpay or `pnpm standin`, never an in-process stand-in
 * whose orders the other processes cannot see), and the secrets tokens and admin calls are
 * checked with (each process would otherwise make up its own).
 */
export const requireClusterSettings = Effect.gen(function*() {
  const missing: Array<string> = []
  for (const name of ["DATABASE_URL", "RAZORPAY_KEY_ID", "AUTH_SECRET", "ADMIN_API_KEY", "VENDOR_WEBHOOK_SECRET", "WMS_WEBHOOK_SECRET"]) {
    if (Option.isNone(yield* Config.option(Config.nonEmptyString(name)))) missing.push(name)
  }
  if (missing.length > 0) {
    return yield* Effect.dieMessage(
      `a cluster process needs ${missing.join(", ")} (shared by every runner and api process; see the README). ` +
        "For one process on a laptop use `pnpm start`."
    )
  }
}).pipe(Effect.orDie)

/**
 * One process of the system: its part in the cluster (`role`), whether it serves HTTP
 * (`PORT`) and whether it runs the pricing jobs (crons are cluster singletons; the warm-up
 * and the markdown-on-receipt subscriber run where entities are hosted).
 */
export const processLayer = (role: ClusterRole, options: { readonly http: boolean; readonly jobs: boolean }) =>
  Layer.mergeAll(options.http ? HttpProcess : Layer.empty, options.jobs ? PricingJobsLive : Layer.empty).pipe(
    Layer.provide(checkoutRunner(undefined, role)),
    Layer.provide(Layer.mergeAll(PriceCacheFromConfig, VendorWebhookSecretFromConfig, WmsWebhookSecretFromConfig)),
    Layer.provide(CompetitorPricesFromConfig),
    Layer.provide(Layer.mergeAll(NodeContext.layer, FetchHttpClient.layer)),
    Layer.provide(PaymentsMode),
    Layer.provide(AdminKeyFromConfig),
    Layer.provide(AuthSecretFromConfig),
    Layer.provide(databaseReady(DatabaseLive)),
    Layer.provide(ObservabilityLive)
  )
