import { Schema } from "effect"
import { StoreId } from "../Ids.js"
import { Paise } from "../Money.js"
import { CustomerId, OrderId } from "../orders/Order.js"
import { eventSchema } from "./EventSchema.js"

/** A picker took the order's lines at a store (claimed, or auto-assigned). Aggregate: the order id. */
export const OrderPicking = eventSchema("order.picking", Schema.Struct({ orderId: OrderId, storeId: StoreId, pickerId: Schema.String }))

/** Every store packed its part; `shortUnits` were missing, refunded as `shortRefund` paise. */
export const OrderPacked = eventSchema(
  "order.packed",
  Schema.Struct({ orderId: OrderId, shortUnits: Schema.Int, shortRefund: Paise })
)

/** A rider was sent; `etaAt` is when the order should reach the door. */
export const OrderRiderAssigned = eventSchema(
  "order.rider_assigned",
  Schema.Struct({ orderId: OrderId, riderId: Schema.String, etaAt: Schema.DateTimeUtc })
)

/** The rider picked it up: out for delivery. */
export const OrderDispatched = eventSchema("order.dispatched", Schema.Struct({ orderId: OrderId, riderId: Schema.String }))

/** At the customer's door; `paid` is what the customer paid net of refunds. */
export const OrderDelivered = eventSchema(
  "order.delivered",
  Schema.Struct({ orderId: OrderId, customerId: CustomerId, paid: Paise })
)

/** Ops gave up delivering after pick-up: refunded, the goods restocked or written off. */
export const OrderUndeliverable = eventSchema(
  "order.undeliverable",
  Schema.Struct({ orderId: OrderId, reason: Schema.String, stock: Schema.Literal("restock", "write_off") })
)

/** Something is late and a person should look: no rider free, or the delivery past its limit. */
export const OrderEscalated = eventSchema(
  "order.escalated",
  Schema.Struct({ orderId: OrderId, reason: Schema.Literal("no_rider", "delivery_timeout") })
)

/** After delivery: ask the customer for a review. */
export const OrderReviewRequested = eventSchema("order.review_requested", Schema.Struct({ orderId: OrderId, customerId: CustomerId }))

/** Loyalty points accrued for a delivered order (1 per ₹100 paid), once. Aggregate: the customer id. */
export const LoyaltyAccrued = eventSchema(
  "loyalty.accrued",
  Schema.Struct({ customerId: CustomerId, orderId: OrderId, points: Schema.Int })
)

/** Packing took longer than the SLA: the store manager's alert. Aggregate: the store id. */
export const StoreSlaBreached = eventSchema(
  "store.sla_breached",
  Schema.Struct({ storeId: StoreId, orderId: OrderId, slaDueAt: Schema.DateTimeUtc })
)

/** A store's settings changed (pincodes, hours, switch) or a store was added. Aggregate: the store id. */
export const StoreUpdated = eventSchema("store.updated", Schema.Struct({ storeId: StoreId }))

export const FulfilmentEvent = Schema.Union(
  OrderPicking,
  OrderPacked,
  OrderRiderAssigned,
  OrderDispatched,
  OrderDelivered,
  OrderUndeliverable,
  OrderEscalated,
  OrderReviewRequested
)

export const StoreEvent = Schema.Union(StoreSlaBreached, StoreUpdated, LoyaltyAccrued)
