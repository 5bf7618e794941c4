import * as ClusterSchema from "@effect/cluster/ClusterSchema"
import * as Entity from "@effect/cluster/Entity"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as Rpc from "@effect/rpc/Rpc"
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import { describe, expect, it } from "@effect/vitest"
import * as PgliteClient from "@qc/entities/platform/PgliteClient"
import { Chunk, Deferred, Effect, Fiber, Layer, PrimaryKey, Ref, Schema, Stream, String as Str } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

// Enough turns of the scheduler for a fiber that is not blocked to get through a statement.
const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))

describe("PgliteClient", () => {
  it.layer(PgliteClient.layer({}), { timeout: "30 seconds" })("in memory", (it) => {
    it.effect("CRUD with sql, sql.insert, sql.in and RETURNING; values round-trip like pg", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`
          CREATE TABLE items (
            id SERIAL PRIMARY KEY,
            name TEXT NOT NULL,
            qty INT NOT NULL,
            big BIGINT,
            at TIMESTAMPTZ,
            local_at TIMESTAMP,
            data JSONB,
            blob BYTEA,
            tags TEXT[]
          )
        `
        const at = new Date("2024-05-01T10:20:30.123Z")
        const inserted = yield* sql<{ id: number; name: string }>`
          INSERT INTO items ${
          sql.insert([
            {
              name: "rice",
              qty: 3,
              big: 9007199254740993n,
              at,
              local_at: at,
              data: { kg: 5, nested: { brands: ["a", "b"] } },
              blob: new Uint8Array([0, 1, 254, 255]),
              tags: ["staple", "grain"]
            },
            { name: "dal", qty: 7, big: null, at: null, local_at: null, data: null, blob: null, tags: [] }
          ])
        }
          RETURNING id, name
        `
        expect(inserted).toEqual([{ id: 1, name: "rice" }, { id: 2, name: "dal" }])

        const [rice] = yield* sql`SELECT * FROM items WHERE ${sql("name")} = ${"rice"}`
        expect(rice.qty).toBe(3)
        expect(rice.big).toBe("9007199254740993") // int8 is a string, as with pg
        expect(rice.at).toEqual(at)
        expect(rice.local_at).toEqual(at) // a timestamp column keeps local wall time, as with pg
        expect(rice.data).toEqual({ kg: 5, nested: { brands: ["a", "b"] } })
        expect(Buffer.isBuffer(rice.blob)).toBe(true)
        expect([...(rice.blob as Buffer)]).toEqual([0, 1, 254, 255])
        expect(rice.tags).toEqual(["staple", "grain"])

        const updated = yield* sql<{ name: string; qty: number }>`
          UPDATE items SET qty = qty + 1 WHERE name IN ${sql.in(["rice", "dal", "salt"])}
          RETURNING name, qty
        `
        expect(updated.map((row) => row.qty).sort()).toEqual([4, 8])

        expect(yield* sql`SELECT count(*)::int AS n FROM items`.values).toEqual([[2]])
        yield* sql`DELETE FROM items WHERE id = ${2}`
        const names = yield* sql<{ name: string }>`SELECT name FROM items ORDER BY id`.stream.pipe(
          Stream.map((row) => row.name),
          Stream.runCollect
        )
        expect(Chunk.toReadonlyArray(names)).toEqual(["rice"])

        // Several statements without parameters go through the simple protocol, as in pg.
        expect(yield* sql.unsafe("SELECT 1 AS a; SELECT 2 AS b").unprepared).toEqual([[{ a: 1 }], [{ b: 2 }]])
        expect(sql.onDialectOrElse({ pg: () => "pg", orElse: () => "other" })).toBe("pg")

        const pg = yield* PgClient.PgClient
        const [json] = yield* pg`SELECT ${pg.json({ a: [1, 2] })}::jsonb AS doc`
        expect(json.doc).toEqual({ a: [1, 2] })
      }))

    it.effect("withTransaction commits, and rolls back on failure", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE tx_basic (name TEXT PRIMARY KEY)`
        yield* sql`INSERT INTO tx_basic VALUES ('kept')`.pipe(sql.withTransaction)
        const failed = yield* sql`INSERT INTO tx_basic VALUES ('dropped')`.pipe(
          Effect.zipRight(Effect.fail("boom" as const)),
          sql.withTransaction,
          Effect.flip
        )
        expect(failed).toBe("boom")
        expect(yield* sql`SELECT name FROM tx_basic`).toEqual([{ name: "kept" }])
      }))

    it.effect("nested withTransaction uses savepoints", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE tx_nested (name TEXT PRIMARY KEY)`
        yield* Effect.gen(function*() {
          yield* sql`INSERT INTO tx_nested VALUES ('outer')`
          yield* sql`INSERT INTO tx_nested VALUES ('inner-ok')`.pipe(sql.withTransaction)
          yield* sql`INSERT INTO tx_nested VALUES ('inner-failed')`.pipe(
            Effect.zipRight(Effect.fail("inner")),
            sql.withTransaction,
            Effect.ignore
          )
          yield* sql`INSERT INTO tx_nested VALUES ('after')`
        }).pipe(sql.withTransaction)
        const rows = yield* sql<{ name: string }>`SELECT name FROM tx_nested ORDER BY name`
        expect(rows.map((row) => row.name)).toEqual(["after", "inner-ok", "outer"])
      }))

    it.effect("concurrent transactions run one after the other and both commit", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE tx_serial (name TEXT PRIMARY KEY)`
        const aInside = yield* Deferred.make<void>()
        const aMayFinish = yield* Deferred.make<void>()
        const bInside = yield* Deferred.make<void>()
        const log = yield* Ref.make<ReadonlyArray<string>>([])

        const a = yield* Effect.gen(function*() {
          yield* sql`INSERT INTO tx_serial VALUES ('a')`
          yield* Ref.update(log, (l) => [...l, "a in"])
          yield* Deferred.succeed(aInside, undefined)
          yield* Deferred.await(aMayFinish)
          yield* sql`SELECT count(*) FROM tx_serial`
          yield* Ref.update(log, (l) => [...l, "a out"])
        }).pipe(sql.withTransaction, Effect.fork)
        yield* Deferred.await(aInside)

        const b = yield* Effect.gen(function*() {
          yield* Ref.update(log, (l) => [...l, "b in"])
          yield* Deferred.succeed(bInside, undefined)
          yield* sql`INSERT INTO tx_serial VALUES ('b')`
          yield* Ref.update(log, (l) => [...l, "b out"])
        }).pipe(sql.withTransaction, Effect.fork)

        yield* settle
        expect(yield* Deferred.isDone(bInside)).toBe(false) // b waits in BEGIN while a is open
        yield* Deferred.succeed(aMayFinish, undefined)
        yield* Fiber.join(a)
        yield* Fiber.join(b)
        expect(yield* Ref.get(log)).toEqual(["a in", "a out", "b in", "b out"])
        expect(yield* sql`SELECT name FROM tx_serial ORDER BY name`).toEqual([{ name: "a" }, { name: "b" }])
      }))

    it.effect("a statement outside the transaction waits for it and does not join it", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE tx_outside (name TEXT PRIMARY KEY)`
        const txInside = yield* Deferred.make<void>()
        const txMayFinish = yield* Deferred.make<void>()
        const tx = yield* sql`INSERT INTO tx_outside VALUES ('in-tx')`.pipe(
          Effect.zipRight(Deferred.succeed(txInside, undefined)),
          Effect.zipRight(Deferred.await(txMayFinish)),
          Effect.zipRight(Effect.fail("rollback" as const)),
          sql.withTransaction,
          Effect.flip,
          Effect.fork
        )
        yield* Deferred.await(txInside)
        const outside = yield* sql`INSERT INTO tx_outside VALUES ('outside')`.pipe(Effect.fork)
        yield* settle
        expect(outside.unsafePoll()).toBeNull() // still waiting for the permit
        yield* Deferred.succeed(txMayFinish, undefined)
        expect(yield* Fiber.join(tx)).toBe("rollback")
        yield* Fiber.join(outside)
        // had it run inside the transaction, the rollback would have dropped it too
        expect(yield* sql`SELECT name FROM tx_outside`).toEqual([{ name: "outside" }])
      }))

    it.effect("interrupting a fiber inside a transaction rolls it back and frees the session", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE tx_interrupted (name TEXT PRIMARY KEY)`
        const inside = yield* Deferred.make<void>()
        const tx = yield* sql`INSERT INTO tx_interrupted VALUES ('lost')`.pipe(
          Effect.zipRight(Deferred.succeed(inside, undefined)),
          Effect.zipRight(Effect.never),
          sql.withTransaction,
          Effect.fork
        )
        yield* Deferred.await(inside)
        yield* Fiber.interrupt(tx)
        expect(yield* sql`SELECT name FROM tx_interrupted`).toEqual([])
      }))

    it.effect("closing a reserved connection left inside BEGIN rolls back and frees the session", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE tx_abandoned (name TEXT PRIMARY KEY)`
        yield* Effect.gen(function*() {
          const conn = yield* sql.reserve
          yield* conn.executeRaw("BEGIN", [])
          yield* conn.executeRaw("INSERT INTO tx_abandoned VALUES ('lost')", [])
        }).pipe(Effect.scoped)
        expect(yield* sql`SELECT name FROM tx_abandoned`).toEqual([])
      }))

    it.scoped("a long-lived reserved connection does not hold the session", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        // like SqlRunnerStorage: one reserved connection for the runner's whole life
        const conn = yield* sql.reserve
        expect(yield* conn.executeValues("SELECT 1", [])).toEqual([[1]])
        const n = yield* sql`SELECT 2 AS n`.pipe(sql.withTransaction)
        expect(n).toEqual([{ n: 2 }])
        expect(yield* conn.executeValues("SELECT pg_try_advisory_lock(42)", [])).toEqual([[true]])
        yield* conn.executeRaw("SELECT pg_advisory_unlock_all()", [])
      }))
  })

  it.scoped("waiters interrupted at any point never leak the session lock", () =>
    Effect.gen(function*() {
      const sql = yield* Effect.provide(SqlClient.SqlClient, yield* Layer.build(PgliteClient.layer({})))
      yield* sql`CREATE TABLE hits (n int)`
      for (let round = 0; round < 20; round++) {
        // Many statements and transactions queue behind each other; some are interrupted
        // while waiting, some just as the lock is handed to them, some while running.
        const fibers = yield* Effect.forEach(Array.from({ length: 30 }, (_, i) => i), (i) =>
          Effect.fork(
            i % 3 === 0
              ? sql.withTransaction(Effect.zipRight(sql`INSERT INTO hits VALUES (${i})`, sql`SELECT count(*) FROM hits`))
              : sql`INSERT INTO hits VALUES (${i})`
          ))
        yield* Effect.forEach(fibers.filter((_, i) => (i + round) % 2 === 0), Fiber.interrupt, { concurrency: "unbounded" })
        yield* Effect.forEach(fibers, Fiber.await, { discard: true })
      }
      // If any interruption had leaked the lock, this would wait forever.
      const [row] = yield* sql<{ ok: number }>`SELECT 1 AS ok`.pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "lock leaked" }))
      expect(row.ok).toBe(1)
    }), { timeout: 60_000 })

  it.scoped("PgClient extras: listen/notify and name transforms", () =>
    Effect.gen(function*() {
      const sql = yield* PgliteClient.make({
        transformQueryNames: Str.camelToSnake,
        transformResultNames: Str.snakeToCamel
      })
      yield* sql`CREATE TABLE store_skus (store_id TEXT, sku_id TEXT)`
      yield* sql`INSERT INTO store_skus ${sql.insert({ storeId: "pune-1", skuId: "rice-5kg" })}`
      expect(yield* sql`SELECT * FROM store_skus`).toEqual([{ storeId: "pune-1", skuId: "rice-5kg" }])

      const listening = yield* Deferred.make<void>()
      const received = yield* sql.listen("stock_changed").pipe(
        Stream.onStart(Deferred.succeed(listening, undefined)),
        Stream.take(1),
        Stream.runCollect,
        Effect.fork
      )
      yield* Deferred.await(listening)
      yield* settle
      yield* sql.notify("stock_changed", "pune-1/rice-5kg")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(received))).toEqual(["pune-1/rice-5kg"])
    }), 60_000)

  it.effect("data in a dataDir survives closing and reopening; the folder has one user at a time", () =>
    Effect.gen(function*() {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-test-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dataDir, { recursive: true, force: true })))
      yield* Effect.gen(function*() {
        const sql = yield* PgliteClient.make({ dataDir })
        yield* sql`CREATE TABLE kept (name TEXT)`
        yield* sql`INSERT INTO kept VALUES (${"after restart"})`.pipe(sql.withTransaction)
      }).pipe(Effect.scoped)
      const rows = yield* Effect.gen(function*() {
        const sql = yield* PgliteClient.make({ dataDir })
        return yield* sql`SELECT name FROM kept`
      }).pipe(Effect.scoped)
      expect(rows).toEqual([{ name: "after restart" }])

      // a second client on a folder in use would silently lose writes: it is refused
      const second = yield* Effect.gen(function*() {
        yield* PgliteClient.make({ dataDir })
        return yield* Effect.flip(PgliteClient.make({ dataDir }))
      }).pipe(Effect.scoped)
      expect(second.message).toBe("PgliteClient: Failed to lock the data folder")
      // the pid file of a process that died (SIGKILL) does not keep the folder locked
      fs.writeFileSync(path.join(dataDir, "pglite-client.pid"), "2147483646")
      yield* Effect.scoped(PgliteClient.make({ dataDir }))
    }).pipe(Effect.scoped), 60_000)

  describe("cluster on PGlite", () => {
    const Greeter = Entity.make("Greeter", [
      Rpc.make("Greet", { payload: { name: Schema.String }, success: Schema.String })
    ])

    class Deposit extends Schema.Class<Deposit>("Deposit")({
      depositId: Schema.String,
      amount: Schema.Number
    }) {
      [PrimaryKey.symbol]() {
        return this.depositId
      }
    }

    const Wallet = Entity.make("Wallet", [
      Rpc.make("Deposit", { payload: Deposit, success: Schema.Number })
    ]).annotateRpcs(ClusterSchema.Persisted, true)

    const handled = Ref.unsafeMake(0)
    const GreeterLive = Greeter.toLayer(Effect.succeed({
      Greet: ({ payload }) => Effect.succeed(`hello ${payload.name}`)
    }))
    const WalletLive = Wallet.toLayer(Effect.gen(function*() {
      const balance = yield* Ref.make(0)
      return {
        Deposit: ({ payload }) =>
          Ref.update(handled, (n) => n + 1).pipe(Effect.zipRight(Ref.updateAndGet(balance, (b) => b + payload.amount)))
      }
    }))

    const ClusterLive = Layer.mergeAll(GreeterLive, WalletLive).pipe(
      Layer.provideMerge(SingleRunner.layer({ runnerStorage: "sql" })),
      Layer.provideMerge(PgliteClient.layer({}))
    )

    // Cluster background loops need the real clock: `it.live`, not `it.effect`.
    it.live("SingleRunner with sql storage replies to volatile and persisted messages", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const greeter = yield* Greeter.client
        expect(yield* greeter("g-1").Greet({ name: "Pune" })).toBe("hello Pune")

        const wallet = yield* Wallet.client
        const deposit = new Deposit({ depositId: "dep-1", amount: 50 })
        expect(yield* wallet("w-1").Deposit(deposit)).toBe(50)
        // the same primary key is answered from the stored reply, the handler does not run again
        expect(yield* wallet("w-1").Deposit(deposit)).toBe(50)
        expect(yield* Ref.get(handled)).toBe(1)
        expect(yield* wallet("w-1").Deposit(new Deposit({ depositId: "dep-2", amount: 5 }))).toBe(55)

        const tables = yield* sql<{ table_name: string }>`
          SELECT table_name FROM information_schema.tables
          WHERE table_name LIKE 'cluster_%' ORDER BY table_name
        `
        expect(tables.map((t) => t.table_name)).toEqual(
          expect.arrayContaining(["cluster_messages", "cluster_migrations", "cluster_replies", "cluster_runners"])
        )
        const messages = yield* sql<{ message_id: string; processed: boolean }>`
          SELECT message_id, processed FROM cluster_messages WHERE entity_type = 'Wallet' ORDER BY message_id
        `
        expect(messages).toEqual([
          { message_id: "Wallet/w-1/Deposit/dep-1", processed: true },
          { message_id: "Wallet/w-1/Deposit/dep-2", processed: true }
        ])
      }).pipe(Effect.provide(ClusterLive)), 60_000)
  })
})
