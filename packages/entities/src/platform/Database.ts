import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { ConfigError } from "effect/ConfigError"
import { Config, Effect, Layer, Option } from "effect"
import * as PgliteClient from "./PgliteClient.js"

/**
 * `DATABASE_URL` set: real Postgres through a pool. Otherwise Postgres embedded
 * in-process with PGlite, its data in `DATA_DIR` (default `./.data`).
 */
export const DatabaseLive: Layer.Layer<SqlClient.SqlClient, SqlError | ConfigError> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const url = yield* Config.option(Config.redacted("DATABASE_URL"))
    if (Option.isSome(url)) {
      yield* Effect.logInfo("database: Postgres from DATABASE_URL")
      // `DB_POOL`: connections of this process (mind max_connections times the processes).
      const pool = yield* Config.integer("DB_POOL").pipe(Config.withDefault(10))
      return PgClient.layer({ url: url.value, maxConnections: pool })
    }
    const dataDir = yield* Config.string("DATA_DIR").pipe(Config.withDefault("./.data"))
    yield* Effect.logInfo(`database: embedded PGlite in ${dataDir}`)
    return PgliteClient.layer({ dataDir })
  })
)

/**
 * A `PgClient` connected to a Postgres server, as opposed to in-process PGlite (whose
 * client also answers as a `PgClient`): only a server has other processes to notify
 * and room for a second pool.
 */
export const isPostgresServer = (pg: PgClient.PgClient): boolean =>
  pg.config.url !== undefined || pg.config.host !== undefined

/** Lock key of the start-up section; clear of the cluster's shard locks (1,000,001 and up per group). */
const startupLock = 7_263_001_001

/**
 * Runs `effect` while holding a Postgres session advisory lock, so that processes starting
 * together on one database take turns: migrations, the demo seed and the cluster's own table
 * creation run in one process at a time, and the others find them done. The lock lives on a
 * connection of its own (the work may manage its own transactions) and goes with the
 * session if the process dies. In-process PGlite has no other process: it just runs.
 */
export const startupSection = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const pg = yield* Effect.serviceOption(PgClient.PgClient)
    if (Option.isNone(pg) || !isPostgresServer(pg.value)) return yield* effect
    return yield* Effect.scoped(Effect.gen(function*() {
      const lock = yield* Effect.orDie(sql.reserve)
      yield* Effect.acquireRelease(
        Effect.orDie(lock.executeRaw(`SELECT pg_advisory_lock(${startupLock})`, [])),
        () => Effect.ignore(lock.executeRaw(`SELECT pg_advisory_unlock(${startupLock})`, []))
      )
      return yield* effect
    }))
  })
