import { HttpApiBuilder } from "@effect/platform"
import { Api, CurrentCustomer } from "@qc/domain/Api"
import { CartEntity } from "@qc/domain/customers/CartEntity"
import { Effect } from "effect"
import { entityAnswer } from "../ClusterCalls.js"

/** The customer's cart: every call goes to their Cart entity (keyed by the token's customer). */
export const CartHttpLive = HttpApiBuilder.group(Api, "cart", (handlers) =>
  Effect.gen(function*() {
    const cart = yield* CartEntity.client
    const mine = Effect.map(CurrentCustomer, (customer) => cart(customer))
    return handlers
      .handle("setItem", ({ path, payload }) => entityAnswer(Effect.flatMap(mine, (c) => c.SetLine({ skuId: path.skuId, qty: payload.qty }))))
      .handle("removeItem", ({ path }) =>
        entityAnswer(Effect.flatMap(mine, (c) => c.SetLine({ skuId: path.skuId, qty: 0 }))).pipe(
          // Taking a line out checks no SKU and adds no line.
          Effect.catchTags({ SkuNotFound: Effect.die, CartFull: Effect.die })
        ))
      .handle("clear", () => entityAnswer(Effect.flatMap(mine, (c) => c.Clear())))
      .handle("view", ({ urlParams }) => entityAnswer(Effect.flatMap(mine, (c) => c.View({ pincode: urlParams.pincode }))))
      .handle("checkout", ({ headers, payload }) =>
        entityAnswer(Effect.flatMap(mine, (c) =>
          c.Checkout({
            pincode: payload.pincode,
            idempotencyKey: headers["idempotency-key"],
            ...(payload.expectedTotal === undefined ? {} : { expectedTotal: payload.expectedTotal })
          }))))
  }))
