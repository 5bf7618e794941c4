import type { SqlClient } from "@effect/sql"
import { SqlClient as Sql } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import * as PgliteClient from "@qc/entities/platform/PgliteClient"
import { Effect, Layer, Redacted } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

export const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

/**
 * Runs `run` on a fresh embedded PGlite and, when DATABASE_URL is set, on a fresh database
 * `name` on that server (recreated at the start, left afterwards for inspection).
 * `--only pglite|postgres` picks one.
 */
export const onEachDatabase = <A, E>(
  name: string,
  run: (database: "pglite" | "postgres", sql: Layer.Layer<SqlClient.SqlClient>) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const only = arg("only", "")
    const results: Array<A> = []
    if (only !== "postgres") {
      const dataDir = mkdtempSync(join(tmpdir(), `${name}-`))
      results.push(yield* run("pglite", Layer.orDie(PgliteClient.layer({ dataDir }))))
      rmSync(dataDir, { recursive: true, force: true })
    }
    const url = process.env.DATABASE_URL
    if (url && only !== "pglite") {
      const target = yield* freshPostgresDatabase(url, name)
      results.push(yield* run("postgres", Layer.orDie(PgClient.layer({ url: Redacted.make(target), maxConnections: 10 }))))
    }
    return results
  })

/** Drops and creates database `name` on the server of `url`; answers the new database's URL. */
export const freshPostgresDatabase = (url: string, name: string) =>
  Effect.gen(function*() {
    const admin = Layer.orDie(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }))
    const exec = (statement: string) =>
      Effect.orDie(Effect.provide(Effect.flatMap(Sql.SqlClient, (sql) => sql.unsafe(statement)), admin))
    yield* exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    yield* exec(`CREATE DATABASE ${name}`)
    const target = new URL(url)
    target.pathname = `/${name}`
    return target.toString()
  })
