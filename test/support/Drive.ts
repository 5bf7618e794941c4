import type { Duration } from "effect"
import { Effect, Fiber, TestClock } from "effect"

/** Lets real I/O (database round trips) make progress. The test clock does not move. */
export const ioTick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

/**
 * Runs `effect` while stepping the TestClock, for work that waits on cluster timers
 * (shard acquisition, send retries) as well as on real I/O. Bounded: fails after `maxSteps`.
 */
export const driven = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: { readonly step?: Duration.DurationInput; readonly maxSteps?: number }
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < (options?.maxSteps ?? 600); i++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") return yield* done.value
      yield* ioTick
      yield* TestClock.adjust(options?.step ?? "100 millis")
    }
    return yield* Effect.dieMessage("driven: effect did not complete")
  })

/** Retries `assertion` until it passes, letting I/O progress in between (about 5 s at most). */
export const eventually = <A, E, R>(assertion: Effect.Effect<A, E, R>, tries = 1000) =>
  Effect.gen(function*() {
    for (let i = 1; ; i++) {
      const result = yield* Effect.either(Effect.sandbox(assertion))
      if (result._tag === "Right" || i >= tries) return yield* Effect.unsandbox(result)
      yield* ioTick
    }
  })

/**
 * Retries `assertion` while stepping the TestClock, for outcomes that need cluster timers
 * (storage polls, reply polls) after a deadline has already passed. Bounded.
 */
export const drivenUntil = <A, E, R>(
  assertion: Effect.Effect<A, E, R>,
  options?: { readonly step?: Duration.DurationInput; readonly maxSteps?: number }
) =>
  Effect.gen(function*() {
    for (let i = 1; ; i++) {
      const result = yield* Effect.either(Effect.sandbox(assertion))
      if (result._tag === "Right" || i >= (options?.maxSteps ?? 600)) return yield* Effect.unsandbox(result)
      yield* ioTick
      yield* TestClock.adjust(options?.step ?? "200 millis")
    }
  })
