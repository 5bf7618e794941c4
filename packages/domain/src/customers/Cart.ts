import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { SkuId, StoreId } from "../Ids.js"
import { Paise } from "../Money.js"
import { PricingContext } from "../orders/Order.js"

/** The limits of `PlaceOrderRequest`: a cart must always be placeable as one order. */
export const maxCartLines = 50
export const maxLineQty = 50

/** A cart expires this long after its lines last changed. */
export const cartLifetimeMs = 30 * 24 * 60 * 60 * 1000

/** What a line is set to: 0 takes it out of the cart. */
export const CartQty = Schema.Int.pipe(Schema.between(0, maxLineQty))

export const CartLine = Schema.Struct({
  skuId: SkuId,
  qty: Schema.Int.pipe(Schema.between(1, maxLineQty))
})
export type CartLine = typeof CartLine.Type

/** A customer's cart: the same on every device, kept across restarts. Lines in the order they were added. */
export class Cart extends Schema.Class<Cart>("Cart")({
  lines: Schema.Array(CartLine),
  /** When the lines last changed; the cart expires 30 days later. Null for a cart never filled. */
  updatedAt: Schema.NullOr(Schema.DateTimeUtc),
  expiresAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** What moved on a line since the customer last looked at the cart (for the same pincode). */
export const LineChange = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("price_up", "price_down"), before: Paise, after: Paise }),
  Schema.Struct({ kind: Schema.Literal("out_of_stock", "back_in_stock") })
)
export type LineChange = typeof LineChange.Type

export const CartViewLine = Schema.Struct({
  skuId: SkuId,
  name: Schema.String,
  qty: Schema.Int,
  /** The store that would pick the line, chosen as checkout chooses it. */
  storeId: StoreId,
  /** The live unit price at that store, and the rule that set it. */
  unitPrice: Paise,
  pricingContext: PricingContext,
  lineTotal: Paise,
  /** Units available at that store now. */
  available: Schema.Int,
  /** Whether the store can fill the whole line now. */
  inStock: Schema.Boolean,
  changes: Schema.Array(LineChange)
})
export type CartViewLine = typeof CartViewLine.Type

/** The cart priced for a delivery pincode, as checkout would charge it now. */
export class CartView extends Schema.Class<CartView>("CartView")({
  pincode: Schema.String,
  lines: Schema.Array(CartViewLine),
  /** What checking out now would charge, in paise. */
  total: Paise,
  /** Whether any line changed since the last look. */
  changed: Schema.Boolean,
  updatedAt: Schema.NullOr(Schema.DateTimeUtc),
  expiresAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** Checkout of an empty cart: nothing was placed. */
export class CartEmpty extends Schema.TaggedError<CartEmpty>()(
  "CartEmpty",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** A new line beyond the most one order may hold; the cart is unchanged. */
export class CartFull extends Schema.TaggedError<CartFull>()(
  "CartFull",
  { maxLines: Schema.Int },
  HttpApiSchema.annotations({ status: 422 })
) {}
