import { FetchHttpClient } from "@effect/platform"
import { NodeContext, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { PricingJobsLive } from "@qc/jobs/PricingJobs"
import { CompetitorPricesFromConfig } from "@qc/entities/pricing/CompetitorPrices"
import { PriceCacheFromConfig } from "@qc/entities/pricing/PriceCacheRedis"
import { VendorWebhookSecretFromConfig } from "@qc/entities/pricing/PricingRuleStore"
import { DatabaseLive } from "@qc/entities/platform/Database"
import { demoCustomers } from "@qc/entities/demo/Seed"
import { Config, Effect, Layer, Redacted } from "effect"
import { createServer } from "node:http"
import { AdminKey, AdminKeyFromConfig } from "./AdminAuth.js"
import { checkoutRunner, databaseReady, HttpLive } from "./App.js"
import { authSecretConfigured, AuthSecretFromConfig, issueToken } from "./CustomerAuth.js"
import { PaymentsMode, StandInWebhookTarget } from "./PaymentsMode.js"
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

const MainLive = Layer.mergeAll(HttpLive, Banner, StandInWebhookTarget, PricingJobsLive).pipe(
  Layer.provide(ServerLive),
  Layer.provide(RateLimitsFromConfig),
  Layer.provide(checkoutRunner()),
  Layer.provide(Layer.mergeAll(PriceCacheFromConfig, VendorWebhookSecretFromConfig)),
  Layer.provide(CompetitorPricesFromConfig),
  Layer.provide(Layer.mergeAll(NodeContext.layer, FetchHttpClient.layer)),
  Layer.provide(PaymentsMode),
  Layer.provide(AdminKeyFromConfig),
  Layer.provide(AuthSecretFromConfig),
  Layer.provide(databaseReady(DatabaseLive))
)

NodeRuntime.runMain(Layer.launch(MainLive))
