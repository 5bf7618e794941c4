import type { Exit } from "effect"
import { Cause, Effect, Metric } from "effect"

/**
 * Reserve answers by outcome: `reserved` (a new hold), `repeat` (the same reservation id
 * again, answered from the first outcome), or the error that refused it in snake case
 * (`insufficient_stock`, `store_sku_not_found`, `operation_id_reused`, `invalid_input`,
 * `service_unavailable`), `defect`, `interrupted`. The label set is bounded by the
 * Reserve RPC's error union.
 */
export const reservations = Metric.counter("qc_stock_reservations", {
  description: "StoreSku reserve answers by outcome",
  incremental: true
})

const snake = (tag: string) => tag.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()

const outcomeOf = <A, E extends { readonly _tag: string }>(exit: Exit.Exit<A, E>, repeated: boolean) => {
  if (repeated) return "repeat"
  if (exit._tag === "Success") return "reserved"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") return snake(failure.value._tag)
  return Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "defect"
}

/** `effect` (one Reserve), counted by outcome once it answers; `repeated` is read then. */
export const countedReserve = <A, E extends { readonly _tag: string }, R>(
  repeated: () => boolean,
  effect: Effect.Effect<A, E, R>
) => Effect.onExit(effect, (exit) =>
    Metric.increment(Metric.tagged(reservations, "outcome", outcomeOf(exit, repeated()))))
