import { Sharding } from "@effect/cluster"
import { EntityId } from "@effect/cluster/EntityId"
import { SqlClient } from "@effect/sql"
import { knownRegionList, storeSkuShardGroup } from "@qc/domain/stores/Regions"
import { Effect } from "effect"

/**
 * Which runner holds the shard of a store-SKU right now, read from Postgres: the cluster
 * takes a session advisory lock per shard ((group index + 1) × 1,000,000 + shard, groups
 * sorted) on a connection named after the runner (`qc-runner host:port`).
 */
export const storeSkuShard = (entityId: string) =>
  Effect.map(Sharding.Sharding, (sharding) => {
    const group = storeSkuShardGroup(entityId)
    const shardId = sharding.getShardId(EntityId.make(entityId), group)
    const lock = (knownRegionList().indexOf(group) + 1) * 1_000_000 + shardId.id
    return { shardId: `${group}:${shardId.id}`, lock }
  })

export const lockHolder = (lock: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ application_name: string }>`
      SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = ${lock}
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`
    return rows.length === 0 ? undefined : rows[0].application_name.replace(/^qc-runner /, "")
  }).pipe(Effect.orDie)
