import { Entity } from "@effect/cluster"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { Clock, Effect, Option, Queue } from "effect"
import { makeOrderCommands } from "./OrderCommands.js"
import { makeOrderLifecycle, paymentDeadlineMs } from "./OrderLifecycle.js"
import { OrderRepo } from "./OrderRepo.js"
import { OrderSteps } from "./OrderSteps.js"
import { FulfilmentSettings } from "./FulfilmentSettings.js"
import { FulfilmentSteps } from "./FulfilmentSteps.js"

/**
 * The Order behaviour: the order in memory, its only writer, and its own process manager.
 * Commands and the order's timer take one lock, so the record never races itself. The
 * timer is the row's `due_at` held in memory: it fires while the entity is resident; after
 * a restart or shard move the due-order sweep wakes the entity instead (`Wake`).
 */
export const OrderLive = OrderEntity.toLayer(
  Effect.gen(function*() {
    const orderId = (yield* Entity.CurrentAddress).entityId
    const order = yield* makeOrderCommands(orderId, yield* OrderRepo)
    const lifecycle = makeOrderLifecycle(orderId, order, yield* OrderSteps, yield* FulfilmentSteps, yield* FulfilmentSettings)
    const lock = yield* Effect.makeSemaphore(1)
    const rearm = yield* Queue.sliding<void>(1)
    const serial = <A, E>(effect: Effect.Effect<A, E>) =>
      lock.withPermits(1)(effect).pipe(Effect.ensuring(rearm.offer(void 0)))

    // The timer: sleep until the held due time (or until a command moves it), then act.
    const timer = Effect.gen(function*() {
      const due = Option.flatMap(order.held(), (r) => Option.fromNullable(r.dueAt))
      if (Option.isNone(due)) return yield* rearm.take
      const wait = due.value - (yield* Clock.currentTimeMillis)
      if (wait > 0) return yield* Effect.raceFirst(Effect.sleep(wait), rearm.take)
      yield* lock.withPermits(1)(lifecycle.proceed).pipe(
        Effect.catchAllCause((cause) => Effect.zipRight(Effect.logWarning(`order ${orderId}: due step failed`, cause), Effect.sleep("5 seconds")))
      )
    })
    yield* Effect.forkScoped(Effect.forever(timer))

    return {
      Get: () => Effect.map(order.current, Option.map((r) => r.state)),
      Place: ({ payload }) =>
        serial(Effect.flatMap(Clock.currentTimeMillis, (now) => order.place(payload, now + paymentDeadlineMs))),
      Transition: ({ payload }) => serial(order.transition(payload)),
      RecordPayment: ({ payload }) => serial(order.recordPayment(payload)),
      RecordRefund: ({ payload }) => serial(order.recordRefund(payload)),
      OpenTicket: ({ payload }) => serial(order.openTicket(payload)),
      PaymentReported: ({ payload }) => serial(lifecycle.paymentReported(payload)),
      Cancel: ({ payload }) => serial(lifecycle.cancel(payload.by ?? "customer")),
      StartPicking: ({ payload }) => serial(lifecycle.startPicking(payload.storeId, payload.pickerId)),
      Packed: ({ payload }) => serial(lifecycle.packed(payload.storeId, payload, payload.by ?? payload.source)),
      PickedUp: ({ payload }) => serial(lifecycle.pickedUp(payload.riderId)),
      Delivered: ({ payload }) => serial(lifecycle.delivered(payload.riderId)),
      Undeliverable: ({ payload }) => serial(lifecycle.undeliverable(payload.reason, payload.stock)),
      Wake: () => serial(lifecycle.wake)
    }
  }),
  // An order is read a few times in its first minutes (webhooks, the app polling, picking);
  // resident for 10 minutes, its 8-minute packing SLA fires from memory on the dot. Longer waits
  // (the delivery hour, rider retries after a passivation) are woken by the due-order sweep, a
  // few seconds late at most. A defect answers its own caller instead of restarting the entity
  // and replaying the message.
  { maxIdleTime: "10 minutes", disableFatalDefects: true }
)
