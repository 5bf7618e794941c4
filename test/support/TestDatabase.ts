import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import * as Migrations from "@qc/entities/platform/Migrations"
import * as PgliteClient from "@qc/entities/platform/PgliteClient"
import { Effect, Layer, Redacted } from "effect"
import { createHash, randomUUID } from "node:crypto"
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * A database of its own for one test layer: a fresh PGlite folder by default (already
 * migrated: a copy of the template below), or, when `DATABASE_URL` is set (CI), a fresh
 * database on that server, dropped afterwards. Either way the test runs the migrations
 * (a no-op on the copy).
 */
export interface TestDatabase {
  /** Opens a client on the same data (call again after closing one to "restart"). */
  readonly layer: Layer.Layer<SqlClient.SqlClient>
  readonly kind: "pglite" | "postgres"
  /** Postgres only: the URL of this database, for processes the test starts. */
  readonly url?: string
}

/**
 * A PGlite folder already initialised and migrated, shared by every test process: a new
 * PGlite folder costs ~3 s of initdb, a copy of this one ~0.1 s. Keyed by the migrations'
 * source, so a new or changed migration makes a new template.
 */
const entitiesDir = join(dirname(fileURLToPath(import.meta.url)), "../../packages/entities")
const migrationsDir = join(entitiesDir, "src/platform")
const templateKey = () => {
  const hash = createHash("sha256")
  // The PGlite version pinned by the entities package: another version may not read the folder.
  hash.update(readFileSync(join(entitiesDir, "package.json")))
  const files = [join(migrationsDir, "Migrations.ts"), ...readdirSync(join(migrationsDir, "migrations")).sort().map((f) => join(migrationsDir, "migrations", f))]
  for (const file of files) hash.update(basename(file)).update(readFileSync(file))
  return hash.digest("hex").slice(0, 16)
}
let template: Promise<string> | undefined
const pgliteTemplate = Effect.promise(() => {
  template ??= (async () => {
    const dir = join(tmpdir(), `qc-pglite-template-${templateKey()}`)
    if (existsSync(dir)) return dir
    const building = mkdtempSync(join(tmpdir(), "qc-pglite-building-"))
    await Effect.runPromise(Effect.scoped(Effect.orDie(Migrations.run).pipe(
      Effect.provide(Layer.orDie(PgliteClient.layer({ dataDir: building })))
    )))
    try {
      renameSync(building, dir)
    } catch {
      rmSync(building, { recursive: true, force: true }) // another test process made it first
    }
    return dir
  })()
  return template
})

export const makeTestDatabase = Effect.gen(function*() {
  const url = process.env.DATABASE_URL
  if (url === undefined || url === "") {
    const dataDir = mkdtempSync(join(tmpdir(), "qc-test-"))
    cpSync(yield* pgliteTemplate, dataDir, { recursive: true })
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
