import { Schema } from "effect"
import { Paise } from "../Money.js"
import { CustomerId, OrderId } from "../orders/Order.js"
import { eventSchema } from "./EventSchema.js"

/** An order was stored awaiting payment. Aggregate: the order id (all order events). */
export const OrderPlaced = eventSchema("order.placed", Schema.Struct({ orderId: OrderId, customerId: CustomerId, total: Paise }))
export type OrderPlaced = typeof OrderPlaced.Type

/** The payment was captured and matched the order's amount. */
export const OrderPaid = eventSchema("order.paid", Schema.Struct({ orderId: OrderId, paymentId: Schema.String }))
export type OrderPaid = typeof OrderPaid.Type

/** Every line's stock was allocated to the paid order. */
export const OrderConfirmed = eventSchema("order.confirmed", Schema.Struct({ orderId: OrderId, total: Paise }))
export type OrderConfirmed = typeof OrderConfirmed.Type

/** The order ended unpaid or unallocatable; `reason` as on its timeline (e.g. `payment_timeout`). */
export const OrderFailed = eventSchema("order.failed", Schema.Struct({ orderId: OrderId, reason: Schema.String }))
export type OrderFailed = typeof OrderFailed.Type

/** The customer cancelled before the order was paid. */
export const OrderCancelled = eventSchema("order.cancelled", Schema.Struct({ orderId: OrderId, reason: Schema.String }))
export type OrderCancelled = typeof OrderCancelled.Type

export const OrderEvent = Schema.Union(OrderPlaced, OrderPaid, OrderConfirmed, OrderFailed, OrderCancelled)
export type OrderEvent = typeof OrderEvent.Type
