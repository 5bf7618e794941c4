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

})
