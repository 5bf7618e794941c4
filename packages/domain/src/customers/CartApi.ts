import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { CustomerAuth } from "../Auth.js"
import { Pincode } from "../catalogue/Catalogue.js"
import { SkuNotFound } from "../Errors.js"
import { SkuId } from "../Ids.js"
import { Paise } from "../Money.js"
import {
  CartConflict,
  IdempotencyKeyReused,
  NotServiceable,
  OrderBelowMinimum,
  PaymentGatewayUnavailable,
  PlacedOrder,
  PriceChanged
} from "../orders/Order.js"
import { safeText } from "../Text.js"
import { Cart, CartEmpty, CartFull, CartQty, CartView } from "./Cart.js"

const ItemPath = Schema.Struct({ skuId: SkuId })

export class CartGroup extends HttpApiGroup.make("cart")
  .add(
    HttpApiEndpoint.put("setItem", "/v1/cart/items/:skuId")
      .setPath(ItemPath)
      .setPayload(Schema.Struct({ qty: CartQty }))
      .addSuccess(Cart)
      .addError(SkuNotFound)
      .addError(CartFull)
  )
  .add(HttpApiEndpoint.del("removeItem", "/v1/cart/items/:skuId").setPath(ItemPath).addSuccess(Cart))
  .add(HttpApiEndpoint.del("clear", "/v1/cart").addSuccess(Cart))
  .add(
    HttpApiEndpoint.get("view", "/v1/cart")
      // Without a pincode: the customer's default address's.
      .setUrlParams(Schema.Struct({ pincode: Schema.optional(Pincode) }))
      .addSuccess(CartView)
      .addError(NotServiceable)
      .addError(SkuNotFound)
  )
  .add(
    HttpApiEndpoint.post("checkout", "/v1/cart/checkout")
      .setHeaders(Schema.Struct({ "idempotency-key": safeText(128) }))
      .setPayload(Schema.Struct({
        /** Where to deliver; the customer's default address's pincode when left out. */
        pincode: Schema.optional(Pincode),
        /** The total the app shows, when it prices the cart itself; else the total of the last GET is expected. */
        expectedTotal: Schema.optional(Paise)
      }))
      .addSuccess(PlacedOrder, { status: 201 })
      .addError(CartEmpty)
      .addError(NotServiceable)
      .addError(PriceChanged)
      .addError(CartConflict)
      .addError(IdempotencyKeyReused)
      .addError(PaymentGatewayUnavailable)
      .addError(OrderBelowMinimum)
      .addError(SkuNotFound)
  )
  .middleware(CustomerAuth)
  .annotate(OpenApi.Title, "Cart")
  .annotate(
    OpenApi.Description,
    "The customer's cart on the server: the same on every device and across restarts, priced live per pincode, checked out as an order (Bearer token)"
  )
{}
