import { Cause, Deferred, Effect, Exit, Queue } from "effect"
import type { Scope } from "effect"
import { worthSplitting } from "./CommitFailure.js"

interface Pending<I, A, E> {
  readonly input: I
  readonly done: Deferred.Deferred<A, E>
}

const stopped = () => Cause.die(new Error("batcher stopped before this input ran"))

/**
 * Group work across fibers: every caller's input goes on a queue and `workers` fibers
 * each take whatever has gathered (up to `maxBatch`) and run it as one batch. Under
 * load, the round trips of one query or one transaction are shared by every caller in
 * it; with no load, a call is a batch of one. `run` answers in input order.
 *
 * A failed batch is split in halves and each half retried, down to single inputs, so
 * one poisoned input (text the database refuses, a conflicting write) fails alone and
 * the rest of its batch commits: at most 2n − 1 runs for n inputs, and only when
 * something failed. A database that is down fails the whole batch at once (splitting
 * would only multiply the attempts). Every caller is answered: on shutdown, what is still queued or
 * running fails instead of waiting forever.
 */
export const makeBatcher = <I, A, E>(options: {
  readonly maxBatch: number
  readonly workers: number
  readonly run: (inputs: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<A>, E>
}): Effect.Effect<(input: I) => Effect.Effect<A, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Pending<I, A, E>>()
    const failAll = (pending: Iterable<Pending<I, A, E>>) =>
      Effect.sync(() => {
        for (const p of pending) Deferred.unsafeDone(p.done, Exit.failCause(stopped()))
      })
    // Runs after the workers are interrupted (finalizers run in reverse order).
    yield* Effect.addFinalizer(() => Effect.zipRight(Effect.flatMap(queue.takeAll, failAll), Queue.shutdown(queue)))

    const settle = (pending: ReadonlyArray<Pending<I, A, E>>): Effect.Effect<void> =>
      Effect.flatMap(Effect.exit(options.run(pending.map((p) => p.input))), (exit) => {
        if (Exit.isSuccess(exit)) {
          return Effect.sync(() =>
            pending.forEach((p, i) =>
              Deferred.unsafeDone(
                p.done,
                i < exit.value.length ? Exit.succeed(exit.value[i]) : Exit.die(new Error("batch answered fewer results than inputs"))
              )
            )
          )
        }
        if (Cause.isInterruptedOnly(exit.cause)) return failAll(pending)
        if (pending.length === 1 || !worthSplitting(exit.cause)) {
          return Effect.sync(() => pending.forEach((p) => Deferred.unsafeDone(p.done, Exit.failCause(exit.cause))))
        }
        const half = Math.ceil(pending.length / 2)
        return Effect.zipRight(settle(pending.slice(0, half)), settle(pending.slice(half)))
      }).pipe(
        // Interrupted mid-run (shutdown): nobody may be left waiting.
        Effect.onInterrupt(() => failAll(pending))
      )

    const step = Effect.flatMap(queue.takeBetween(1, options.maxBatch), (items) => settle(Array.from(items)))
    for (let i = 0; i < options.workers; i++) yield* Effect.forkScoped(Effect.forever(step))
    return (input: I) =>
      Effect.flatMap(Deferred.make<A, E>(), (done) => Effect.zipRight(queue.offer({ input, done }), Deferred.await(done)))
  })
