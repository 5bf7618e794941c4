/**
 * `pnpm bench:reserve`: reservations per second on one hot store-SKU, side by side:
 *   (a) the StoreSku entity (durable, group commit) through the cluster client;
 *   (b) the plain Postgres way: BEGIN; conditional UPDATE; INSERT; COMMIT over a pool of 10;
 *   (c) the entity with the load spread over 1,000 store-SKUs; (d) plain SQL spread likewise;
 *   on Postgres also (e) and (f): (a) and (c) with the entities on two `pnpm runner` processes
 *   and this process a cluster client (the hop between processes; bench/ReserveMultiRunner.ts).
 * Runs on embedded PGlite, and also on Postgres when DATABASE_URL is set.
 * Options: --ops N (20000) --concurrency N (200) --only pglite|postgres --paths a,b,c,d,e,f
 */
import { SqlClient } from "@effect/sql"
import { ReceiptId, ReservationId, storeSkuEntityId } from "@qc/domain/Ids"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import * as Migrations from "@qc/entities/platform/Migrations"
import { runner } from "@qc/server/App"
import { DateTime, Effect, Layer, Logger, LogLevel } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { performance } from "node:perf_hooks"
import { arg, onEachDatabase, percentile } from "./BenchDatabases.js"
import { multiRunnerRows } from "./ReserveMultiRunner.js"

const ops = Number(arg("ops", "20000"))
const concurrency = Number(arg("concurrency", "200"))
const paths = arg("paths", "a,b,c,d,e,f").split(",")
const spread = 1000

interface Row {
  readonly database: string
  readonly path: string
  readonly ops: number
  readonly succeeded: number
  readonly perSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}


/** Runs `ops` calls of `one(i)` at `concurrency`, timing each. */
const measure = (database: string, path: string, one: (i: number) => Effect.Effect<boolean, unknown>) =>
  Effect.gen(function*() {
    const latencies = new Array<number>(ops)
    let succeeded = 0
    const started = performance.now()
    yield* Effect.forEach(
      Array.from({ length: ops }, (_, i) => i),
      (i) => {
        const t0 = performance.now()
        return Effect.map(Effect.orDie(one(i)), (ok) => {
          latencies[i] = performance.now() - t0
          if (ok) succeeded++
        })
      },
      { concurrency, discard: true }
    )
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    const row: Row = {
      database,
      path,
      ops,
      succeeded,
      perSecond: Math.round(ops / seconds),
      p50Ms: Number(percentile(latencies, 0.5).toFixed(1)),
      p99Ms: Number(percentile(latencies, 0.99).toFixed(1))
    }
    yield* Effect.logInfo(`${database} ${path}: ${row.perSecond}/s p50 ${row.p50Ms} ms p99 ${row.p99Ms} ms`)
    return row
  })

const skuIds = Array.from({ length: spread }, (_, i) => `bench-sku-${String(i).padStart(4, "0")}`)
const store = "bench-store" as StoreId

const prepare = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`INSERT INTO stores ${sql.insert({ id: store, name: "Bench", locality: "Bench", pincodes: ["411001"], lat: 0, lng: 0 })}`
  yield* sql`INSERT INTO skus ${
    sql.insert(skuIds.map((id) => ({ id, name: id, aliases: [], category: "dairy", unit: "1", brand: "B", base_price: 100 })))
  }`
  // The plain-SQL contender: a stock row per store-SKU and a reservations table.
  yield* sql`CREATE TABLE bench_stock (store_id text, sku_id text, on_hand int NOT NULL, reserved int NOT NULL,
    PRIMARY KEY (store_id, sku_id))`
  yield* sql`CREATE TABLE bench_reservations (store_id text, sku_id text, reservation_id text, qty int NOT NULL,
    expires_at timestamptz NOT NULL, PRIMARY KEY (store_id, sku_id, reservation_id))`
  yield* sql`INSERT INTO bench_stock ${sql.insert(skuIds.map((sku_id) => ({ store_id: store, sku_id, on_hand: 10_000_000, reserved: 0 })))}`
}).pipe(Effect.orDie)

const plainReserve = (sql: SqlClient.SqlClient, skuId: string, reservationId: string) =>
  sql.withTransaction(Effect.gen(function*() {
    const updated = yield* sql`UPDATE bench_stock SET reserved = reserved + 1
      WHERE store_id = ${store} AND sku_id = ${skuId} AND on_hand - reserved >= 1 RETURNING 1`
    if (updated.length === 0) return false
    yield* sql`INSERT INTO bench_reservations ${
      sql.insert({ store_id: store, sku_id: skuId, reservation_id: reservationId, qty: 1, expires_at: new Date(Date.now() + 600_000) })
    }`
    return true
  }))

