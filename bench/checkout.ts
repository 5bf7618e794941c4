/**
 * `pnpm bench:checkout`: customers placing 3–6 line orders over HTTP against the whole
 * server (embedded PGlite, and Postgres when DATABASE_URL is set); the local Razorpay
 * stand-in captures each payment at once. Reports orders/min reaching CONFIRMED, p50/p99
 * of POST /v1/orders, and where the time goes. Writes bench/results/checkout.json.
 * Options: --orders N (1500) --concurrency N (40, Postgres) --pglite-concurrency N (8) --only pglite|postgres
 * The embedded database runs Postgres (WASM) on the server's own thread: it is the laptop
 * mode, and past ~8 concurrent checkouts it only queues (webhooks then pass Razorpay's 5 s
 * answer limit and get retried), so it is driven at its own concurrency.
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { RazorpayStandIn } from "@qc/entities/payments/standin/RazorpayStandIn"
import { AdminKey } from "@qc/server/AdminAuth"
import { CompetitorPricesDemo } from "@qc/entities/pricing/CompetitorPrices"
import { PriceCacheMemory } from "@qc/entities/pricing/PriceCache"
import { VendorWebhookSecret } from "@qc/entities/pricing/PricingRuleStore"
import { checkoutRunner, databaseReady, HttpLive } from "@qc/server/App"
import { AuthSecret, issueToken } from "@qc/server/CustomerAuth"
import { StandInPayments, StandInWebhookTarget } from "@qc/server/PaymentsMode"
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import { arg, onEachDatabase, percentile } from "./BenchDatabases.js"
import { makeSpanProfile } from "./SpanProfile.js"

const totalOrders = Number(arg("orders", "1500"))
const postgresConcurrency = Number(arg("concurrency", "40"))
const pgliteConcurrency = Number(arg("pglite-concurrency", "8"))
const customers = 50


// A small deterministic generator, so both databases see the same carts.
const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0
  return seed / 2 ** 32
}

const runOn = (database: string, sqlLayer: Layer.Layer<SqlClient.SqlClient>) =>
  Effect.scoped(Effect.gen(function*() {
    const concurrency = database === "pglite" ? pgliteConcurrency : postgresConcurrency
    const profile = makeSpanProfile()
    const stack = Layer.mergeAll(HttpLive, StandInWebhookTarget).pipe(
      Layer.provideMerge(checkoutRunner()),
      Layer.provideMerge(StandInPayments),
      Layer.provideMerge(PriceCacheMemory),
      Layer.provideMerge(Layer.succeed(VendorWebhookSecret, Redacted.make("bench"))),
      Layer.provideMerge(CompetitorPricesDemo),
      Layer.provide(Layer.succeed(AdminKey, { key: Redacted.make("bench"), generated: false })),
      Layer.provideMerge(Layer.succeed(AuthSecret, Redacted.make(new TextEncoder().encode("bench-secret")))),
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 })),
      Layer.provideMerge(databaseReady(sqlLayer)),
      Layer.provide(profile.layer)
    )
    const context = yield* Layer.build(stack)
    const run = <A, E>(effect: Effect.Effect<A, E, never>) => Effect.runPromise(effect)
    return yield* Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const standIn = yield* RazorpayStandIn
      const server = yield* HttpServer.HttpServer
      const port = server.address._tag === "TcpAddress" ? server.address.port : 0
      const base = `http://127.0.0.1:${port}`
      const ids = Array.from({ length: customers }, (_, i) => `bench-${i}`)
      yield* sql`INSERT INTO customers ${
        sql.insert(ids.map((id) => ({ id, name: id, phone: "+910000000000", created_at: new Date() })))
      } ON CONFLICT DO NOTHING`
      const tokens = yield* Effect.forEach(ids, (id) => issueToken(id))
      // Carts from what the pincode's primary store has plenty of.
      const stocked = yield* sql<{ store_id: string; sku_id: string }>`
        SELECT s.store_id, s.sku_id FROM store_skus s JOIN stores st ON st.id = s.store_id
        WHERE s.on_hand - s.reserved - s.allocated >= 40 ORDER BY s.store_id, s.sku_id`
      const byStore = new Map<string, Array<string>>()
      for (const r of stocked) byStore.set(r.store_id, [...(byStore.get(r.store_id) ?? []), r.sku_id])
      const stores = yield* sql<{ id: string; pincodes: Array<string> }>`SELECT id, pincodes FROM stores ORDER BY position`
      const random = rng(42)
      const carts = Array.from({ length: totalOrders }, (_, i) => {
        const store = stores[Math.floor(random() * stores.length)]
        const skus = byStore.get(store.id) ?? []
        const lines = 3 + Math.floor(random() * 4)
        const chosen = new Set<string>()
        while (chosen.size < lines) chosen.add(skus[Math.floor(random() * skus.length)])
        return {
          customer: i % customers,
          pincode: store.pincodes[0],
          items: [...chosen].map((skuId) => ({ skuId, qty: 1 + Math.floor(random() * 2) }))
        }
      })

      const placeLatency: Array<number> = []
      let conflicts = 0
      let failures = 0
      // Table statistics: the workflow engine's storage runs with tracing off, so its statements
      // are not among the spans; these counters show what every table saw per order.
      const tableStats = sql<{ relname: string; writes: number; reads: number }>`
        SELECT relname, (n_tup_ins + n_tup_upd + n_tup_del)::int AS writes, (coalesce(idx_scan, 0) + seq_scan)::int AS reads
        FROM pg_stat_user_tables`.pipe(
        Effect.map((rows) => new Map(rows.map((r) => [r.relname, r]))),
        Effect.orElseSucceed(() => new Map<string, { relname: string; writes: number; reads: number }>())
      )
      const statsBefore = yield* tableStats
      profile.reset()
      const cpuBefore = process.cpuUsage()
      const loopDelay = monitorEventLoopDelay({ resolution: 10 })
      loopDelay.enable()
      const started = performance.now()
      let next = 0
      const failureReasons: Array<string> = []
      const paidOrders: Array<string> = []
      const fail = (reason: string) => {
        failures++
        if (failureReasons.length < 5) failureReasons.push(reason)
      }
      const worker = async (): Promise<void> => {
        while (next < carts.length) {
          try {
            await one()
          } catch (error) {
            fail(String(error))
          }
        }
      }
      const one = async () => {
        {
          const i = next++
          const cart = carts[i]
          const t0 = performance.now()
          const res = await fetch(`${base}/v1/orders`, {
            signal: AbortSignal.timeout(30_000),
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${tokens[cart.customer]}`,
              "idempotency-key": `bench-${database}-${i}`
            },
            body: JSON.stringify({ pincode: cart.pincode, items: cart.items })
          })
          const body = await res.json() as { orderId?: string; payment?: { razorpayOrderId: string } }
          placeLatency.push(performance.now() - t0)
          if (res.status === 409) conflicts++
          else if (res.status !== 201 || body.payment === undefined || body.orderId === undefined) {
            fail(`POST /v1/orders ${res.status} ${JSON.stringify(body).slice(0, 300)}`)
          } else {
            await run(standIn.pay(body.payment.razorpayOrderId, { outcome: "capture" }))
            paidOrders.push(body.orderId)
          }
        }
      }
      yield* Effect.promise(() => Promise.all(Array.from({ length: concurrency }, worker)))
      const placedMs = performance.now() - started
      const placed = totalOrders - conflicts - failures
      if (failureReasons.length > 0) yield* Effect.logWarning(`failures (first ${failureReasons.length}): ${failureReasons.join(" | ")}`)
      // Orders/min counts an order when it reaches CONFIRMED, so wait for the paid orders' sagas to finish.
      let confirmed = 0
      for (let i = 0; i < 1200; i++) {
        const [row] = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM orders WHERE status = 'CONFIRMED' AND id = ANY(${paidOrders}::text[])`
        confirmed = row.n
        const [open] = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM orders WHERE status IN ('AWAITING_PAYMENT', 'PAID') AND id = ANY(${paidOrders}::text[])`
        if (open.n === 0) break
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      }
      const totalMs = performance.now() - started
      const cpu = process.cpuUsage(cpuBefore)
      // Postgres publishes table counters with a delay of up to a second.
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 1_500)))
      const statsAfter = yield* tableStats
      const perOrderTable = [...statsAfter.values()].map((a) => {
        const b = statsBefore.get(a.relname)
        return {
          table: a.relname,
          writesPerOrder: Number(((a.writes - (b?.writes ?? 0)) / totalOrders).toFixed(2)),
          scansPerOrder: Number(((a.reads - (b?.reads ?? 0)) / totalOrders).toFixed(2))
        }
      }).filter((t) => t.writesPerOrder + t.scansPerOrder >= 0.5).sort((x, y) => y.writesPerOrder + y.scansPerOrder - x.writesPerOrder - x.scansPerOrder)
      loopDelay.disable()
      const [lag] = yield* sql<{ p50: number; p99: number }>`
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
        FROM (SELECT EXTRACT(EPOCH FROM (c.at - p.at)) * 1000 AS ms FROM order_timeline p
              JOIN order_timeline c ON c.order_id = p.order_id AND c.status = 'CONFIRMED'
              WHERE p.status = 'AWAITING_PAYMENT') t`
      placeLatency.sort((a, b) => a - b)
      const row = {
        database,
        orders: totalOrders,
        concurrency,
        placed,
        conflicts,
        failures,
        confirmed,
        confirmedPerMinute: Math.round(confirmed / (totalMs / 60_000)),
        placedPerMinute: Math.round(placed / (placedMs / 60_000)),
        placeP50Ms: Number(percentile(placeLatency, 0.5).toFixed(1)),
        placeP99Ms: Number(percentile(placeLatency, 0.99).toFixed(1)),
        placedToConfirmedP50Ms: Math.round(Number(lag?.p50 ?? 0)),
        placedToConfirmedP99Ms: Math.round(Number(lag?.p99 ?? 0)),
        // This process holds the server, the stand-in and the load generator; Postgres is apart.
        processCpuMsPerOrder: Number(((cpu.user + cpu.system) / 1000 / totalOrders).toFixed(1)),
        processCpuCores: Number(((cpu.user + cpu.system) / 1000 / totalMs).toFixed(2)),
        // How long a ready callback waited for the event loop (one thread serves everything here).
        eventLoopDelayP99Ms: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
        eventLoopDelayMaxMs: Number((loopDelay.max / 1e6).toFixed(1)),
        whereTheTimeGoes: profile.rows(totalMs),
        tablesPerOrder: perOrderTable
      }
      yield* Effect.logInfo(JSON.stringify(row))
      return row
    }).pipe(Effect.provide(context))
  }))

const program = Effect.gen(function*() {
  const rows = yield* onEachDatabase("qc_bench_checkout", runOn)
  console.log(`\ncheckout benchmark: ${totalOrders} orders of 3–6 lines per database\n`)
  console.table(rows.map((r) => ({
    db: r.database,
    concurrency: r.concurrency,
    "confirmed/min": r.confirmedPerMinute,
    "placed/min": r.placedPerMinute,
    "POST p50 ms": r.placeP50Ms,
    "POST p99 ms": r.placeP99Ms,
    "placed→confirmed p50 ms": r.placedToConfirmedP50Ms,
    "placed→confirmed p99 ms": r.placedToConfirmedP99Ms,
    confirmed: r.confirmed,
    conflicts: r.conflicts,
    failures: r.failures,
    "cpu ms/order": r.processCpuMsPerOrder,
    "cpu cores": r.processCpuCores,
    "loop delay p99 ms": r.eventLoopDelayP99Ms
  })))
  for (const r of rows) {
    console.log(`\nwhere the time goes (${r.database}): spans by total wall time; busy× = total / run time`)
    console.table(r.whereTheTimeGoes)
    if (r.tablesPerOrder.length > 0) {
      console.log(`\ntable rows written and index/seq scans per order (${r.database}; cluster_* is the workflow engine's storage)`)
      console.table(r.tablesPerOrder)
    }
  }
  mkdirSync("bench/results", { recursive: true })
  writeFileSync("bench/results/checkout.json", JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2) + "\n")
  console.log("written bench/results/checkout.json")
})

Effect.runPromise(program.pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
