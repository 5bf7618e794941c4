import { ShardingConfig } from "@effect/cluster"

/**
 * Who owns which shard, read from outside the cluster. The cluster keeps no table of it: on
 * Postgres a runner owns a shard while its storage connection holds the shard's advisory
 * lock (`SqlRunnerStorage`), so the map is `pg_locks` read through the lock numbering, and
 * the holder is told by its connection's `application_name` (`qc-runner host:port`).
 */

/** The library's default; `clusterFor` does not change it. */
export const shardsPerGroup = ShardingConfig.defaults.shardsPerGroup

/** `group:n`, as the cluster spells a shard id. */
export const shardKey = (group: string, shard: number) => `${group}:${shard}`

/**
 * `SqlRunnerStorage.lockNumbers`: group i (0-based) of the sorted available groups, shard s
 * (1-based) is advisory lock `(i + 1) * 1_000_000 + s`, taken with `pg_try_advisory_lock(bigint)`.
 */
export const lockNumberOf = (groups: ReadonlyArray<string>, group: string, shard: number): number | undefined => {
  const i = groups.indexOf(group)
  return i < 0 || shard < 1 || shard > shardsPerGroup ? undefined : (i + 1) * 1_000_000 + shard
}

/** The shard a lock number stands for, if it is one of the cluster's. */
export const shardOfLock = (
  groups: ReadonlyArray<string>,
  lockNumber: number
): { readonly group: string; readonly shard: number } | undefined => {
  const i = Math.floor(lockNumber / 1_000_000) - 1
  const shard = lockNumber % 1_000_000
  const group = groups[i]
  return group === undefined || shard < 1 || shard > shardsPerGroup ? undefined : { group, shard }
}

/**
 * `Sharding.getShardId(entityId, group).id`: the library's string hash (`internal/hash.ts`,
 * not exported by the package) modulo the shards of a group, plus one. A test holds it to the
 * library's own `getShardId`, so a change of the hash shows there first.
 */
export const shardOfEntity = (entityId: string): number => {
  let h = 5381
  let i = entityId.length
  while (i) h = (h * 33) ^ entityId.charCodeAt(--i)
  const optimized = (h & 0xbfffffff) | ((h >>> 1) & 0x40000000)
  return Math.abs(optimized % shardsPerGroup) + 1
}

const runnerPrefix = "qc-runner "

/** The runner address a storage connection is named after (`runnerLabel` in ClusterRoles). */
export const runnerOfApplicationName = (name: string): string | undefined =>
  name.startsWith(runnerPrefix) ? name.slice(runnerPrefix.length) : undefined

/** An advisory lock held in this database, as `pg_locks` + `pg_stat_activity` show it. */
export interface HeldLock {
  readonly lockNumber: number
  readonly pid: number
  readonly applicationName: string
}

/** The holder of a shard lock: a runner address, or the backend of something that is not one. */
export const holderOf = (lock: HeldLock): string =>
  runnerOfApplicationName(lock.applicationName) ?? `pid ${lock.pid} (${lock.applicationName || "unnamed"})`

/** Shard id → holder, for every cluster shard lock held; other advisory locks are left out. */
export const ownersOf = (groups: ReadonlyArray<string>, locks: ReadonlyArray<HeldLock>): ReadonlyMap<string, string> => {
  const owners = new Map<string, string>()
  for (const lock of locks) {
    const shard = shardOfLock(groups, lock.lockNumber)
    if (shard !== undefined) owners.set(shardKey(shard.group, shard.shard), holderOf(lock))
  }
  return owners
}

export interface ShardOwner {
  readonly group: string
  readonly shard: number
  /** `undefined`: no runner holds its lock now. */
  readonly owner: string | undefined
}

/** Every shard of `groups` (in order) with its holder. */
export const shardTable = (
  groups: ReadonlyArray<string>,
  owners: ReadonlyMap<string, string>
): ReadonlyArray<ShardOwner> =>
  groups.flatMap((group) =>
    Array.from({ length: shardsPerGroup }, (_, i) => ({ group, shard: i + 1, owner: owners.get(shardKey(group, i + 1)) }))
  )
