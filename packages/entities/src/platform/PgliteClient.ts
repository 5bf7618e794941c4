/**
 * An `@effect/sql` client over an in-process PGlite (Postgres compiled to WASM), for the embedded
 * runtime and for tests. It compiles statements with the `@effect/sql-pg` compiler (dialect "pg"),
 * so code written against `PgClient` runs unchanged, and it parses results the way `pg` does.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Statement from "@effect/sql/Statement"
import * as PgClient from "@effect/sql-pg/PgClient"
import { PGlite, type Results } from "@electric-sql/pglite"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as path from "node:path"
import { makeFifoLock } from "./FifoLock.js"
import { parsers, prepareValue, rowsOf } from "./PgliteValues.js"

export interface PgliteClientConfig {
  /** A folder that keeps the database across restarts; `undefined` keeps it in memory. */
  readonly dataDir?: string | undefined
  readonly spanAttributes?: Record<string, unknown> | undefined
  readonly transformResultNames?: ((str: string) => string) | undefined
  readonly transformQueryNames?: ((str: string) => string) | undefined
  readonly transformJson?: boolean | undefined
}

type TransformRows = (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined

// Statements that open or close the session's transaction. SAVEPOINT, RELEASE SAVEPOINT and
// ROLLBACK TO SAVEPOINT (nested `withTransaction`) and COMMIT AND CHAIN stay inside it.
const transactionStart = /^\s*(BEGIN|START\s+TRANSACTION)\b[^;]*;?\s*$/i
const transactionEnd = /^\s*(COMMIT|END|ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?(\s+AND\s+NO\s+CHAIN)?\s*;?\s*$/i

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

// PGlite does not keep a second PGlite (in this process or another) out of the same folder: its
// postmaster.pid holds the WASM pid, and both open fine, then silently lose each other's writes.
// A pid file left by a dead process is taken over.
const lockDataDir = (dataDir: string) => {
  const pidFile = path.join(dataDir, "pglite-client.pid")
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(dataDir, { recursive: true })
        try {
          return fs.writeFileSync(pidFile, String(process.pid), { flag: "wx" })
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
        }
        const holder = Number(fs.readFileSync(pidFile, "utf8"))
        if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
          throw new Error(`${dataDir} is in use by process ${holder}`)
        }
        fs.writeFileSync(pidFile, String(process.pid))
      },
      catch: (cause) => new SqlError({ cause, message: "PgliteClient: Failed to lock the data folder" })
    }),
    () => Effect.sync(() => fs.rmSync(pidFile, { force: true }))
  )
}

