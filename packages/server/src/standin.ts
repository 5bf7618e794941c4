import { NodeRuntime } from "@effect/platform-node"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Config, Duration, Effect, Layer, Logger, LogLevel, Redacted } from "effect"

/**
 * The Razorpay stand-in as its own process, so its account and its pending webhooks outlive a
 * crash of the server (as Razorpay does). The server reaches it like the real one: the same keys
 * plus `RAZORPAY_BASE_URL`.
 */
const StandInConfigFromEnv = Config.all({
  port: Config.integer("STANDIN_PORT").pipe(Config.withDefault(8090)),
  keyId: Config.nonEmptyString("RAZORPAY_KEY_ID"),
  keySecret: Config.redacted(Config.nonEmptyString("RAZORPAY_KEY_SECRET")),
  webhookSecret: Config.redacted(Config.nonEmptyString("RAZORPAY_WEBHOOK_SECRET")),
  webhookUrl: Config.nonEmptyString("STANDIN_WEBHOOK_URL").pipe(
    Config.withDefault("http://localhost:8080/v1/webhooks/razorpay")
  ),
  // 12 attempts at 1, 2, 4, … 60 s apart: about six minutes, enough for a server restart.
  webhookAttempts: Config.integer("STANDIN_WEBHOOK_ATTEMPTS").pipe(Config.withDefault(12)),
  retryBaseMs: Config.integer("STANDIN_RETRY_BASE_MS").pipe(Config.withDefault(1_000)),
  retryMaxMs: Config.integer("STANDIN_RETRY_MAX_MS").pipe(Config.withDefault(60_000))
})

const StandInLive = Layer.unwrapEffect(
  Effect.map(StandInConfigFromEnv, (config) =>
    StandIn.layer({
      port: config.port,
      keyId: config.keyId,
      keySecret: Redacted.value(config.keySecret),
      webhookSecret: Redacted.value(config.webhookSecret),
      webhookUrl: config.webhookUrl,
      webhookAttempts: config.webhookAttempts,
      webhookBackoff: { first: Duration.millis(config.retryBaseMs), max: Duration.millis(config.retryMaxMs) }
    }))
)

const Banner = Layer.effectDiscard(
  Effect.gen(function*() {
    const standIn = yield* StandIn.RazorpayStandIn
    const { keyId, webhookUrl } = yield* StandInConfigFromEnv
    // The test that spawns this process reads the address from this line.
    yield* Effect.logInfo(`Razorpay stand-in listening on ${standIn.baseUrl} (test mode, no money moves)`)
    yield* Effect.logInfo(`webhooks go to ${webhookUrl}; set RAZORPAY_BASE_URL=${standIn.baseUrl} on the server`)
    yield* Effect.logInfo(
      `pay as the customer: curl -u ${keyId}:$RAZORPAY_KEY_SECRET -X POST ${standIn.baseUrl}/v1/dev/payments/<razorpayOrderId> ` +
        `-H 'content-type: application/json' -d '{"outcome":"capture"}'`
    )
  })
)

NodeRuntime.runMain(
  Layer.launch(Banner.pipe(Layer.provide(StandInLive))).pipe(
    // Debug shows the webhooks delivered on their first attempt too, not only the retried ones.
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )
)
