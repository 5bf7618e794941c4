/**
 * `pnpm bench:checkout`: the whole checkout over HTTP, each party in its own process: the server
 * (`node --import tsx packages/server/src/main.ts`, with bench/checkout-probe.mjs preloaded to
 * count SQL statements and GC), the Razorpay stand-in (`packages/server/src/standin.ts`) it
 * reaches like Razorpay, and the load generator (bench/checkout-load.mjs): customers placing
 * 3–6 line orders, paying on the stand-in's dev endpoint and polling until CONFIRMED.
 * On Postgres (DATABASE_URL; a fresh database `qc_bench_checkout`) and PGlite (a temp DATA_DIR).
 * Writes bench/results/checkout.json.
 * Options: --orders N (600 per throughput run) --latency-orders N (300, at 4 customers)
 *   --concurrency 16,32,64 (Postgres) --pglite-concurrency 8,16 --database postgres|pglite|both
 *   --warm (touch every store-SKU first: all entities resident) --cpu-prof (one more run at the
 *   best concurrency with the server's CPU profiled: self time by function and by package)
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Logger, LogLevel, Redacted, Schema } from "effect"
import { randomBytes } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { arg, freshPostgresDatabase } from "./BenchDatabases.js"
import { CatalogueResult, OrdersResult, PgliteStats, ProbeCounts, WarmResult } from "./CheckoutLoadResults.js"
import type { BenchFailed, Service } from "./CheckoutProcesses.js"
import { askProbe, cpuMs, freePort, machineBusyMs, postgresCpuMs, rssMb, runLoad, spawnNode, testsRunning } from "./CheckoutProcesses.js"
import { printReport } from "./CheckoutReport.js"
import { CpuProfile, selfTime } from "./CpuProfile.js"
import { countersOf, perOrderDelta, postgresCounters } from "./DatabaseCounters.js"
import type { DatabaseCounters } from "./DatabaseCounters.js"

const concurrencies = (name: string, fallback: string) => arg(name, fallback).split(",").map(Number)
const options = {
  orders: Number(arg("orders", "600")),
  latencyOrders: Number(arg("latency-orders", "300")),
  latencyConcurrency: 4,
  postgres: concurrencies("concurrency", "16,32,64"),
  pglite: concurrencies("pglite-concurrency", "8,16"),
  database: arg("database", arg("only", "both")),
  warm: process.argv.includes("--warm"),
  cpuProf: process.argv.includes("--cpu-prof")
}
const demoCustomers = ["cust-demo-1", "cust-demo-2", "cust-demo-3"]
const round = (n: number, digits = 1) => Number(n.toFixed(digits))

const runOn = (database: "postgres" | "pglite", postgresUrl: string | undefined) =>
  Effect.scoped(Effect.gen(function*() {
    const scratch = mkdtempSync(join(tmpdir(), "qc-bench-checkout-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(scratch, { recursive: true, force: true })))
    const store = postgresUrl !== undefined
      ? { DATABASE_URL: yield* freshPostgresDatabase(postgresUrl, "qc_bench_checkout") }
      : { DATA_DIR: join(scratch, "data") }
    const port = yield* freePort
    const secret = () => randomBytes(18).toString("base64url")
    const keys = { RAZORPAY_KEY_ID: "rzp_test_bench", RAZORPAY_KEY_SECRET: secret(), RAZORPAY_WEBHOOK_SECRET: secret() }
    const authSecret = secret()
    const standIn = yield* spawnNode("stand-in", ["--import", "tsx", "packages/server/src/standin.ts"], {
      ...keys,
      STANDIN_PORT: "0",
      STANDIN_WEBHOOK_URL: `http://127.0.0.1:${port}/v1/webhooks/razorpay`
    }, /stand-in listening on (http:\/\/\S+)/, 60_000)
    const starting = performance.now()
    const server = yield* spawnNode("server", [
      "--max-semi-space-size=64", "--import", "tsx", "--import", "./bench/checkout-probe.mjs", "packages/server/src/main.ts"
    ], {
      ...store,
      ...keys,
      PORT: String(port),
      RAZORPAY_BASE_URL: standIn.address,
      ADMIN_API_KEY: secret(),
      AUTH_SECRET: authSecret,
      // Every customer and poll comes from 127.0.0.1: the bench measures the server, not the gateway.
      RATE_LIMIT_ENABLED: "false"
    }, /listening on (http:\/\/\S+)/, 300_000)
    const startSeconds = round((performance.now() - starting) / 1000)
    const base = `http://127.0.0.1:${port}`
    const rss = { afterStart: rssMb(server.pid), afterWarm: 0, afterWarmUp: 0, end: 0 }
    yield* Effect.logWarning(`${database}: server up in ${startSeconds} s (pid ${server.pid}, ${rss.afterStart} MB)`)

    const catalogueFile = join(scratch, "catalogue.json")
    const catalogue = yield* runLoad("catalogue", { base, out: catalogueFile, minAvailable: 40 }, CatalogueResult)
    const warm = options.warm
      ? yield* runLoad("warm", { base, catalogue: catalogueFile, concurrency: 16 }, WarmResult)
      : undefined
    rss.afterWarm = rssMb(server.pid)
    if (warm) yield* Effect.logWarning(`${database}: ${warm.requests} store-SKUs touched in ${round(warm.seconds)} s, RSS ${rss.afterWarm} MB`)

    const counters: Effect.Effect<DatabaseCounters, BenchFailed> = database === "postgres"
      ? Effect.provide(postgresCounters, Layer.orDie(PgClient.layer({ url: Redacted.make(store.DATABASE_URL ?? ""), maxConnections: 1 })))
      : Effect.map(askProbe(server, "pgliteStats", PgliteStats), (s) => countersOf(s.database?.commits, s.tables))

    const orders = (concurrency: number, count: number, label: string) =>
      runLoad("orders", {
        base,
        standin: { base: standIn.address, keyId: keys.RAZORPAY_KEY_ID, keySecret: keys.RAZORPAY_KEY_SECRET },
        authSecret,
        customers: demoCustomers,
        concurrency,
        orders: count,
        seed: concurrency * 7919 + count,
        keyPrefix: `${database}-${label}-c${concurrency}`,
        catalogue: catalogueFile,
        confirmTimeoutMs: 60_000
      }, OrdersResult)

    // JIT, pools and the pricing caches warm, as on a server that has been taking orders.
    yield* orders(8, 200, "warm-up")
    rss.afterWarmUp = rssMb(server.pid)

    const measure = (concurrency: number, count: number, label: string) =>
      Effect.gen(function*() {
        const db0 = yield* counters
        const probe0 = yield* askProbe(server, "counts", ProbeCounts)
        const cpu0 = { server: cpuMs(server.pid), standIn: cpuMs(standIn.pid), postgres: postgresCpuMs(), machine: machineBusyMs() }
        const load = yield* orders(concurrency, count, label)
        const cpu1 = { server: cpuMs(server.pid), standIn: cpuMs(standIn.pid), postgres: postgresCpuMs(), machine: machineBusyMs() }
        const probe1 = yield* askProbe(server, "counts", ProbeCounts)
        yield* Effect.sleep("2 seconds")
        const tables = perOrderDelta(db0, yield* counters, load.confirmed)
        const n = Math.max(1, load.confirmed)
        const wallMs = load.seconds * 1000
        return {
          database,
          concurrency,
          orders: count,
          confirmed: load.confirmed,
          conflicts: load.conflicts,
          failures: load.failures,
          unconfirmed: load.unconfirmed,
          failureReasons: load.failureReasons,
          seconds: round(load.seconds),
          confirmedPerMinute: Math.round(load.confirmedPerMinute),
          placeP50Ms: round(load.placeMs.p50),
          placeP99Ms: round(load.placeMs.p99),
          placeServerP50Ms: round(load.placeServerMs.p50),
          placeServerP99Ms: round(load.placeServerMs.p99),
          payP50Ms: round(load.payMs.p50),
          placedToConfirmedP50Ms: Math.round(load.placedToConfirmedMs.p50),
          placedToConfirmedP99Ms: Math.round(load.placedToConfirmedMs.p99),
          paidToConfirmedP50Ms: Math.round(load.paidToConfirmedMs.p50),
          paidToConfirmedP99Ms: Math.round(load.paidToConfirmedMs.p99),
          pollsPerOrder: round(load.pollsPerOrder),
          serverCpuMsPerOrder: round((cpu1.server - cpu0.server) / n),
          serverCpuCores: round((cpu1.server - cpu0.server) / wallMs, 2),
          standInCpuMsPerOrder: round((cpu1.standIn - cpu0.standIn) / n),
          loadCpuMsPerOrder: round(load.cpuMs / n),
          postgresCpuMsPerOrder: round((cpu1.postgres - cpu0.postgres) / n),
          machineBusyCores: round((cpu1.machine - cpu0.machine) / wallMs, 2),
          gcMsPerOrder: round((probe1.gcMs - probe0.gcMs) / n),
          loopDelayP99Ms: round(probe1.loopDelayP99Ms),
          sqlStatementsPerOrder: round((probe1.statements - probe0.statements) / n),
          transactionsPerOrder: tables.transactionsPerOrder,
          rowsWrittenPerOrder: tables.rowsWrittenPerOrder,
          clusterMessagesPerOrder: tables.clusterMessagesPerOrder,
          clusterRepliesPerOrder: tables.clusterRepliesPerOrder,
          serverRssMb: Math.round(probe1.rssBytes / 2 ** 20),
          tablesPerOrder: tables.tables
        }
      }).pipe(Effect.tap((row) =>
        Effect.logWarning(
          `${database} at ${concurrency}: ${row.confirmedPerMinute} confirmed/min, POST p50 ${row.placeP50Ms} p99 ${row.placeP99Ms} ms, ` +
            `${row.serverCpuMsPerOrder} server CPU ms/order${row.failures + row.unconfirmed > 0 ? `, ${row.failures} failed, ${row.unconfirmed} unconfirmed: ${row.failureReasons.join(" | ")}` : ""}`
        )
      ))

    const rows = [yield* measure(options.latencyConcurrency, options.latencyOrders, "latency")]
    for (const c of database === "postgres" ? options.postgres : options.pglite) rows.push(yield* measure(c, options.orders, "throughput"))

    const best = rows.slice(1).reduce((a, b) => (b.confirmedPerMinute > a.confirmedPerMinute ? b : a), rows[rows.length - 1])
    const cpuProfile = options.cpuProf ? yield* profiled(server, () => orders(best.concurrency, options.orders, "profile")) : undefined
    rss.end = rssMb(server.pid)
    return { database, startSeconds, catalogue, warm, serverRssMb: rss, bestConcurrency: best.concurrency, cpuProfile, rows }
  }))

/** The server's CPU profile while `run` runs (sampled every 1 ms by the probe's inspector session). */
const profiled = <A, E>(server: Service, run: () => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    yield* askProbe(server, "profileStart", Schema.Struct({}))
    const t0 = cpuMs(server.pid)
    const load = yield* run()
    const ms = cpuMs(server.pid) - t0
    const { profile } = yield* askProbe(server, "profileStop", Schema.Struct({ profile: CpuProfile }))
    return { load, serverCpuMs: Math.round(ms), ...selfTime(profile) }
  })

const program = Effect.gen(function*() {
  const testsAtStart = testsRunning()
  const url = process.env.DATABASE_URL
  const databases = []
  if (options.database !== "postgres") databases.push(yield* runOn("pglite", undefined))
  if (options.database !== "pglite") {
    if (url === undefined) yield* Effect.logWarning("DATABASE_URL not set: Postgres skipped")
    else databases.push(yield* runOn("postgres", url))
  }
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    testsRunningBeside: testsAtStart || testsRunning(),
    options,
    databases: databases.map(({ rows: _, ...d }) => d),
    rows: databases.flatMap((d) => d.rows)
  }
  printReport(report)
  mkdirSync("bench/results", { recursive: true })
  writeFileSync("bench/results/checkout.json", JSON.stringify(report, null, 2) + "\n")
  console.log("written bench/results/checkout.json")
})

Effect.runPromise(program.pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
