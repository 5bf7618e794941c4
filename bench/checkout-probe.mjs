// Preloaded into the server by bench/checkout.ts (`node --import tsx --import ./bench/checkout-probe.mjs …`).
// It counts the SQL statements the server sends (every `pg` Client.query, every PGlite
// query/exec), its GC pauses and event-loop delay, and samples a CPU profile on request.
// It answers over the IPC channel the bench opens; it changes nothing in the server.
import { createRequire } from "node:module"
import { Session } from "node:inspector"
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks"
import { pathToFileURL } from "node:url"

const fromEntities = createRequire(new URL("../packages/entities/package.json", import.meta.url))
const counts = { statements: 0, gcMs: 0, gcCount: 0 }
let pglite

// The `pg` that @effect/sql-pg loads (a CommonJS module: one instance for import and require).
const pg = createRequire(fromEntities.resolve("@effect/sql-pg"))("pg")
const pgQuery = pg.Client.prototype.query
pg.Client.prototype.query = function(...args) {
  counts.statements++
  return pgQuery.apply(this, args)
}

if (process.env.DATABASE_URL === undefined) {
  // The ESM build, as PgliteClient imports it (require.resolve names the CommonJS one).
  const { PGlite } = await import(pathToFileURL(fromEntities.resolve("@electric-sql/pglite").replace(/\.cjs$/, ".js")).href)
  for (const method of ["query", "exec"]) {
    const original = PGlite.prototype[method]
    PGlite.prototype[method] = function(...args) {
      pglite = this
      counts.statements++
      return original.apply(this, args)
    }
  }
}

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    counts.gcMs += entry.duration
    counts.gcCount++
  }
}).observe({ entryTypes: ["gc"] })

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()

const session = new Session()
session.connect()
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))))

// PGlite lives in this process: its statistics views are only reachable from here.
const tableStatsSql = `SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_del::int AS del,
  seq_scan::int AS seq, coalesce(idx_scan, 0)::int AS idx FROM pg_stat_user_tables`
const databaseStatsSql = `SELECT xact_commit::int AS commits, xact_rollback::int AS rollbacks FROM pg_stat_database WHERE datname = current_database()`

const answer = async (request) => {
  switch (request.type) {
    case "counts": {
      const out = {
        ...counts,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay.max / 1e6,
        rssBytes: process.memoryUsage.rss(),
        heapUsedBytes: process.memoryUsage().heapUsed
      }
      loopDelay.reset()
      return out
    }
    case "pgliteStats": {
      if (pglite === undefined) return { tables: [], database: undefined }
      // A fresh snapshot: stats are otherwise cached for the rest of a transaction.
      await pglite.exec("SELECT pg_stat_clear_snapshot()").catch(() => undefined)
      const tables = await pglite.query(tableStatsSql)
      const database = await pglite.query(databaseStatsSql)
      counts.statements -= 3 // these three are the probe's, not the server's
      return { tables: tables.rows, database: database.rows[0] }
    }
    case "profileStart":
      await post("Profiler.enable")
      await post("Profiler.setSamplingInterval", { interval: 1000 })
      await post("Profiler.start")
      return {}
    case "profileStop": {
      const { profile } = await post("Profiler.stop")
      await post("Profiler.disable")
      return { profile }
    }
    default:
      return { error: `unknown request ${request.type}` }
  }
}

if (process.send !== undefined) {
  process.on("message", (request) => {
    answer(request).then(
      (result) => process.send({ id: request.id, result }),
      (error) => process.send({ id: request.id, error: String(error) })
    )
  })
  // The channel must not keep the server alive once it is asked to stop.
  process.channel?.unref()
}
