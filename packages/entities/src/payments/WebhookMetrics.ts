import type { Exit } from "effect"
import { Cause, Clock, Effect, Metric, MetricBoundaries } from "effect"

/**
 * Time spent handling one Razorpay webhook (signature, decode, claim, the order entity's
 * answer), by outcome: `processed`, `duplicate`, `ignored`, `unauthorized`, `error`.
 * Razorpay wants a 2xx within 5 s, so the buckets go a little past that.
 */
export const webhookDuration = Metric.histogram(
  "qc_payment_webhook_duration_seconds",
  MetricBoundaries.fromIterable([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  "Razorpay webhook handling time in seconds, by outcome"
)

type Handled = "processed" | "duplicate" | "ignored"

const outcomeOf = <E extends { readonly _tag: string }>(exit: Exit.Exit<Handled, E>) => {
  if (exit._tag === "Success") return exit.value
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some" && failure.value._tag === "Unauthorized" ? "unauthorized" : "error"
}

/** Runs one webhook's handling and records how long it took, tagged with how it ended. */
export const timedWebhook = <E extends { readonly _tag: string }, R>(
  effect: Effect.Effect<Handled, E, R>
) =>
  Effect.flatMap(Clock.currentTimeNanos, (start) =>
    Effect.onExit(effect, (exit) =>
      Effect.flatMap(Clock.currentTimeNanos, (end) =>
        Metric.update(Metric.tagged(webhookDuration, "outcome", outcomeOf(exit)), Number(end - start) / 1e9))))
