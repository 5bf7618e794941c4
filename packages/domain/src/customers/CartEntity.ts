import { Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { Schema } from "effect"
import { Pincode } from "../catalogue/Catalogue.js"
import { InvalidInput, ServiceUnavailable, SkuNotFound } from "../Errors.js"
import { SkuId } from "../Ids.js"
import { Paise } from "../Money.js"
import {
  CartConflict,
  IdempotencyKeyReused,
  NotServiceable,
  OrderBelowMinimum,
  OrderId,
  PaymentGatewayUnavailable,
  PlacedOrder,
  PriceChanged
} from "../orders/Order.js"
import { Cart, CartEmpty, CartFull, CartQty, CartView } from "./Cart.js"

const NotCommitted = [InvalidInput, ServiceUnavailable] as const

/**
 * One customer's cart; entity id `{customerId}`. Keeps the lines, what the customer last saw
 * (to tell them what changed) and its recent checkouts (to take ordered units out once an
 * order is confirmed, and to answer a retried checkout with its order). Every change is
 * written before it is answered; every command is idempotent on the state (setting a line
 * twice, a confirmation delivered twice), so a retried message changes nothing twice.
 */
export const CartEntity = Entity.make("Cart", [
  Rpc.make("Get", { success: Cart, error: Schema.Union(...NotCommitted) }),
  /** Sets a line's quantity (0 removes it); an unknown SKU is refused, a 51st line too. */
  Rpc.make("SetLine", {
    payload: { skuId: SkuId, qty: CartQty },
    success: Cart,
    error: Schema.Union(SkuNotFound, CartFull, ...NotCommitted)
  }),
  Rpc.make("Clear", { success: Cart, error: Schema.Union(...NotCommitted) }),
  /** Prices the cart for a pincode as checkout would, says what changed since the last look, and records this look. */
  Rpc.make("View", {
    payload: { pincode: Pincode },
    success: CartView,
    error: Schema.Union(NotServiceable, SkuNotFound, ...NotCommitted)
  }),
  /**
   * Places the cart as an order (the normal placement path), expecting the total of the last
   * look when the cart has not changed since. A retried key places the lines it placed first.
   */
  Rpc.make("Checkout", {
    payload: { pincode: Pincode, idempotencyKey: Schema.String, expectedTotal: Schema.optional(Paise) },
    success: PlacedOrder,
    error: Schema.Union(
      CartEmpty,
      NotServiceable,
      PriceChanged,
      CartConflict,
      IdempotencyKeyReused,
      PaymentGatewayUnavailable,
      OrderBelowMinimum,
      SkuNotFound,
      ...NotCommitted
    )
  }),
  /** An order is confirmed: if it was checked out from this cart, its units leave the cart (once). */
  Rpc.make("OrderConfirmed", { payload: { orderId: OrderId }, error: Schema.Union(...NotCommitted) })
])
