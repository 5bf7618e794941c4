import { Schema } from "effect"
import { OrderId } from "../orders/Order.js"
import { eventSchema } from "./EventSchema.js"

/** A capture the order was paid with (amount in paise, as the gateway reported it). Aggregate: the order id. */
export const PaymentCaptured = eventSchema(
  "payment.captured",
  Schema.Struct({ orderId: OrderId, paymentId: Schema.String, amount: Schema.Int })
)
export type PaymentCaptured = typeof PaymentCaptured.Type

/** A refund recorded for the first time (later status reports of the same refund publish nothing). */
export const PaymentRefunded = eventSchema(
  "payment.refunded",
  Schema.Struct({ orderId: OrderId, paymentId: Schema.String, refundId: Schema.String, amount: Schema.Int, reason: Schema.String })
)
export type PaymentRefunded = typeof PaymentRefunded.Type

export const PaymentEvent = Schema.Union(PaymentCaptured, PaymentRefunded)
export type PaymentEvent = typeof PaymentEvent.Type
