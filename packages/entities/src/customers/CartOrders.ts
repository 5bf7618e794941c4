import { CartEntity } from "@qc/domain/customers/CartEntity"
import { Effect, Layer, Option } from "effect"
import { DomainEvents } from "../platform/DomainEvents.js"
import { CartRepo } from "./CartRepo.js"

/**
 * A confirmed order takes its units out of the cart it was checked out from: every
 * `order.confirmed` goes to the customer's Cart entity, which acts only on its own checkouts
 * and only once (a redelivered event, or one from a second runner, changes nothing). A failed
 * or cancelled order sends nothing, so the cart stays as it was.
 */
export const CartOrdersLive = Layer.scopedDiscard(Effect.gen(function*() {
  const events = yield* DomainEvents
  const repo = yield* CartRepo
  const cart = yield* CartEntity.client
  yield* events.subscribe("cart-orders", (event) => {
    if (event.type !== "order.confirmed") return Effect.void
    const { orderId } = event.payload
    // The event names the order only; its customer is on the order's row.
    return Effect.flatMap(repo.cartOwnerOfOrder(orderId), Option.match({
      onNone: () => Effect.void,
      onSome: (customerId) => cart(customerId).OrderConfirmed({ orderId })
    })).pipe(Effect.orDie)
  })
}))
