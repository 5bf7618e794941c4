import { PgClient } from "@effect/sql-pg"
import type { SqlClient } from "@effect/sql"
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
