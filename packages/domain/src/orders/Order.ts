import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Pincode } from "../catalogue/Catalogue.js"
import { SkuId, StoreId } from "../Ids.js"
import { Paise } from "../Money.js"
import { identifier, safeText } from "../Text.js"
import { Fulfilment } from "./Fulfilment.js"

export const CustomerId = identifier(64).pipe(Schema.brand("CustomerId"))
export type CustomerId = typeof CustomerId.Type

/**
 * `ord_{region}_` + a digest of (customer, Idempotency-Key): a retried POST lands on the same
 * order, and the region (of the store serving the delivery pincode) says which runners host
 * it. Orders placed before regions existed have no region part (`ord_` + digest).
 */
export const OrderId = safeText(72).pipe(
  Schema.pattern(/^ord_(?:[a-z][a-z0-9-]{0,39}_)?[a-z0-9]{20}$/, {
    message: () => "must be an order id: ord_, a region and _, then 20 lowercase letters or digits"
  }),
  Schema.brand("OrderId")
)
export type OrderId = typeof OrderId.Type

export const OrderStatus = Schema.Literal(
  "AWAITING_PAYMENT",
  "PAID",
  "CONFIRMED",
  "PICKING",
  "PACKED",
  "RIDER_ASSIGNED",
  "OUT_FOR_DELIVERY",
  "DELIVERED",
  "UNDELIVERABLE",
  "FAILED",
  "CANCELLED"
)
export type OrderStatus = typeof OrderStatus.Type

/** Why a price was charged: the rule that set it, its id and inputs. Stored on every order line. */
export const PricingContext = Schema.Struct({
  rule: Schema.String,
  ruleId: Schema.NullOr(Schema.String),
  reason: Schema.String,
  inputs: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})
export type PricingContext = typeof PricingContext.Type

export const OrderLine = Schema.Struct({
  skuId: SkuId,
  storeId: StoreId,
  qty: Schema.Int,
  unitPrice: Paise,
  pricingContext: PricingContext
})
export type OrderLine = typeof OrderLine.Type

export const PlaceOrderRequest = Schema.Struct({
  pincode: Pincode,
  items: Schema.Array(Schema.Struct({
    skuId: SkuId,
    qty: Schema.Int.pipe(Schema.between(1, 50))
  })).pipe(
    Schema.minItems(1),
    Schema.maxItems(50),
    Schema.filter((items) => new Set(items.map((i) => i.skuId)).size === items.length || "each skuId at most once")
  ),
  /** What the app showed; if the server's total differs, nothing is reserved and 409 PriceChanged says why. */
  expectedTotal: Schema.optional(Paise)
})
export type PlaceOrderRequest = typeof PlaceOrderRequest.Type

export const PaymentInstructions = Schema.Struct({
  provider: Schema.Literal("razorpay"),
  razorpayOrderId: Schema.String,
  amount: Paise,
  currency: Schema.Literal("INR"),
  keyId: Schema.String
})

export class PlacedOrder extends Schema.Class<PlacedOrder>("PlacedOrder")({
  orderId: OrderId,
  status: OrderStatus,
  lines: Schema.Array(OrderLine),
  total: Paise,
  payment: PaymentInstructions
}) {}

export const TimelineEntry = Schema.Struct({
  status: Schema.String,
  at: Schema.DateTimeUtc,
  reason: Schema.NullOr(Schema.String)
})

export class OrderView extends Schema.Class<OrderView>("OrderView")({
  orderId: OrderId,
  customerId: CustomerId,
  status: OrderStatus,
  statusReason: Schema.NullOr(Schema.String),
  pincode: Schema.String,
  lines: Schema.Array(OrderLine),
  total: Paise,
  razorpayOrderId: Schema.String,
  placedAt: Schema.DateTimeUtc,
  timeline: Schema.Array(TimelineEntry),
  /** When the rider should be at the door, while one is on the way. */
  eta: Schema.NullOr(Schema.DateTimeUtc),
  /** The rider's first name and masked phone, once one is assigned. */
  rider: Schema.NullOr(Schema.Struct({ firstName: Schema.String, phone: Schema.String })),
  /** Paise refunded for units missing at packing. */
  shortPickRefund: Schema.Int
}) {}

export const PaymentRecord = Schema.Struct({
  paymentId: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  status: Schema.String,
  method: Schema.NullOr(Schema.String),
  updatedAt: Schema.DateTimeUtc
})

