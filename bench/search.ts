/**
 * `pnpm bench:search`: 100 concurrent clients over HTTP (from a separate process) on the
 * demo catalogue (4,200 SKUs × 12 stores), 60% search / 40% browse, on the embedded
 * server (PGlite, in-memory price cache) and, when DATABASE_URL is set, on Postgres
 * (with the Redis price cache when REDIS_URL is set). Reports requests/s and p50/p99 as
 * the client saw them and as the server measured them (Server-Timing), plus
 * `PriceResolver` with a cache hit and a miss. Writes bench/results/search.json.
 * Options: --requests N (20000) --clients N (100) --only pglite|postgres
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { CompetitorPricesDemo } from "@qc/entities/pricing/CompetitorPrices"
import { PriceCache, PriceCacheMemory } from "@qc/entities/pricing/PriceCache"
import { PriceCacheRedis } from "@qc/entities/pricing/PriceCacheRedis"
import { PriceResolver } from "@qc/entities/pricing/PriceResolver"
import { PricingRuleStore, VendorWebhookSecret } from "@qc/entities/pricing/PricingRuleStore"
import { WmsWebhookSecret } from "@qc/entities/stores/WmsWebhooks"
import { AdminKey } from "@qc/server/AdminAuth"
import { checkoutRunner, databaseReady, HttpLive } from "@qc/server/App"
import { ObservabilityLive } from "@qc/server/observability/Observability"
import { AuthSecret } from "@qc/server/CustomerAuth"
import { StandInPayments, StandInWebhookTarget } from "@qc/server/PaymentsMode"
import { RateLimitsOff } from "@qc/server/RateLimits"
import { OtpLimitsFromConfig } from "@qc/server/customers/OtpLimits"
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { performance } from "node:perf_hooks"
import { promisify } from "node:util"
import { arg, onEachDatabase, percentile } from "./BenchDatabases.js"

const requests = Number(arg("requests", "20000"))
const clients = Number(arg("clients", "100"))
const fixture = JSON.parse(readFileSync("test/fixtures/search-relevance.json", "utf8")) as Array<{ q: string }>
const queries = [...fixture.map((c) => c.q), "milk", "atta", "rice", "soap", "biscuit", "chips", "dal", "oil", "ta", "sha"]

interface LoadStats {
  readonly requests: number
  readonly errors: number
  readonly perSecond: number
  readonly clientP50: number
  readonly clientP99: number
  readonly serverP50: number
  readonly serverP99: number
}

const load = (base: string, total: number, seed: number) =>
  Effect.promise(() =>
    promisify(execFile)("node", ["bench/search-load.mjs", base, String(total), String(clients), String(seed), JSON.stringify(queries)], {
      maxBuffer: 1 << 24
    })
  ).pipe(Effect.map(({ stdout }) => JSON.parse(stdout) as { seconds: number; search: LoadStats; browse: LoadStats }))

const runOn = (database: "pglite" | "postgres", sqlLayer: Layer.Layer<SqlClient.SqlClient>) =>
  Effect.scoped(Effect.gen(function*() {
    const redisUrl = database === "postgres" ? process.env.REDIS_URL : undefined
    const cache = redisUrl ? PriceCacheRedis({ url: redisUrl, namespace: `bench-${Date.now()}:` }) : PriceCacheMemory
    const stack = Layer.mergeAll(HttpLive, StandInWebhookTarget).pipe(
      // The server's throughput, not the gateway's: 100 clients on one address would be throttled.
      Layer.provide(RateLimitsOff),
      Layer.provide(OtpLimitsFromConfig),
      Layer.provideMerge(checkoutRunner()),
      Layer.provideMerge(StandInPayments),
      Layer.provideMerge(cache),
      Layer.provideMerge(Layer.succeed(VendorWebhookSecret, Redacted.make("bench"))),
      Layer.provideMerge(Layer.succeed(WmsWebhookSecret, Redacted.make("bench"))),
      Layer.provideMerge(CompetitorPricesDemo),
      Layer.provide(Layer.succeed(AdminKey, { key: Redacted.make("bench"), generated: false })),
      Layer.provideMerge(Layer.succeed(AuthSecret, Redacted.make(new TextEncoder().encode("bench-secret")))),
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 })),
      Layer.provideMerge(databaseReady(sqlLayer)),
      Layer.provide(ObservabilityLive)
    )
    const context = yield* Layer.build(stack)
    return yield* Effect.gen(function*() {
      const server = yield* HttpServer.HttpServer
      const port = server.address._tag === "TcpAddress" ? server.address.port : 0
      const base = `http://127.0.0.1:${port}`
      // Prices as a running server has them: markdowns and competitor signals in place.
      const rules = yield* PricingRuleStore
      yield* rules.recomputeMarkdowns()
      yield* rules.refreshCompetitorPrices()
      yield* load(base, 3000, 7) // warm-up: JIT and price cache
      const measured = yield* load(base, requests, 42)

      // PriceResolver alone: a quote served by the cache, and a fresh resolution (what a miss costs).
      const resolver = yield* PriceResolver
      const priceCache = yield* PriceCache
      const sql = yield* SqlClient.SqlClient
      const sample = yield* sql<{ store_id: string; sku_id: string }>`
        SELECT store_id, sku_id FROM store_skus ORDER BY store_id, sku_id LIMIT 2000`
      const time = (f: (i: number) => Effect.Effect<unknown>) =>
        Effect.gen(function*() {
          const out: Array<number> = []
          for (let i = 0; i < sample.length; i++) {
            const t0 = performance.now()
            yield* f(i)
            out.push((performance.now() - t0) * 1000)
          }
          return out.sort((a, b) => a - b)
        })
      yield* Effect.forEach(sample, (r) => resolver.quote(r.store_id, [r.sku_id]), { discard: true })
      const hit = yield* time((i) => resolver.quote(sample[i].store_id, [sample[i].sku_id]))
      const miss = yield* time((i) =>
        Effect.zipRight(
          priceCache.invalidate({ keys: [{ storeId: sample[i].store_id, skuId: sample[i].sku_id }] }, "bench"),
          resolver.quote(sample[i].store_id, [sample[i].sku_id])
        )
      )
      const row = {
        database,
        priceCache: priceCache.backend,
        clients,
        seconds: Number(measured.seconds.toFixed(1)),
        requestsPerSecond: Math.round((measured.search.requests + measured.browse.requests) / measured.seconds),
        search: measured.search,
        browse: measured.browse,
        resolveHitP50Us: Math.round(percentile(hit, 0.5)),
        resolveHitP99Us: Math.round(percentile(hit, 0.99)),
        resolveMissP50Us: Math.round(percentile(miss, 0.5)),
        resolveMissP99Us: Math.round(percentile(miss, 0.99))
      }
      return row
    }).pipe(Effect.provide(context))
  }))

const ms = (n: number) => Number(n.toFixed(2))

const program = Effect.gen(function*() {
  const rows = yield* onEachDatabase("qc_bench_search", runOn)
  console.log(`\nsearch/browse benchmark: ${requests} requests from ${clients} concurrent clients (60% search, 40% browse)\n`)
  console.table(rows.flatMap((r) =>
    (["search", "browse"] as const).map((kind) => ({
      db: r.database,
      cache: r.priceCache,
      kind,
      "req/s": Math.round(r[kind].perSecond),
      "server p50 ms": ms(r[kind].serverP50),
      "server p99 ms": ms(r[kind].serverP99),
      "client p50 ms": ms(r[kind].clientP50),
      "client p99 ms": ms(r[kind].clientP99),
      errors: r[kind].errors
    }))
  ))
  console.table(rows.map((r) => ({
    db: r.database,
    cache: r.priceCache,
    "resolve hit p50 µs": r.resolveHitP50Us,
    "resolve hit p99 µs": r.resolveHitP99Us,
    "resolve miss p50 µs": r.resolveMissP50Us,
    "resolve miss p99 µs": r.resolveMissP99Us
  })))
  mkdirSync("bench/results", { recursive: true })
  writeFileSync("bench/results/search.json", JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2) + "\n")
  console.log("written bench/results/search.json")
})

Effect.runPromise(program.pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
