import { RunnerAddress, SingleRunner } from "@effect/cluster"
import type { ShardingConfig } from "@effect/cluster"
import { NodeClusterSocket } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { defaultRegion, installRegions } from "@qc/domain/stores/Regions"
import { isPostgresServer, startupSection } from "@qc/entities/platform/Database"
import { Config, Duration, Effect, Layer, Option } from "effect"

/**
 * How this process takes part in the cluster:
 * - `Single`: the embedded mode and the tests; one runner hosting every region.
 * - `Runner`: a `pnpm runner` process, hosting the regions it is given (and `default`,
 *   where the cluster-wide singletons live) at a cluster socket the other runners reach.
 * - `Client`: a `pnpm api` process; it sends to entities and hosts none.
 */
export type ClusterRole =
  | { readonly _tag: "Single" }
  | { readonly _tag: "Runner"; readonly address: RunnerAddress.RunnerAddress; readonly regions: Option.Option<ReadonlyArray<string>> }
  | { readonly _tag: "Client" }

export const SingleRole: ClusterRole = { _tag: "Single" }

/** The runner's own address in the cluster; also the `application_name` of its storage connections. */
export const runnerLabel = (address: RunnerAddress.RunnerAddress) => `qc-runner ${address.host}:${address.port}`

/** `RUNNER_HOST` (default localhost), `RUNNER_PORT` (default 34431), `REGIONS` (default: all). */
export const RunnerRoleFromEnv = Effect.gen(function*() {
  const host = yield* Config.string("RUNNER_HOST").pipe(Config.withDefault("localhost"))
  const port = yield* Config.port("RUNNER_PORT").pipe(Config.withDefault(34431))
  const regions = yield* Config.option(Config.array(Config.string(), "REGIONS"))
  return {
    _tag: "Runner",
    address: RunnerAddress.make(host, port),
    regions: Option.map(regions, (list) => list.map((r) => r.trim()).filter((r) => r.length > 0))
  } satisfies ClusterRole as ClusterRole
})

/**
 * The regions of every store, installed in this process (entities ask their shard group
 * from it). Every process reads the same table, so all agree on the list of shard groups,
 * which the cluster's lock numbering depends on: a new region means restarting every
 * process (see the README).
 */
export const loadRegions = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ id: string; region: string }>`SELECT id, region FROM stores`
  return installRegions(rows)
}).pipe(Effect.orDie)

/**
 * Failover knobs. A runner that dies (SIGKILL) stops refreshing its shard locks, and its Postgres
 * session (holding them) dies with it; the others take its shards once its last refresh is
 * older than `SHARD_LOCK_EXPIRATION` (default 6 s; the library's 35 s is too slow for a store
 * taking orders). Locks refresh every `SHARD_LOCK_REFRESH` (2 s): a refresh slower than that
 * makes the runner give up all its shards at once, so raise both on a machine too loaded to
 * answer in time. Every process re-reads who runs what each `CLUSTER_ASSIGNMENTS_REFRESH` (1 s),
 * so shards handed over at a SIGTERM are picked up within about a second.
 */
const failoverConfig = Effect.gen(function*() {
  const expiration = yield* Config.duration("SHARD_LOCK_EXPIRATION").pipe(Config.withDefault(Duration.seconds(6)))
  const refresh = yield* Config.duration("SHARD_LOCK_REFRESH").pipe(Config.withDefault(Duration.seconds(2)))
  const assignments = yield* Config.duration("CLUSTER_ASSIGNMENTS_REFRESH").pipe(Config.withDefault(Duration.seconds(1)))
  return { shardLockExpiration: expiration, shardLockRefreshInterval: refresh, refreshAssignmentsInterval: assignments }
}).pipe(Effect.orDie)