export const RefundRecord = Schema.Struct({
  refundId: Schema.String,
  paymentId: Schema.String,
  amount: Schema.Int,
  status: Schema.String,
  reason: Schema.String,
  at: Schema.DateTimeUtc
})

export class AdminOrderView extends Schema.Class<AdminOrderView>("AdminOrderView")({
  order: OrderView,
  payments: Schema.Array(PaymentRecord),
  refunds: Schema.Array(RefundRecord),
  sagaSteps: Schema.Array(Schema.Struct({ step: Schema.String, at: Schema.DateTimeUtc, detail: Schema.NullOr(Schema.String) })),
  /** After CONFIRMED: the store parts (picker), packed quantities, the rider in full, the timers (epoch ms). */
  fulfilment: Schema.NullOr(Fulfilment),
  opsTickets: Schema.Array(Schema.Struct({ reason: Schema.String, detail: Schema.NullOr(Schema.String), at: Schema.DateTimeUtc }))
}) {}

/** No store delivers to this pincode. */
export class NotServiceable extends Schema.TaggedError<NotServiceable>()(
  "NotServiceable",
  { pincode: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {}

/** The server's total differs from `expectedTotal`; nothing was reserved. */
export class PriceChanged extends Schema.TaggedError<PriceChanged>()(
  "PriceChanged",
  { expectedTotal: Schema.Int, total: Schema.Int, lines: Schema.Array(OrderLine) },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** Some lines cannot be filled; whatever was reserved has been released. */
export class CartConflict extends Schema.TaggedError<CartConflict>()(
  "CartConflict",
  { lines: Schema.Array(Schema.Struct({ skuId: SkuId, requested: Schema.Int, available: Schema.Int })) },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** The Idempotency-Key was used before with a different request body. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()(
  "IdempotencyKeyReused",
  { idempotencyKey: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {}

export class OrderNotFound extends Schema.TaggedError<OrderNotFound>()(
  "OrderNotFound",
  { orderId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** The order is past the point of cancelling: packed (customer) or picked up by its rider (ops). */
export class OrderNotCancellable extends Schema.TaggedError<OrderNotCancellable>()(
  "OrderNotCancellable",
  { orderId: Schema.String, status: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** The payment gateway could not be reached; nothing was kept reserved. Retry with the same key. */
export class PaymentGatewayUnavailable extends Schema.TaggedError<PaymentGatewayUnavailable>()(
  "PaymentGatewayUnavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {}

/**
 * The order total is under the least the payment gateway accepts (Razorpay: ₹1); nothing
 * was reserved. Unit prices never go below ₹1, so this is a guard, not an expected answer.
 */
export class OrderBelowMinimum extends Schema.TaggedError<OrderBelowMinimum>()(
  "OrderBelowMinimum",
  { total: Schema.Int, minimum: Schema.Int },
  HttpApiSchema.annotations({ status: 422 })
) {}

/** `/v1/dev/payments` only exists while the local Razorpay stand-in is in use. */
export class DevPaymentsUnavailable extends Schema.TaggedError<DevPaymentsUnavailable>()(
  "DevPaymentsUnavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** Razorpay's answer for an id it does not have. */
export const unknownIdDescription = "The id provided does not exist"

/** The stand-in knows no Razorpay order with this id; answered as Razorpay answers (no `_tag`). */
export class DevPaymentOrderUnknown extends Schema.Class<DevPaymentOrderUnknown>("DevPaymentOrderUnknown")(
  { error: Schema.Struct({ code: Schema.Literal("BAD_REQUEST_ERROR"), description: Schema.Literal(unknownIdDescription) }) },
  HttpApiSchema.annotations({ status: 404 })
) {}

/**
 * The stand-in refused the payment (the order is already paid, or the amount is not one);
 * Razorpay's error shape. Its description is never the unknown-id one: the two answers have
 * the same shape, and the API encodes an error with the first schema that accepts it.
 */
export class DevPaymentRefused extends Schema.Class<DevPaymentRefused>("DevPaymentRefused")(
  {
    error: Schema.Struct({
      code: Schema.Literal("BAD_REQUEST_ERROR"),
      description: Schema.String.pipe(Schema.filter((d) => d !== unknownIdDescription))
    })
  },
  HttpApiSchema.annotations({ status: 400 })
) {}
