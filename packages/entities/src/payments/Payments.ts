import { Context, Schema } from "effect"
import type { Effect } from "effect"

/** A call to the payment gateway failed; `retryable` for network errors and 5xx. */
export class PaymentsError extends Schema.TaggedError<PaymentsError>()("PaymentsError", {
  operation: Schema.String,
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  retryable: Schema.Boolean
}) {}

export const PaymentStatus = Schema.Literal("created", "authorized", "captured", "refunded", "failed")
export type PaymentStatus = typeof PaymentStatus.Type

/** A Razorpay order: what the app opens checkout with. Amounts are integer paise. */
export class GatewayOrder extends Schema.Class<GatewayOrder>("GatewayOrder")({
  id: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  receipt: Schema.String,
  status: Schema.String
}) {}

export class GatewayPayment extends Schema.Class<GatewayPayment>("GatewayPayment")({
  id: Schema.String,
  orderId: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  status: PaymentStatus,
  method: Schema.String,
  amountRefunded: Schema.Int,
  errorCode: Schema.NullOr(Schema.String),
  errorDescription: Schema.NullOr(Schema.String)
}) {}

export class GatewayRefund extends Schema.Class<GatewayRefund>("GatewayRefund")({
  id: Schema.String,
  paymentId: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  status: Schema.String
}) {}

/**
 * The payment gateway (Razorpay). The live layer uses the `razorpay` SDK with keys from
 * config; in embedded mode and in tests the same SDK talks to our local stand-in.
 */
export class Payments extends Context.Tag("Payments")<Payments, {
  /** Public key id, handed to the app for checkout. */
  readonly keyId: string
  readonly createOrder: (input: {
    readonly amount: number
    readonly currency: "INR"
    /** Our order id; shows in the Razorpay dashboard. */
    readonly receipt: string
    readonly notes?: Readonly<Record<string, string>>
  }) => Effect.Effect<GatewayOrder, PaymentsError>
  readonly fetchOrderPayments: (orderId: string) => Effect.Effect<ReadonlyArray<GatewayPayment>, PaymentsError>
  readonly fetchPayment: (paymentId: string) => Effect.Effect<GatewayPayment, PaymentsError>
  /** Refunds `amount` paise of a captured payment; the same `idempotencyKey` never refunds twice. */
  readonly refund: (input: {
    readonly paymentId: string
    readonly amount: number
    readonly idempotencyKey: string
    readonly notes?: Readonly<Record<string, string>>
  }) => Effect.Effect<GatewayRefund, PaymentsError>
  /** Checkout callback: HMAC-SHA256 of `order_id|payment_id` with the key secret, constant-time. */
  readonly verifyCheckoutSignature: (input: {
    readonly orderId: string
    readonly paymentId: string
    readonly signature: string
  }) => boolean
  /** Webhook: HMAC-SHA256 hex of the raw body with the webhook secret, constant-time. */
  readonly verifyWebhookSignature: (rawBody: Uint8Array, signature: string) => boolean
}>() {}