const runOn = (database: string, sqlLayer: Layer.Layer<SqlClient.SqlClient>) =>
  Effect.gen(function*() {
    const rows: Array<Row> = []
    const stack = runner().pipe(Layer.provide(Migrations.MigrationsLive), Layer.provideMerge(sqlLayer))
    yield* Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(stack)
      const sql = yield* Effect.provide(SqlClient.SqlClient, context)
      yield* Effect.provide(prepare, context)
      const client = yield* Effect.provide(StoreSkuEntity.client, context)
      const entity = (skuId: string) => client(storeSkuEntityId(store, skuId as SkuId))
      // Stock the entities through their own door, and wake them before timing.
      yield* Effect.forEach(skuIds, (skuId) =>
        entity(skuId).Receive({
          receiptId: ReceiptId.make("bench-grn"),
          qty: 100_000,
          lot: "BENCH",
          bestBefore: DateTime.unsafeMake("2035-01-01T00:00:00Z")
        }), { concurrency: 50, discard: true })
      const reserve = (skuId: string, id: string) =>
        entity(skuId).Reserve({ reservationId: ReservationId.make(id), qty: 1, ttlSeconds: 3600 }).pipe(
          Effect.as(true),
          Effect.catchTag("InsufficientStock", () => Effect.succeed(false))
        )
      const hot = skuIds[0]
      const contenders = {
        a: () => measure(database, "(a) entity, one hot store-SKU", (i) => reserve(hot, `a-${i}`)),
        b: () => measure(database, "(b) plain SQL, one hot row, pool 10", (i) => plainReserve(sql, hot, `b-${i}`)),
        c: () => measure(database, `(c) entity, ${spread} store-SKUs`, (i) => reserve(skuIds[i % spread], `c-${i}`)),
        d: () => measure(database, `(d) plain SQL, ${spread} rows, pool 10`, (i) => plainReserve(sql, skuIds[i % spread], `d-${i}`))
      }
      for (const [key, run] of Object.entries(contenders)) if (paths.includes(key)) rows.push(yield* run())
    }))
    return rows
  })

const program = Effect.gen(function*() {
  const rows = (yield* onEachDatabase("qc_bench", runOn)).flat()
  const url = process.env.DATABASE_URL
  if (url && arg("only", "") !== "pglite" && (paths.includes("e") || paths.includes("f"))) {
    rows.push(...(yield* multiRunnerRows({ url, store, skuIds, prepare, measure })))
  }
  const ratios = Array.from(new Set(rows.map((r) => r.database)), (database) => {
    const of = (prefix: string) => rows.find((r) => r.database === database && r.path.startsWith(prefix))
    const ratio = (x: number | undefined, y: number | undefined) =>
      x === undefined || y === undefined ? null : Number((x / y).toFixed(2))
    return {
      database,
      hotEntityOverPlain: ratio(of("(a)")?.perSecond, of("(b)")?.perSecond),
      hotP99EntityOverPlain: ratio(of("(a)")?.p99Ms, of("(b)")?.p99Ms),
      spreadEntityOverPlain: ratio(of("(c)")?.perSecond, of("(d)")?.perSecond),
      hotTwoRunnersOverInProcess: ratio(of("(e)")?.perSecond, of("(a)")?.perSecond),
      spreadTwoRunnersOverInProcess: ratio(of("(f)")?.perSecond, of("(c)")?.perSecond)
    }
  })
  console.log(`\nreserve benchmark: ${ops} reservations at concurrency ${concurrency}\n`)
  console.table(rows.map((r) => ({ db: r.database, path: r.path, "res/s": r.perSecond, "p50 ms": r.p50Ms, "p99 ms": r.p99Ms, ok: r.succeeded })))
  console.table(ratios)
  mkdirSync("bench/results", { recursive: true })
  writeFileSync(
    "bench/results/reserve.json",
    JSON.stringify({ at: new Date().toISOString(), ops, concurrency, node: process.version, rows, ratios }, null, 2) + "\n"
  )
  console.log("written bench/results/reserve.json")
})

Effect.runPromise(program.pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.Info)))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