export const make = (
  options: PgliteClientConfig
): Effect.Effect<PgClient.PgClient, SqlError, Scope.Scope> =>
  Effect.gen(function*() {
    if (options.dataDir !== undefined && !options.dataDir.includes("://")) yield* lockDataDir(options.dataDir)
    const pglite = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => PGlite.create(options.dataDir, { parsers }),
        catch: (cause) => new SqlError({ cause, message: "PgliteClient: Failed to open the database" })
      }),
      (db) => Effect.ignoreLogged(Effect.tryPromise(() => db.close()))
    )

    // PGlite has a single session: every "connection" shares its transaction state. One permit
    // serialises them; a transaction holds it from BEGIN to COMMIT/ROLLBACK, anything else per
    // statement.
    const lock = yield* makeFifoLock

    // Uninterruptible: a statement handed to PGlite cannot be cancelled, so the fiber waits for it
    // instead of releasing the permit while the statement still runs.
    const query = <A>(run: () => Promise<A>) =>
      Effect.uninterruptible(Effect.tryPromise({
        try: run,
        catch: (cause) => new SqlError({ cause, message: "Failed to execute statement" })
      }))

    // PGLITE_SLOW_MS=n logs every statement that held the embedded database for n ms or more
    // (PGlite runs on this thread: a slow statement stalls the whole process).
    const slowMs = Number(process.env.PGLITE_SLOW_MS ?? "")
    const timed = Number.isFinite(slowMs) && slowMs > 0
      ? <A>(sql: string, run: () => Promise<A>) => () => {
        const started = performance.now()
        return run().finally(() => {
          const ms = performance.now() - started
          if (ms >= slowMs) console.warn(`pglite: ${ms.toFixed(1)} ms ${sql.replace(/\s+/g, " ").slice(0, 160)}`)
        })
      }
      : <A>(_sql: string, run: () => Promise<A>) => run

    // Without parameters use the simple protocol (several statements allowed, as in `pg`).
    const results = <R>(sql: string, params: ReadonlyArray<unknown>, rowMode?: "array") =>
      query(timed(sql, (): Promise<ReadonlyArray<Results<R>>> =>
        params.length === 0
          // `exec` is not generic over the row type; `rowMode` decides the shape.
          ? pglite.exec(sql, rowMode ? { rowMode } : {}) as Promise<Array<Results<R>>>
          : pglite.query<R>(sql, params.map(prepareValue), rowMode ? { rowMode } : {}).then((result) => [result])
      ))

    const rollbackQuietly = Effect.ignore(query(() => pglite.exec("ROLLBACK")))

    class PgliteConnection implements Connection {
      // Only for reserved connections (`withTransaction`, `sql.reserve`): does this connection
      // hold the permit for an open transaction?
      private inTransaction = false
      constructor(readonly reserved: boolean) {}

      private readonly endTransaction = Effect.suspend(() => {
        this.inTransaction = false
        return lock.release
      })

      // A reserved connection can live for long (`SqlRunnerStorage` keeps one for the runner's
      // whole life), so it takes the permit per statement too, and keeps it only inside BEGIN …
      // COMMIT; while it holds it, its own statements (from any fiber) run without waiting.
      private guard<A>(sql: string, run: Effect.Effect<A, SqlError>): Effect.Effect<A, SqlError> {
        if (!this.reserved) return lock.withLock(run)
        return Effect.suspend(() => {
          if (this.inTransaction) {
            if (!transactionEnd.test(sql)) return run
            // A failed COMMIT has already ended the transaction in Postgres; the ROLLBACK is a
            // no-op then, and makes sure the session is not left inside one otherwise.
            return run.pipe(Effect.tapError(() => rollbackQuietly), Effect.ensuring(this.endTransaction))
          }
          if (!transactionStart.test(sql)) return lock.withLock(run)
          return Effect.checkInterruptible((interruptible) =>
            Effect.uninterruptible(Effect.zipRight(
              lock.take(interruptible),
              Effect.onExit(run, (exit) =>
                Exit.isSuccess(exit)
                  ? Effect.sync(() => {
                    this.inTransaction = true
                  })
                  : lock.release)
            ))
          )
        })
      }

      // Runs when the reserved connection's scope closes: never leave the session in a
      // transaction or the permit taken.
      readonly close = Effect.suspend(() =>
        this.inTransaction ? Effect.ensuring(rollbackQuietly, this.endTransaction) : Effect.void
      )

      execute(sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows) {
        return this.guard(
          sql,
          Effect.map(results<Record<string, unknown>>(sql, params), (results) => {
            const rows: ReadonlyArray<object> = rowsOf(results)
            return transformRows ? transformRows(rows) : rows
          })
        )
      }
      executeRaw(sql: string, params: ReadonlyArray<unknown>) {
        return this.guard(
          sql,
          Effect.map(results<Record<string, unknown>>(sql, params), (results) => results.length === 1 ? results[0] : results)
        )
      }
      executeValues(sql: string, params: ReadonlyArray<unknown>) {
        return this.guard(sql, Effect.map(results<ReadonlyArray<unknown>>(sql, params, "array"), rowsOf))
      }
      executeUnprepared(sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows) {
        return this.execute(sql, params, transformRows)
      }
      // No cursors: the rows are read at once, then streamed.
      executeStream(sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows) {
        return Stream.unwrap(
          Effect.map(this.execute(sql, params, transformRows), (rows) => Stream.fromIterable(rows))
        )
      }
    }

    const reactivity = yield* Effect.serviceOption(Reactivity.Reactivity).pipe(
      Effect.flatMap(Option.match({ onNone: () => Reactivity.make, onSome: Effect.succeed }))
    )
    const client = yield* SqlClient.make({
      acquirer: Effect.succeed(new PgliteConnection(false)),
      transactionAcquirer: Effect.acquireRelease(
        Effect.sync(() => new PgliteConnection(true)),
        (connection) => connection.close
      ),
      compiler: PgClient.makeCompiler(options.transformQueryNames, options.transformJson),
      spanAttributes: [
        ...(options.spanAttributes ? Object.entries(options.spanAttributes) : []),
        ["db.system.name", "postgresql"],
        ["db.namespace", "postgres"]
      ],
      transformRows: options.transformResultNames
        ? Statement.defaultTransforms(options.transformResultNames, options.transformJson).array
        : undefined
    }).pipe(Effect.provideService(Reactivity.Reactivity, reactivity))

    return Object.assign(client, {
      [PgClient.TypeId]: PgClient.TypeId,
      config: { database: "postgres", username: "postgres" },
      json: (value: unknown) => PgJson(value),
      // LISTEN/UNLISTEN wait for the permit so they never land inside another fiber's transaction.
      listen: (channel: string) =>
        Stream.asyncPush<string, SqlError>((emit) =>
          Effect.acquireRelease(
            lock.withLock(query(() => pglite.listen(channel, (payload) => emit.single(payload)))),
            (unlisten) => Effect.ignore(lock.withLock(query(() => unlisten())))
          )
        ),
      // Through the client, so inside a transaction it is sent on COMMIT (and cannot deadlock on
      // the permit that transaction holds).
      notify: (channel: string, payload: string) => Effect.asVoid(client`SELECT pg_notify(${channel}, ${payload})`)
    })
  })

const PgJson = Statement.custom<PgClient.PgCustom>("PgJson")

/** Provides both `SqlClient` and `PgClient`, like `PgClient.layer`. */
export const layer = (
  options: PgliteClientConfig
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  Layer.scopedContext(
    Effect.map(make(options), (client) =>
      Context.make(PgClient.PgClient, client).pipe(
        Context.add(SqlClient.SqlClient, client)
      ))
  ).pipe(Layer.provide(Reactivity.layer))
