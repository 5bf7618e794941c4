import { Cause, Deferred, Effect, Exit, Queue } from "effect"
import type { Scope } from "effect"

interface Pending<I, A, E> {
  readonly input: I
  readonly done: Deferred.Deferred<A, E>
}

/**
 * Group work across fibers: every caller's input goes on a queue and `workers` fibers
 * each take whatever has gathered (up to `maxBatch`) and run it as one batch. Under
 * load, the round trips of one query or one transaction are shared by every caller in
 * it; with no load, a call is a batch of one. `run` answers in input order; if it
 * fails, every caller of that batch gets the failure.
 */
export const makeBatcher = <I, A, E>(options: {
  readonly maxBatch: number
  readonly workers: number
  readonly run: (inputs: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<A>, E>
}): Effect.Effect<(input: I) => Effect.Effect<A, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Pending<I, A, E>>()
    yield* Effect.addFinalizer(() => Queue.shutdown(queue))
    const step = Effect.gen(function*() {
      const pending = Array.from(yield* queue.takeBetween(1, options.maxBatch))
      const exit = yield* Effect.exit(options.run(pending.map((p) => p.input)))
      if (Exit.isSuccess(exit)) {
        pending.forEach((p, i) =>
          Deferred.unsafeDone(
            p.done,
            i < exit.value.length ? Exit.succeed(exit.value[i]) : Exit.die(new Error("batch answered fewer results than inputs"))
          )
        )
      } else {
        const cause = Cause.isInterruptedOnly(exit.cause) ? Cause.die(new Error("batch interrupted")) : exit.cause
        pending.forEach((p) => Deferred.unsafeDone(p.done, Exit.failCause(cause)))
      }
    })
    for (let i = 0; i < options.workers; i++) yield* Effect.forkScoped(Effect.forever(step))
    return (input: I) =>
      Effect.flatMap(Deferred.make<A, E>(), (done) => Effect.zipRight(queue.offer({ input, done }), Deferred.await(done)))
  })
