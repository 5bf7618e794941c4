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

describe("PgliteClient sessions and data folders", () => {
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
