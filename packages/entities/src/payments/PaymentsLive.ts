import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"
import type { ConfigError } from "effect"
import Razorpay from "razorpay"
import { GatewayOrder, GatewayPayment, GatewayRefund, Payments, PaymentsError, PaymentStatus } from "./Payments.js"
import { signatureMatches } from "../platform/Signatures.js"

export interface PaymentsConfig {
  readonly keyId: string
  readonly keySecret: Redacted.Redacted
  readonly webhookSecret: Redacted.Redacted
  /** Where the SDK sends requests instead of https://api.razorpay.com (our stand-in). */
  readonly baseUrl?: string
}

/**
 * The axios instance the SDK keeps at `razorpay.api.rq`. Its typings leave it out, yet it is the
 * only way to change the host (hard-coded in the constructor), add a timeout (axios has none by
 * default, so a hung connection would hang the caller forever) or send a per-request header.
 */
interface SdkAxios {
  readonly defaults: { baseURL?: string; timeout?: number; headers: { common: Record<string, unknown> } }
  readonly interceptors: {
    readonly response: { use(onFulfilled: undefined, onRejected: (error: unknown) => unknown): number }
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const sdkAxios = (sdk: Razorpay): SdkAxios => {
  const rq: unknown = isRecord(sdk.api) ? sdk.api["rq"] : undefined
  // An axios instance is a function with properties.
  if (typeof rq === "function" && "defaults" in rq && isRecord(rq.defaults) && "interceptors" in rq) {
    return rq as unknown as SdkAxios
  }
  throw new Error("razorpay SDK no longer exposes api.rq; PaymentsLive needs updating")
}

/**
 * The SDK's error normaliser reads `err.response.status` unconditionally, so a refused connection
 * or timeout would reach us as a bare TypeError with the cause lost. Give such errors a
 * response-shaped body (no status) so they come out as `{ statusCode: undefined, error }`.
 * Only code and message are kept: the axios error also carries the request config, which holds
 * the key secret.
 */
const keepNetworkErrors = (error: unknown): Promise<never> => {
  if (isRecord(error) && isRecord(error["response"])) return Promise.reject(error)
  const code = isRecord(error) && typeof error["code"] === "string" ? error["code"] : "NETWORK_ERROR"
  const message = error instanceof Error ? error.message : "request failed"
  return Promise.reject({ response: { status: undefined, data: { error: { code, description: message } } } })
}

const makeSdk = (config: PaymentsConfig, headers: Record<string, string> = {}): Razorpay => {
  const sdk = new Razorpay({ key_id: config.keyId, key_secret: Redacted.value(config.keySecret) })
  const rq = sdkAxios(sdk)
  if (config.baseUrl !== undefined) rq.defaults.baseURL = config.baseUrl
  rq.defaults.timeout = 30_000
  Object.assign(rq.defaults.headers.common, headers)
  rq.interceptors.response.use(undefined, keepNetworkErrors)
  return sdk
}

/** What the SDK rejects with after normalising: `{ statusCode, error: { code, description } }`. */
const toPaymentsError = (operation: string) => (cause: unknown): PaymentsError => {
  if (isRecord(cause) && "statusCode" in cause) {
    const body = isRecord(cause["error"]) ? cause["error"] : {}
    const code = typeof body["code"] === "string" ? body["code"] : undefined
    const description = typeof body["description"] === "string" ? body["description"] : undefined
    const status = Number(cause["statusCode"])
    if (!Number.isInteger(status)) {
      const message = `${code ?? "NETWORK_ERROR"}: ${description ?? "no response"}`
      return new PaymentsError({ operation, message, retryable: true })
    }
    // A proxy's HTML error page leaves no `error` body: fall back to the status.
    const message = `${code ?? "HTTP"}: ${description ?? `status ${status}`}`
    // 409: an idempotent refund with this key is still in flight; Razorpay says to retry.
    const retryable = status >= 500 || status === 409 || status === 429
    return new PaymentsError({ operation, message, status, retryable })
  }
  // The SDK throws plain Errors for missing arguments before any request is made.
  const message = cause instanceof Error ? cause.message : "unexpected failure"
  return new PaymentsError({ operation, message, retryable: false })
}

const OrderJson = Schema.Struct({
  id: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  receipt: Schema.NullOr(Schema.String),
  status: Schema.String
})

const PaymentJson = Schema.Struct({
  id: Schema.String,
  order_id: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  status: PaymentStatus,
  method: Schema.String,
  amount_refunded: Schema.Int,
  error_code: Schema.NullOr(Schema.String),
  error_description: Schema.NullOr(Schema.String)
})

const PaymentCollectionJson = Schema.Struct({ items: Schema.Array(PaymentJson) })

const RefundJson = Schema.Struct({
  id: Schema.String,
  payment_id: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  status: Schema.String
})

const toPayment = (p: typeof PaymentJson.Type) =>
  new GatewayPayment({
    id: p.id,
    orderId: p.order_id,
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    method: p.method,
    amountRefunded: p.amount_refunded,
    errorCode: p.error_code,
    errorDescription: p.error_description
  })

const make = (config: PaymentsConfig): Payments["Type"] => {
  const sdk = makeSdk(config)

  const call = <A, I>(
    operation: string,
    request: () => Promise<unknown>,
    schema: Schema.Schema<A, I>
  ): Effect.Effect<A, PaymentsError> =>
    Effect.tryPromise({ try: request, catch: toPaymentsError(operation) }).pipe(
      Effect.flatMap(Schema.decodeUnknown(schema)),
      Effect.catchTag("ParseError", (error) =>
        Effect.fail(
          new PaymentsError({ operation, message: `unexpected response: ${error.message}`, retryable: false })
        ))
    )

  return {
    keyId: config.keyId,
    createOrder: (input) =>
      call(
        "createOrder",
        () =>
          sdk.orders.create({
            amount: input.amount,
            currency: input.currency,
            receipt: input.receipt,
            ...(input.notes === undefined ? {} : { notes: { ...input.notes } })
          }),
        OrderJson
      ).pipe(Effect.map((o) => new GatewayOrder({ ...o, receipt: o.receipt ?? "" }))),
    fetchOrderPayments: (orderId) =>
      call("fetchOrderPayments", () => sdk.orders.fetchPayments(orderId), PaymentCollectionJson).pipe(
        Effect.map((c) => c.items.map(toPayment))
      ),
    fetchPayment: (paymentId) =>
      call("fetchPayment", () => sdk.payments.fetch(paymentId), PaymentJson).pipe(Effect.map(toPayment)),
    refund: (input) =>
      // `payments.refund` takes no headers and the constructor only passes through X-Razorpay-Account
      // and Content-Type, so the idempotency key rides on a client made for this one request.
      call(
        "refund",
        () =>
          makeSdk(config, { "X-Refund-Idempotency": input.idempotencyKey }).payments.refund(input.paymentId, {
            amount: input.amount,
            speed: "normal",
            ...(input.notes === undefined ? {} : { notes: { ...input.notes } })
          }),
        RefundJson
      ).pipe(
        Effect.map((r) =>
          new GatewayRefund({ id: r.id, paymentId: r.payment_id, amount: r.amount, currency: r.currency, status: r.status })
        )
      ),
    verifyCheckoutSignature: ({ orderId, paymentId, signature }) =>
      signatureMatches(Redacted.value(config.keySecret), `${orderId}|${paymentId}`, signature),
    verifyWebhookSignature: (rawBody, signature) => signatureMatches(Redacted.value(config.webhookSecret), rawBody, signature)
  }
}

/** The gateway through the official `razorpay` SDK. Secrets stay Redacted until the SDK or HMAC needs them. */
export const PaymentsLive = (config: PaymentsConfig): Layer.Layer<Payments> => Layer.sync(Payments, () => make(config))

export const PaymentsFromConfig: Layer.Layer<Payments, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(
    Config.all({
      keyId: Config.nonEmptyString("RAZORPAY_KEY_ID"),
      keySecret: Config.redacted("RAZORPAY_KEY_SECRET"),
      webhookSecret: Config.redacted("RAZORPAY_WEBHOOK_SECRET"),
      baseUrl: Config.option(Config.nonEmptyString("RAZORPAY_BASE_URL"))
    }),
    ({ baseUrl, ...keys }) =>
      PaymentsLive(Option.match(baseUrl, { onNone: () => keys, onSome: (url) => ({ ...keys, baseUrl: url }) }))
  )
)
