import { cartLifetimeMs } from "@qc/domain/customers/Cart"
import { Clock, Effect, Layer, Schedule } from "effect"
import { CartEntityLive } from "./Cart.js"
import { CartOrdersLive } from "./CartOrders.js"
import { CartRepo } from "./CartRepo.js"

/**
 * Deletes carts untouched for 30 days, hourly (and at start). Each process that builds the
 * cart layer sweeps: the DELETE is idempotent and cheap on its index, so no cluster singleton
 * is needed. An entity holding such a cart finds it expired on its next command by itself.
 */
export const CartSweepLive = Layer.scopedDiscard(Effect.gen(function*() {
  const repo = yield* CartRepo
  const sweep = Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const deleted = yield* repo.deleteUntouchedSince(now - cartLifetimeMs)
    if (deleted > 0) yield* Effect.logInfo(`cart sweep: ${deleted} carts untouched for 30 days deleted`)
  }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("cart sweep failed", cause)))
  yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced("1 hour")))
}))

/**
 * The carts area on a runner: the Cart entities, the subscriber that empties a cart once its
 * order is confirmed, and the expiry sweep. Needs the catalogue, `Quote` and `OrderPlacement`
 * (orders area), the outbox and sharding.
 */
export const CartLive = Layer.mergeAll(CartEntityLive, CartOrdersLive, CartSweepLive).pipe(Layer.provideMerge(CartRepo.Default))
