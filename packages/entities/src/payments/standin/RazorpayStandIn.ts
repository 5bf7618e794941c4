import * as http from "node:http"
import { Context, Effect, FiberSet, Layer, Random } from "effect"
import type { Scope } from "effect"
import type { GatewayPayment, GatewayRefund } from "../Payments.js"
import { ApiError, makeIds, makeLedger, StandInError } from "./RazorpayStandInLedger.js"
import type { PayOptions } from "./RazorpayStandInLedger.js"
import { openJournal } from "./RazorpayStandInJournal.js"
import { makeWebhooks } from "./RazorpayStandInWebhooks.js"
import type { Backoff, Delivery, DeliveryOptions } from "./RazorpayStandInWebhooks.js"
import { sameSecret } from "../../platform/Signatures.js"

export { StandInError } from "./RazorpayStandInLedger.js"
export type { PayOptions } from "./RazorpayStandInLedger.js"
export type { Backoff, Delivery, DeliveryOptions } from "./RazorpayStandInWebhooks.js"

export interface StandInConfig {
  readonly keyId: string
  readonly keySecret: string
  readonly webhookSecret: string
  /** Where to POST webhooks; can be set later with `setWebhookUrl` (until then attempts fail and are retried). */
  readonly webhookUrl?: string
  /** 0 (the default) picks a free port. */
  readonly port?: number
  /** Attempts per webhook copy before giving up; default 8 (1+2+4+…+60 s ≈ two minutes of backoff). */
  readonly webhookAttempts?: number
  /** Wait after a failed attempt, doubling each time; default 1 s doubling up to 60 s. */
  readonly webhookBackoff?: Partial<Backoff>
  /** A file to keep the account's records in across restarts (embedded mode's `DATA_DIR`); memory only without. */
  readonly journalFile?: string
}

/**
 * A local Razorpay for embedded mode, tests and its own process (`standin.ts`): the REST subset
 * our SDK calls use (Basic auth, orders, payments, refunds with X-Refund-Idempotency), kept in
 * memory, plus the customer's side (`pay`, also `POST /v1/dev/payments/{orderId}` under the same
 * Basic auth) and at-least-once webhooks.
 */
export class RazorpayStandIn extends Context.Tag("RazorpayStandIn")<RazorpayStandIn, {
  /** Give this to `PaymentsLive` as `baseUrl`. */
  readonly baseUrl: string
  readonly setWebhookUrl: (url: string) => Effect.Effect<void>
  /** Acts as the paying customer: creates a payment on the order and sends the webhooks Razorpay would send. */
  readonly pay: (orderId: string, options: PayOptions) => Effect.Effect<GatewayPayment, StandInError>
  /** Makes a payment exist without webhooks (late UPI: the saga finds it by fetching). */
  readonly payQuietly: (orderId: string, options: PayOptions) => Effect.Effect<GatewayPayment, StandInError>
  /** The refunds made on a payment, oldest first. */
  readonly refunds: (paymentId: string) => Effect.Effect<ReadonlyArray<GatewayRefund>>
  /** Replaces the delivery behaviour for webhooks sent from now on (omitted options go back to normal). */
  readonly setDelivery: (options: DeliveryOptions) => Effect.Effect<void>
  readonly deliveries: Effect.Effect<ReadonlyArray<Delivery>>
  /** Waits until every queued webhook copy was answered 2xx or given up (retries wait on the Effect clock). */
  readonly settled: Effect.Effect<void>
}>() {}


const errorJson = (code: string, description: string) => ({
  error: { code, description, source: "NA", step: "NA", reason: "NA", metadata: {} }
})

