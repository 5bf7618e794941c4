import { Deferred, Effect, Exit, Queue } from "effect"
import type { Burst } from "./StoreSkuRepo.js"
import { StoreSkuRepo } from "./StoreSkuRepo.js"

interface Pending {
  readonly burst: Burst
  readonly done: Deferred.Deferred<void>
}

/** Bursts of at most this many entities share one transaction. */
const maxBurstsPerCommit = 500
/** Commits in flight at once; each entity has at most one burst in flight, so they never overlap. */
const writers = 3

/**
 * Group commit across entities: every StoreSku on this runner hands its burst here,
 * and whatever has gathered while the previous commit ran goes to Postgres in one
 * transaction. With load spread over many store-SKUs an entity sees one message per
 * burst; this keeps the cost per message at a fraction of a round trip anyway.
 */
export class StockWriter extends Effect.Service<StockWriter>()("StockWriter", {
  scoped: Effect.gen(function*() {
    const repo = yield* StoreSkuRepo
    const queue = yield* Queue.unbounded<Pending>()
    const commit = Effect.gen(function*() {
      const pending = yield* queue.takeBetween(1, maxBurstsPerCommit)
      const exit = yield* Effect.exit(repo.persistMany(Array.from(pending, (p) => p.burst)))
      yield* Effect.forEach(pending, (p) => Deferred.done(p.done, Exit.asVoid(exit)), { discard: true })
    })
    for (let i = 0; i < writers; i++) yield* Effect.forkScoped(Effect.forever(commit))
    return {
      /** Durable when this succeeds; dies (and writes nothing of its commit) otherwise. */
      write: (burst: Burst) =>
        Effect.flatMap(Deferred.make<void>(), (done) =>
          Effect.zipRight(queue.offer({ burst, done }), Deferred.await(done)))
    } as const
  })
}) {}
