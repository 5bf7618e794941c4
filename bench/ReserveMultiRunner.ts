/**
 * The multi-runner rows of `pnpm bench:reserve` (Postgres only): the same reservations as rows
 * (a) and (c), but the StoreSku entities live on two `pnpm runner` processes of one region on
 * this box, and this process (the load generator) reaches them as a cluster client: every
 * reservation crosses a socket to the owning runner and back. A figure for the hop, not a target.
 */
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { ReceiptId, ReservationId, storeSkuEntityId } from "@qc/domain/Ids"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import * as Migrations from "@qc/entities/platform/Migrations"
import { clusterFor } from "@qc/server/ClusterRoles"
import { DateTime, Effect, Layer, Redacted, Schedule } from "effect"
import { freshPostgresDatabase } from "./BenchDatabases.js"
import { freePort, spawnNode } from "./CheckoutProcesses.js"

const runnerEnv = (url: string, port: number) => ({
  DATABASE_URL: url,
  RUNNER_PORT: String(port),
  SEED_DEMO: "false",
  RAZORPAY_KEY_ID: "rzp_test_bench",
  RAZORPAY_KEY_SECRET: "bench",
  RAZORPAY_WEBHOOK_SECRET: "bench",
  RAZORPAY_BASE_URL: "http://127.0.0.1:9",
  AUTH_SECRET: "bench",
  ADMIN_API_KEY: "bench",
  VENDOR_WEBHOOK_SECRET: "bench",
  WMS_WEBHOOK_SECRET: "bench",
  LOG_LEVEL: "Warning"
})

export const multiRunnerRows = <Row>(options: {
  readonly url: string
  readonly store: StoreId
  readonly skuIds: ReadonlyArray<string>
  readonly prepare: Effect.Effect<void, never, SqlClient.SqlClient>
  readonly measure: (database: string, path: string, one: (i: number) => Effect.Effect<boolean, unknown>) => Effect.Effect<Row>
}) =>
  Effect.scoped(Effect.gen(function*() {
    const url = yield* freshPostgresDatabase(options.url, "qc_bench_runners")
    const database = Layer.orDie(PgClient.layer({ url: Redacted.make(url), maxConnections: 10 }))
    // Schema and the bench store first: runners read the store list (their regions) at start.
    yield* Effect.provide(Effect.zipRight(Effect.orDie(Migrations.run), options.prepare), database)
    for (let i = 0; i < 2; i++) {
      const port = yield* freePort
      yield* spawnNode(`runner-${i + 1}`, ["--import", "tsx", "packages/server/src/runner.ts"], runnerEnv(url, port), /Listening on/, 120_000)
    }
    const client = Layer.orDie(clusterFor({ _tag: "Client" })).pipe(Layer.provideMerge(database))
    return yield* Effect.provide(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      // Both runners hold their half of the shards before timing.
      yield* Effect.orDie(sql<{ n: number }>`SELECT count(DISTINCT a.pid)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.application_name LIKE 'qc-runner %'`).pipe(
        Effect.filterOrFail(([row]) => row.n === 2),
        Effect.retry(Schedule.spaced("250 millis")),
        Effect.timeout("60 seconds"),
        Effect.orDie
      )
      const make = yield* StoreSkuEntity.client
      const entity = (skuId: string) => make(storeSkuEntityId(options.store, skuId as SkuId))
      yield* Effect.forEach(options.skuIds, (skuId) =>
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
      const hot = options.skuIds[0]
      const spread = options.skuIds.length
      return [
        yield* options.measure("postgres", "(e) entity on 2 runner processes, one hot store-SKU", (i) => reserve(hot, `e-${i}`)),
        yield* options.measure("postgres", `(f) entity on 2 runner processes, ${spread} store-SKUs`, (i) =>
          reserve(options.skuIds[i % spread], `f-${i}`))
      ]
    }), client)
  }))
