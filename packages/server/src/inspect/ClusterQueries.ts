import { Runner, Snowflake } from "@effect/cluster"
import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import type { HeldLock } from "./ShardOwnership.js"

/** Reads of the cluster's own bookkeeping (`SqlRunnerStorage`, `SqlMessageStorage`); reads only. */

/** A row of `cluster_runners`, its serialized `runner` decoded. */
export interface RunnerRecord {
  readonly address: string
  /** The shard groups it hosts, from its registration; empty if that does not decode. */
  readonly groups: ReadonlyArray<string>
  /** The flag the cluster keeps (set false by a failed health check). */
  readonly healthyFlag: boolean
  readonly heartbeatAgeMs: number
}

const decodeRunner = Schema.decodeUnknownEither(Schema.parseJson(Runner.Runner))

/** The cluster's tables exist only once some runner has started on this database. */
export const clusterTablesExist = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ present: boolean }>`SELECT to_regclass('cluster_runners') IS NOT NULL AS present`
  return row?.present === true
})

/**
 * `last_heartbeat` is a `timestamp` written with `NOW()` by each runner, so its age is taken
 * in the same terms (`LOCALTIMESTAMP`) rather than against this machine's clock.
 */
export const runnerRecords = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ address: string; runner: string; healthy: boolean; age_ms: number | string }>`
    SELECT address, runner, healthy,
           EXTRACT(EPOCH FROM (LOCALTIMESTAMP - last_heartbeat)) * 1000 AS age_ms
      FROM cluster_runners ORDER BY address`
  return rows.map((r): RunnerRecord => ({
    address: r.address,
    groups: Either.match(decodeRunner(r.runner), { onLeft: () => [], onRight: (runner) => runner.groups }),
    healthyFlag: r.healthy,
    heartbeatAgeMs: Math.max(0, Math.round(Number(r.age_ms)))
  }))
})

/**
 * Granted advisory locks in this database with the name of the connection holding them.
 * A bigint key shows as classid (high 32 bits) and objid (low 32 bits) with objsubid 1;
 * `pg_locks` lists every database of the server, hence the filter on ours.
 */
export const heldAdvisoryLocks = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ lock_number: string | number; pid: number; application_name: string | null }>`
    SELECT (l.classid::bigint << 32) | l.objid::bigint AS lock_number, l.pid, a.application_name
      FROM pg_locks l
      JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`
  return rows.map((r): HeldLock => ({
    lockNumber: Number(r.lock_number),
    pid: r.pid,
    applicationName: r.application_name ?? ""
  }))
})

/** A persisted cluster message that will not complete on its own. */
export interface StuckMessage {
  readonly id: string
  readonly entityType: string
  readonly entityId: string
  readonly shardId: string
  readonly tag: string | null
  readonly processed: boolean
  readonly deliverAt: number | null
  readonly lastRead: Date | null
  /** The exit of its last reply (JSON), when that reply is a failure. */
  readonly failure: string | null
}

/**
 * Requests (message kind 0) whose final reply (`WithExit`, reply kind 0) is a failure, and
 * requests still unprocessed whose delivery time (`deliver_at`, or else the time in their
 * snowflake id: when they were sent) is more than `olderThanMs` ago.
 */
export const stuckMessages = (olderThanMs: number, nowMs: number, limit: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const dueBefore = nowMs - olderThanMs
    const rows = yield* sql<{
      id: string
      entity_type: string
      entity_id: string
      shard_id: string
      tag: string | null
      processed: boolean
      deliver_at: string | number | null
      last_read: Date | null
      reply_payload: string | null
    }>`
      SELECT m.id::text AS id, m.entity_type, m.entity_id, m.shard_id, m.tag, m.processed, m.deliver_at, m.last_read,
             CASE WHEN r.payload::jsonb ->> '_tag' = 'Failure' THEN r.payload END AS reply_payload
        FROM cluster_messages m
        LEFT JOIN cluster_replies r ON r.id = m.last_reply_id AND r.kind = 0
       WHERE m.kind = 0
         AND (r.payload::jsonb ->> '_tag' = 'Failure'
              OR (NOT m.processed AND coalesce(m.deliver_at, (m.id >> 22) + ${Snowflake.constEpochMillis}) <= ${dueBefore}))
       ORDER BY m.id
       LIMIT ${limit}`
    return rows.map((r): StuckMessage => ({
      id: r.id,
      entityType: r.entity_type,
      entityId: r.entity_id,
      shardId: r.shard_id,
      tag: r.tag,
      processed: r.processed,
      deliverAt: r.deliver_at === null ? null : Number(r.deliver_at),
      lastRead: r.last_read,
      failure: r.reply_payload
    }))
  })