const make = (config: StandInConfig): Effect.Effect<RazorpayStandIn["Type"], StandInError, Scope.Scope> =>
  Effect.gen(function*() {
    const nextId = makeIds(BigInt(yield* Random.nextIntBetween(0, 2 ** 30)) << 30n)
    const webhooks = yield* makeWebhooks({
      secret: config.webhookSecret,
      url: config.webhookUrl,
      accountId: nextId("acc"),
      maxAttempts: config.webhookAttempts ?? 8,
      backoff: { first: "1 second", max: "60 seconds", ...config.webhookBackoff },
      nextEventId: () => nextId("evt")
    })
    const journalFile = config.journalFile
    const journal = journalFile === undefined ? undefined : yield* Effect.try({
      try: () => openJournal(journalFile),
      catch: (e) => new StandInError({ message: `stand-in journal ${journalFile}: ${String(e)}` })
    })
    const ledger = makeLedger({ nextId, send: webhooks.send, ...(journal === undefined ? {} : { journal }) })
    // Hashing both sides makes the constant-time comparison work for any header length.
    const expectedAuth = `Basic ${Buffer.from(`${config.keyId}:${config.keySecret}`).toString("base64")}`

    const routes: ReadonlyArray<
      readonly [string, RegExp, (id: string, req: http.IncomingMessage, body: string) => Effect.Effect<unknown, ApiError>]
    > = [
      ["POST", /^\/v1\/orders$/, (_, __, body) => ledger.createOrder(body)],
      ["GET", /^\/v1\/orders\/([^/]+)\/payments$/, (id) => ledger.orderPayments(id)],
      ["GET", /^\/v1\/payments\/([^/]+)$/, (id) => ledger.fetchPayment(id)],
      ["POST", /^\/v1\/dev\/payments\/([^/]+)$/, (id, _, body) => ledger.payOverHttp(id, body)],
      ["POST", /^\/v1\/payments\/([^/]+)\/refund$/, (id, req, body) => {
        const key = req.headers["x-refund-idempotency"]
        return ledger.refund(id, body, Array.isArray(key) ? key[0] : key)
      }]
    ]

    const handle = (req: http.IncomingMessage, body: string): Effect.Effect<{ status: number; json: unknown }> => {
      const answer = (effect: Effect.Effect<unknown, ApiError>) =>
        effect.pipe(
          Effect.map((json) => ({ status: 200, json })),
          Effect.catchTag("ApiError", (e) =>
            Effect.succeed({ status: e.status, json: errorJson("BAD_REQUEST_ERROR", e.description) })),
          Effect.catchAllDefect(() =>
            Effect.succeed({ status: 500, json: errorJson("SERVER_ERROR", "The server encountered an error") }))
        )
      if (!sameSecret(req.headers.authorization ?? "", expectedAuth)) {
        return answer(Effect.fail(new ApiError({ status: 401, description: "Authentication failed" })))
      }
      const path = new URL(req.url ?? "/", "http://stand-in").pathname
      for (const [method, pattern, run] of routes) {
        const match = pattern.exec(path)
        if (match !== null && req.method === method) return answer(run(decodeURIComponent(match[1] ?? ""), req, body))
      }
      return Effect.succeed({ status: 404, json: errorJson("BAD_REQUEST_ERROR", "The requested URL was not found on the server.") })
    }

    // Handlers run as fibers of this layer, so they see its Clock (TestClock in tests) and stop with it.
    const run = yield* FiberSet.runtime(yield* FiberSet.make())<never>()
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        run(Effect.flatMap(handle(req, Buffer.concat(chunks).toString("utf8")), ({ json, status }) =>
          Effect.sync(() => {
            res.writeHead(status, { "content-type": "application/json" })
            res.end(JSON.stringify(json))
          })))
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number, StandInError>((resume) => {
        server.once("error", (e) => resume(new StandInError({ message: `stand-in cannot listen: ${e.message}` })))
        server.listen(config.port ?? 0, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          // The SDK's agent keeps connections alive; without this, close waits for them to idle out.
          server.closeAllConnections()
        })
    )

    return {
      baseUrl: `http://127.0.0.1:${port}`,
      setWebhookUrl: webhooks.setUrl,
      pay: (orderId, options) => ledger.pay(orderId, options, true),
      payQuietly: (orderId, options) => ledger.pay(orderId, options, false),
      refunds: ledger.refundsOf,
      setDelivery: webhooks.setDelivery,
      deliveries: webhooks.deliveries,
      settled: webhooks.settled
    }
  })

/** Scoped: the server closes and pending webhook deliveries stop when the layer's scope closes. */
export const layer = (config: StandInConfig): Layer.Layer<RazorpayStandIn, StandInError> =>
  Layer.scoped(RazorpayStandIn, make(config))
