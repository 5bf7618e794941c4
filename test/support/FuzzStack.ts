import { SqlClient } from "@effect/sql"
import { PaymentsLive } from "@qc/entities/payments/PaymentsLive"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Effect, Layer, Redacted } from "effect"
import type { JsonSchema } from "./FuzzSchema.js"
import type { Sendable } from "./FuzzRequests.js"

export const razorpayWebhookSecret = "fuzz-razorpay-webhook-secret"

/** The Razorpay stand-in with a webhook secret the fuzzer knows: a valid signature over a hostile body. */
export const KnownSecretPayments = Layer.unwrapEffect(
  Effect.map(StandIn.RazorpayStandIn, (standIn) =>
    PaymentsLive({
      keyId: "rzp_test_fuzz",
      keySecret: Redacted.make("fuzz-key-secret"),
      webhookSecret: Redacted.make(razorpayWebhookSecret),
      baseUrl: standIn.baseUrl
    }))
).pipe(Layer.provideMerge(Layer.orDie(StandIn.layer({
  keyId: "rzp_test_fuzz",
  keySecret: "fuzz-key-secret",
  webhookSecret: razorpayWebhookSecret,
  // A webhook our server refuses is not retried for two minutes behind the fuzzer's back.
  webhookAttempts: 1
}))))

const entity = (required: ReadonlyArray<string>, properties: Record<string, JsonSchema>): JsonSchema => ({
  type: "object",
  required,
  properties
})

/** A Razorpay webhook as `PaymentWebhooks` decodes it. */
export const razorpayEventSchema: JsonSchema = entity(["entity", "event", "payload"], {
  entity: { enum: ["event"] },
  event: { enum: ["payment.captured", "payment.failed", "payment.authorized", "refund.processed", "refund.failed"] },
  payload: entity(["payment"], {
    payment: entity(["entity"], {
      entity: entity(["id", "order_id", "amount", "currency", "status"], {
        id: { type: "string", pattern: "^pay_[A-Za-z0-9]{14}$" },
        order_id: { type: "string" },
        amount: { type: "integer", minimum: 1 },
        currency: { enum: ["INR"] },
        status: { enum: ["captured", "failed", "authorized"] },
        method: { enum: ["upi", "card", null] }
      })
    }),
    refund: entity(["entity"], {
      entity: entity(["id", "payment_id", "amount", "status"], {
        id: { type: "string", pattern: "^rfnd_[A-Za-z0-9]{14}$" },
        payment_id: { type: "string", pattern: "^pay_[A-Za-z0-9]{14}$" },
        amount: { type: "integer", minimum: 1 },
        status: { enum: ["processed", "failed"] }
      })
    })
  })
})

/** Stock, orders and events, as counts and sums cheap enough to take around every request. */
export const fingerprint = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<Record<string, string | number>>`SELECT
    (SELECT concat_ws('/', sum(on_hand), sum(reserved), sum(allocated), sum(version)) FROM store_skus) AS stock,
    (SELECT count(*) FROM stock_ledger) AS ledger,
    (SELECT concat_ws('/', count(*), sum(qty)) FROM stock_batches) AS batches,
    (SELECT count(*) FROM orders) AS orders,
    (SELECT count(*) FROM order_timeline) AS order_timeline,
    (SELECT count(*) FROM order_payments) AS payments,
    (SELECT count(*) FROM order_refunds) AS refunds,
    (SELECT coalesce(max(seq), 0) FROM outbox) AS events`
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))
}).pipe(Effect.orDie)

export type Fingerprint = Effect.Effect.Success<typeof fingerprint>

/** What differs, with the events written in between named (type and aggregate). */
export const changes = (before: Fingerprint, after: Fingerprint) =>
  Effect.gen(function*() {
    const changed = Object.keys(after).filter((k) => before[k] !== after[k]).map((k) => `${k} ${before[k]} → ${after[k]}`)
    if (before.events === after.events) return changed
    const sql = yield* SqlClient.SqlClient
    const events = yield* sql<{ type: string; aggregate_id: string }>`
      SELECT type, aggregate_id FROM outbox WHERE seq > ${Number(before.events)} ORDER BY seq LIMIT 6`
    return [...changed, `new events ${events.map((e) => `${e.type}(${e.aggregate_id})`).join(" ")}`]
  }).pipe(Effect.orDie)

const same = (a: Fingerprint, b: Fingerprint) => Object.keys(a).every((k) => a[k] === b[k])

/**
 * Waits until the fingerprint holds still for `quietReads` reads in a row (bounded), after any
 * pending stand-in webhooks were answered: what an accepted request set off has landed.
 */
export const settle = (quietReads: number) =>
  Effect.gen(function*() {
    const standIn = yield* StandIn.RazorpayStandIn
    yield* standIn.settled.pipe(Effect.timeout("2 seconds"), Effect.ignore)
    let last = yield* fingerprint
    for (let i = 0, quiet = 0; i < 200 && quiet < quietReads; i++) {
      yield* Effect.sleep("25 millis")
      const next = yield* fingerprint
      quiet = same(last, next) ? quiet + 1 : 0
      last = next
    }
    return last
  })

/** Orders a fuzzed checkout left waiting for payment: cancelled at once, or their deadline fires mid-run. */
export const awaitingPayment = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ id: string; customer_id: string }>`SELECT id, customer_id FROM orders WHERE status = 'AWAITING_PAYMENT'`).pipe(
    Effect.orDie
  )

export type Outcome =
  | { readonly _tag: "answered"; readonly status: number; readonly body: string }
  | { readonly _tag: "timeout" }
  | { readonly _tag: "error"; readonly message: string }

/** Never fails: an answer, a client timeout, or the connection error. */
export const send = (base: string, request: Sendable, timeoutMs: number) =>
  Effect.promise(async (): Promise<Outcome> => {
    try {
      const response = await fetch(base + request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(timeoutMs)
      })
      return { _tag: "answered", status: response.status, body: await response.text() }
    } catch (error) {
      return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")
        ? { _tag: "timeout" }
        : { _tag: "error", message: error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error) }
    }
  })
