import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import * as PgliteClient from "@qc/entities/platform/PgliteClient"
import { Effect, Layer, Redacted } from "effect"
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * A database of its own for one test layer: a fresh PGlite folder by default, or, when
 * `DATABASE_URL` is set (CI), a fresh database on that server, dropped afterwards.
 */
export interface TestDatabase {
  /** Opens a client on the same data (call again after closing one to "restart"). */
  readonly layer: Layer.Layer<SqlClient.SqlClient>
  readonly kind: "pglite" | "postgres"
  /** Postgres only: the URL of this database, for processes the test starts. */
  readonly url?: string
}

export const makeTestDatabase = Effect.gen(function*() {
  const url = process.env.DATABASE_URL
  if (url === undefined || url === "") {
    const dataDir = mkdtempSync(join(tmpdir(), "qc-test-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })))
    return { kind: "pglite", layer: Layer.orDie(PgliteClient.layer({ dataDir })) } satisfies TestDatabase
  }
  const name = `qc_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`
  const admin = PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })
  const createDrop = (statement: string) =>
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
      Effect.provide(admin),
      Effect.orDie
    )
  yield* Effect.acquireRelease(
    createDrop(`CREATE DATABASE ${name}`),
    () => Effect.ignore(createDrop(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  )
  const target = new URL(url)
  target.pathname = `/${name}`
  return {
    kind: "postgres",
    url: target.toString(),
    layer: Layer.orDie(PgClient.layer({ url: Redacted.make(target.toString()), maxConnections: 10 }))
  } satisfies TestDatabase
})
