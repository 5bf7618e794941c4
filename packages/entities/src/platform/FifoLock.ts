import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"

/**
 * A mutex that hands over in arrival order. Effect 3's Semaphore wakes every waiter on each release
 * (they race to re-take it), which under a few hundred waiting fibers costs more than the statements.
 * The lock is handed to the next waiter directly; a waiter interrupted after it was handed the lock
 * passes it on, so an interruption (a timeout, a dropped request) can never leak it.
 */
export const makeFifoLock = Effect.sync(() => {
  let held = false
  const waiters: Array<Deferred.Deferred<void>> = []
  const release = Effect.suspend(() => {
    const next = waiters.shift()
    if (next === undefined) {
      held = false
      return Effect.void
    }
    return Deferred.succeed(next, undefined)
  })
  /** Waits interruptibly only if the caller is interruptible; holds the lock when it succeeds. */
  const take = (interruptible: boolean) =>
    Effect.uninterruptible(Effect.suspend(() => {
      if (!held) {
        held = true
        return Effect.void
      }
      return Effect.flatMap(Deferred.make<void>(), (turn) => {
        waiters.push(turn)
        const wait = Deferred.await(turn)
        return (interruptible ? Effect.interruptible(wait) : wait).pipe(
          Effect.onInterrupt(() => {
            const i = waiters.indexOf(turn)
            if (i >= 0) {
              waiters.splice(i, 1)
              return Effect.void
            }
            return release
          })
        )
      })
    }))
  return {
    take,
    release,
    withLock: <A, E, R>(self: Effect.Effect<A, E, R>) =>
      Effect.checkInterruptible((interruptible) =>
        Effect.uninterruptible(
          Effect.zipRight(take(interruptible), Effect.ensuring(interruptible ? Effect.interruptible(self) : self, release))
        )
      )
  } as const
})
