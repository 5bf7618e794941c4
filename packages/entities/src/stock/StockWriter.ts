import { Effect } from "effect"
import { makeBatcher } from "../platform/Batcher.js"
import type { Burst } from "./StoreSkuBursts.js"
import { StoreSkuRepo } from "./StoreSkuRepo.js"

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
    const commit = yield* makeBatcher({
      maxBatch: maxBurstsPerCommit,
      workers: writers,
      run: (bursts: ReadonlyArray<Burst>) => Effect.as(repo.persistMany(bursts), bursts.map(() => undefined))
    })
    return {
      /** Durable when this succeeds; dies (and writes nothing of its commit) otherwise. */
      write: (burst: Burst): Effect.Effect<void> => commit(burst)
    } as const
  })
}) {}
