import { Singleton } from "@effect/cluster"
import { Clock, Duration, Effect, Schedule } from "effect"
import { OrderRepo } from "./OrderRepo.js"
import { paymentDeadline, settle } from "./OrderSaga.js"
import type { Decision } from "./OrderSaga.js"

/**
 * Once per cluster, a safety net under the saga: an order whose payment event was
 * recorded but not acted on, or whose deadline passed long ago, is settled here with
 * the same idempotent step the saga uses. Under concurrent load we have seen a
 * workflow's `deferred` message stay unprocessed (@effect/workflow 0.19 loses a deferred
 * completed during the workflow's first run, upstream Effect-TS/effect#6318); no
 * order may hang on that, nor keep its stock or a customer's money.
 */
export const SettlementSweeperLive = Singleton.make(
  "SettlementSweeper",
  Effect.gen(function*() {
    const orders = yield* OrderRepo
    const deadlineMs = Duration.toMillis(paymentDeadline) + 60_000
    const sweep = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const due = yield* orders.overdue(now, 15_000, deadlineMs)
      yield* Effect.forEach(due, (row) => {
        const decision: Decision = row.payment_id !== null && (row.status === "captured" || row.status === "failed")
          ? {
            kind: "payment",
            outcome: {
              paymentId: row.payment_id,
              status: row.status,
              amount: row.amount ?? 0,
              currency: row.currency ?? "INR",
              method: row.method ?? "unknown"
            }
          }
          : { kind: "timeout" }
        return settle(row.id, decision).pipe(
          Effect.tap((status) => Effect.logWarning(`settled overdue order ${row.id} outside its saga: ${status}`)),
          Effect.catchAllCause((cause) => Effect.logWarning(`could not settle ${row.id}`, cause))
        )
      }, { concurrency: 4, discard: true })
    }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("settlement sweep failed", cause)))
    yield* Effect.repeat(sweep, Schedule.spaced("10 seconds"))
  })
)
