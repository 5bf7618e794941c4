import { HttpServer } from "@effect/platform"
import type { Payments } from "@qc/entities/payments/Payments"
import { PaymentsFromConfig, PaymentsLive } from "@qc/entities/payments/PaymentsLive"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { randomBytes } from "node:crypto"
import { mkdirSync } from "node:fs"
import { join } from "node:path"

/**
 * The local Razorpay stand-in with fresh keys, and the live SDK layer pointed at it. With a
 * `journalFile`, its records outlive a restart (see `RazorpayStandInJournal`).
 */
export const standInPayments = (journalFile?: string): Layer.Layer<Payments | StandIn.RazorpayStandIn> => Layer.unwrapEffect(
  Effect.gen(function*() {
    const keys = {
      keyId: "rzp_test_standin",
      keySecret: randomBytes(18).toString("base64url"),
      webhookSecret: randomBytes(18).toString("base64url"),
      ...(journalFile === undefined ? {} : { journalFile })
    }
    return Layer.unwrapEffect(
      Effect.map(StandIn.RazorpayStandIn, (standIn) =>
        PaymentsLive({
          keyId: keys.keyId,
          keySecret: Redacted.make(keys.keySecret),
          webhookSecret: Redacted.make(keys.webhookSecret),
          baseUrl: standIn.baseUrl
        }))
    ).pipe(Layer.provideMerge(Layer.orDie(StandIn.layer(keys))))
  })
)

/** The stand-in in memory only (tests). */
export const StandInPayments = standInPayments()

/**
 * Real Razorpay when `RAZORPAY_KEY_ID` is set; otherwise our local stand-in (test mode),
 * which the same SDK layer talks to. The stand-in is announced loudly: no money moves.
 */
export const PaymentsMode: Layer.Layer<Payments, ConfigError> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const keyId = yield* Config.option(Config.nonEmptyString("RAZORPAY_KEY_ID"))
    if (Option.isSome(keyId)) {
      // Names the host, so a server pointed at `pnpm standin` says so in its first lines.
      const baseUrl = yield* Config.option(Config.nonEmptyString("RAZORPAY_BASE_URL"))
      yield* Effect.logInfo(
        `payments: Razorpay with the configured keys at ${Option.getOrElse(baseUrl, () => "https://api.razorpay.com")}`
      )
      return PaymentsFromConfig
    }
    yield* Effect.logWarning(
      "payments: NO RAZORPAY KEYS SET, using the local Razorpay stand-in (test mode, no money moves); " +
        "pay an order with POST /v1/dev/payments/{razorpayOrderId}"
    )
    const dataDir = yield* Config.string("DATA_DIR").pipe(Config.withDefault("./.data"))
    yield* Effect.sync(() => mkdirSync(dataDir, { recursive: true }))
    return standInPayments(join(dataDir, "standin-journal.jsonl"))
  })
)

/** Points the stand-in's webhooks at this server once it listens. */
export const StandInWebhookTarget = Layer.effectDiscard(
  Effect.gen(function*() {
    const standIn = yield* Effect.serviceOption(StandIn.RazorpayStandIn)
    if (Option.isNone(standIn)) return
    const server = yield* HttpServer.HttpServer
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    yield* standIn.value.setWebhookUrl(`http://127.0.0.1:${port}/v1/webhooks/razorpay`)
  })
)
