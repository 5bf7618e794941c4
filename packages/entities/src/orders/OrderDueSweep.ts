import { Singleton } from "@effect/cluster"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { Clock, Effect, Schedule } from "effect"
import { OrderRepo } from "./OrderRepo.js"

/** A resident order acts on its own timer; the sweep only takes orders this much overdue. */
const graceMs = 2_000
const interval = "3 seconds"

/**
 * Once per cluster: wakes the entities of orders whose due time passed (the payment
 * deadline, steps a crash interrupted) and that no resident entity took care of, e.g.
 * after a restart, a passivation or a shard move. Reads only: a due time costs no write
 * of its own, it is part of the order's row. Waking is idempotent: an entity that already
 * acted finds nothing due.
 */
export const OrderDueSweepLive = Singleton.make(
  "OrderDueSweep",
  Effect.gen(function*() {
    const orders = yield* OrderRepo
    const order = yield* OrderEntity.client
    const sweep = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const due = yield* orders.due(now - graceMs, 500)
      yield* Effect.forEach(due, (id) =>
        order(id).Wake().pipe(Effect.catchAllCause((cause) => Effect.logWarning(`could not wake order ${id}`, cause))), {
        concurrency: 16,
        discard: true
      })
    }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("due-order sweep failed", cause)))
    yield* Effect.repeat(sweep, Schedule.spaced(interval))
  })
)
