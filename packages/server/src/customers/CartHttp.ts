import { HttpApiBuilder } from "@effect/platform"
import { Api, CurrentCustomer } from "@qc/domain/Api"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { CartEntity } from "@qc/domain/customers/CartEntity"
import { InvalidInput } from "@qc/domain/Errors"
import { CustomerRepo } from "@qc/entities/customers/CustomerRepo"
import { Effect, Option } from "effect"
import { entityAnswer } from "../ClusterCalls.js"

/** The customer's cart: every call goes to their Cart entity (keyed by the token's customer). */
export const CartHttpLive = HttpApiBuilder.group(Api, "cart", (handlers) =>
  Effect.gen(function*() {
    const cart = yield* CartEntity.client
    const customers = yield* CustomerRepo
    const mine = Effect.map(CurrentCustomer, (customer) => cart(customer))
    /** The pincode asked for, else the one of the customer's default address. */
    const pincodeOr = (given: Pincode | undefined) =>
      given !== undefined ? Effect.succeed(given) : Effect.flatMap(CurrentCustomer, (customer) =>
        Effect.flatMap(customers.defaultPincode(customer), Option.match({
          onNone: () => Effect.fail(new InvalidInput({ message: "pincode: give one, or save an address first (POST /v1/me/addresses)" })),
          onSome: (pincode) => Effect.succeed(Pincode.make(pincode))
        })))
    return handlers
      .handle("setItem", ({ path, payload }) => entityAnswer(Effect.flatMap(mine, (c) => c.SetLine({ skuId: path.skuId, qty: payload.qty }))))
      .handle("removeItem", ({ path }) =>
        entityAnswer(Effect.flatMap(mine, (c) => c.SetLine({ skuId: path.skuId, qty: 0 }))).pipe(
          // Taking a line out checks no SKU and adds no line.
          Effect.catchTags({ SkuNotFound: Effect.die, CartFull: Effect.die })
        ))
      .handle("clear", () => entityAnswer(Effect.flatMap(mine, (c) => c.Clear())))
      .handle("view", ({ urlParams }) =>
        Effect.flatMap(pincodeOr(urlParams.pincode), (pincode) => entityAnswer(Effect.flatMap(mine, (c) => c.View({ pincode })))))
      .handle("checkout", ({ headers, payload }) =>
        Effect.flatMap(pincodeOr(payload.pincode), (pincode) =>
          entityAnswer(Effect.flatMap(mine, (c) =>
            c.Checkout({
              pincode,
            idempotencyKey: headers["idempotency-key"],
              ...(payload.expectedTotal === undefined ? {} : { expectedTotal: payload.expectedTotal })
            })))))
  }))