/**
 * On Postgres the cluster's storage (runner heartbeats, shard locks, persisted messages)
 * gets a pool of its own: queued behind a busy app pool, a heartbeat or lock refresh
 * misses its deadline and the runner gives its shards up. No order message is persisted
 * by the cluster any more (the Order entity keeps its own state and timers), so the pool
 * only carries the cluster's bookkeeping: 5 by default. `CLUSTER_DB_POOL` sets it (mind
 * Postgres' max_connections times the runners). PGlite is one session. The connections are
 * named after the runner, so `qc shards` can tell who holds which shard lock.
 */
const clusterSql = (label: string) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const pg = yield* Effect.serviceOption(PgClient.PgClient)
      const size = yield* Config.integer("CLUSTER_DB_POOL").pipe(Config.withDefault(5), Effect.orDie)
      return Option.isSome(pg) && isPostgresServer(pg.value)
        ? Layer.orDie(PgClient.layer({ ...pg.value.config, maxConnections: size, applicationName: label }))
        : Layer.effect(SqlClient.SqlClient, SqlClient.SqlClient)
    })
  )

/**
 * Builds `layer` inside the start-up section: the cluster creates its tables when its storage
 * starts, and two processes doing so at once collide in Postgres' catalogue.
 */
const builtInTurn = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  Layer.scopedContext(Effect.flatMap(Effect.scope, (scope) => startupSection(Layer.buildWithScope(layer, scope))))

/** Sharding for the role, its shard groups being `default` plus every region in the database. */
export const clusterFor = (role: ClusterRole, overrides?: Partial<ShardingConfig.ShardingConfig["Type"]>) =>
  builtInTurn(Layer.unwrapEffect(
    Effect.gen(function*() {
      const available = yield* loadRegions
      const failover = yield* failoverConfig
      // One process has no one to hand shards to: the library's loose lock timing there, so a
      // loaded laptop or test machine never drops its own shards over a slow refresh.
      const base = {
        availableShardGroups: available,
        // Messages to entities on this runner are handed over as values; the schemas still
        // encode everything that is persisted or crosses to another runner.
        simulateRemoteSerialization: false,
        // A stopping runner releases its shards only once its entities have stopped. Ours commit
        // before they answer and every retry carries its operation id, so an entity cut short
        // loses nothing: 2 s (not the library's 15 s) keeps a SIGTERM handover short.
        entityTerminationTimeout: Duration.seconds(2),
        ...(role._tag === "Single" ? {} : failover)
      }
      switch (role._tag) {
        case "Single": {
          const address = RunnerAddress.make("localhost", 34431)
          return SingleRunner.layer({
            runnerStorage: "sql",
            // Explicit, so the cluster's env config does not take our HTTP `PORT` as its runner port.
            shardingConfig: { ...base, runnerAddress: Option.some(address), assignedShardGroups: available, ...overrides }
          }).pipe(Layer.provide(clusterSql(runnerLabel(address))))
        }
        case "Runner": {
          const wanted = Option.getOrElse(role.regions, () => available)
          const unknown = wanted.filter((r) => !available.includes(r))
          if (unknown.length > 0) {
            return yield* Effect.dieMessage(
              `REGIONS names ${unknown.join(", ")}, which no store belongs to; the regions are ${available.join(", ")}`
            )
          }
          const assigned = [...new Set([defaultRegion, ...wanted])]
          yield* Effect.logInfo(`runner ${role.address.host}:${role.address.port} hosting ${assigned.join(", ")}`)
          return NodeClusterSocket.layer({
            storage: "sql",
            shardingConfig: { ...base, runnerAddress: Option.some(role.address), assignedShardGroups: assigned, ...overrides }
          }).pipe(Layer.orDie, Layer.provide(clusterSql(runnerLabel(role.address))))
        }
        case "Client":
          return NodeClusterSocket.layer({
            clientOnly: true,
            storage: "sql",
            shardingConfig: { ...base, runnerAddress: Option.none(), assignedShardGroups: [], ...overrides }
          }).pipe(Layer.orDie, Layer.provide(clusterSql("qc-api")))
      }
    })
  ))
