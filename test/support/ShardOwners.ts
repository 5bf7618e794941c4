import { Sharding } from "@effect/cluster"
import { EntityId } from "@effect/cluster/EntityId"
import { knownRegionList, regionOfOrderId, storeSkuShardGroup } from "@qc/domain/stores/Regions"
import { heldAdvisoryLocks } from "@qc/server/inspect/ClusterQueries"
import { lockNumberOf, runnerOfApplicationName } from "@qc/server/inspect/ShardOwnership"
import { Effect, Schedule } from "effect"

/**
 * Which runner holds the shard of a store-SKU right now, as `qc` reads it from Postgres (shard
 * locks on connections named after their runner); the shard itself from the library.
 */
const shardIn = (entityId: string, group: string) =>
  Effect.map(Sharding.Sharding, (sharding) => {
    const shardId = sharding.getShardId(EntityId.make(entityId), group)
    return { group, shardId: `${group}:${shardId.id}`, lock: lockNumberOf(knownRegionList(), group, shardId.id)! }
  })

export const storeSkuShard = (entityId: string) => shardIn(entityId, storeSkuShardGroup(entityId))

/** The shard of an Order entity: its group is the region its id names (`ord_{region}_...`). */
export const orderShard = (orderId: string) => shardIn(orderId, regionOfOrderId(orderId))

export const lockHolder = (lock: number) =>
  Effect.map(Effect.orDie(heldAdvisoryLocks), (locks) => {
    const held = locks.find((l) => l.lockNumber === lock)
    return held === undefined ? undefined : runnerOfApplicationName(held.applicationName)
  })

/** Shard locks held per runner address. */
export const locksPerRunner = Effect.map(Effect.orDie(heldAdvisoryLocks), (locks) => {
  const counts = new Map<string, number>()
  for (const l of locks) {
    const runner = runnerOfApplicationName(l.applicationName)
    if (runner !== undefined) counts.set(runner, (counts.get(runner) ?? 0) + 1)
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([address, n]) => ({ address, n }))
})

/** Polls until `lock` is held by someone other than `previous`; answers who and after how long. */
export const lockTakenOver = (lock: number, previous: string, since: number) =>
  Effect.flatMap(lockHolder(lock), (holder) =>
    holder !== undefined && holder !== previous ? Effect.succeed({ holder, ms: performance.now() - since }) : Effect.fail("not yet")
  ).pipe(Effect.retry(Schedule.spaced("50 millis")), Effect.timeout("60 seconds"))
