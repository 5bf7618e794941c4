import { Sharding } from "@effect/cluster"
import { EntityId } from "@effect/cluster/EntityId"
import { knownRegionList, storeSkuShardGroup } from "@qc/domain/stores/Regions"
import { heldAdvisoryLocks } from "@qc/server/inspect/ClusterQueries"
import { lockNumberOf, runnerOfApplicationName } from "@qc/server/inspect/ShardOwnership"
import { Effect } from "effect"

/**
 * Which runner holds the shard of a store-SKU right now, as `qc` reads it from Postgres (shard
 * locks on connections named after their runner); the shard itself from the library.
 */
export const storeSkuShard = (entityId: string) =>
  Effect.map(Sharding.Sharding, (sharding) => {
    const group = storeSkuShardGroup(entityId)
    const shardId = sharding.getShardId(EntityId.make(entityId), group)
    return { shardId: `${group}:${shardId.id}`, lock: lockNumberOf(knownRegionList(), group, shardId.id)! }
  })

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
