import type { TableDelta } from "./DatabaseCounters.js"

interface Row {
  readonly database: string
  readonly concurrency: number
  readonly confirmed: number
  readonly failures: number
  readonly unconfirmed: number
  readonly confirmedPerMinute: number
  readonly placeP50Ms: number
  readonly placeP99Ms: number
  readonly placeServerP99Ms: number
  readonly placedToConfirmedP50Ms: number
  readonly placedToConfirmedP99Ms: number
  readonly paidToConfirmedP50Ms: number
  readonly pollsPerOrder: number
  readonly serverCpuMsPerOrder: number
  readonly serverCpuCores: number
  readonly standInCpuMsPerOrder: number
  readonly loadCpuMsPerOrder: number
  readonly postgresCpuMsPerOrder: number
  readonly machineBusyCores: number
  readonly gcMsPerOrder: number
  readonly loopDelayP99Ms: number
  readonly sqlStatementsPerOrder: number
  readonly transactionsPerOrder: number | undefined
  readonly rowsWrittenPerOrder: number
  readonly clusterMessagesPerOrder: number
  readonly clusterRepliesPerOrder: number
  readonly serverRssMb: number
  readonly tablesPerOrder: ReadonlyArray<TableDelta>
}

interface Database {
  readonly database: string
  readonly startSeconds: number
  readonly bestConcurrency: number
  readonly warm: { readonly requests: number; readonly seconds: number } | undefined
  readonly serverRssMb: { readonly afterStart: number; readonly afterWarm: number; readonly afterWarmUp: number; readonly end: number }
  readonly cpuProfile: {
    readonly serverCpuMs: number
    readonly busyMs: number
    readonly functions: ReadonlyArray<{ readonly function: string; readonly owner: string; readonly selfMs: number; readonly percent: number }>
    readonly owners: ReadonlyArray<{ readonly owner: string; readonly selfMs: number; readonly percent: number }>
  } | undefined
}

export const printReport = (report: {
  readonly cores: number
  readonly testsRunningBeside: boolean
  readonly databases: ReadonlyArray<Database>
  readonly rows: ReadonlyArray<Row>
}) => {
  console.log(`\ncheckout benchmark: server, Razorpay stand-in and load generator in three processes, ${report.cores} cores` +
    (report.testsRunningBeside ? " (a vitest run was going on beside it: numbers are noisy)" : ""))
  console.table(report.rows.map((r) => ({
    db: r.database,
    customers: r.concurrency,
    "confirmed/min": r.confirmedPerMinute,
    "POST p50 ms": r.placeP50Ms,
    "POST p99 ms": r.placeP99Ms,
    "placed→confirmed p50 ms": r.placedToConfirmedP50Ms,
    "placed→confirmed p99 ms": r.placedToConfirmedP99Ms,
    "server CPU ms/order": r.serverCpuMsPerOrder,
    "SQL stmts/order": r.sqlStatementsPerOrder,
    "cluster rows/order": r.clusterMessagesPerOrder + r.clusterRepliesPerOrder,
    "failed": r.failures + r.unconfirmed
  })))
  console.log("\nwhere the CPU goes, per confirmed order (ms) and in cores busy")
  console.table(report.rows.map((r) => ({
    db: r.database,
    customers: r.concurrency,
    server: r.serverCpuMsPerOrder,
    "server cores": r.serverCpuCores,
    "of which GC": r.gcMsPerOrder,
    "stand-in": r.standInCpuMsPerOrder,
    load: r.loadCpuMsPerOrder,
    postgres: r.postgresCpuMsPerOrder,
    "machine cores": r.machineBusyCores,
    "loop delay p99 ms": r.loopDelayP99Ms,
    "polls/order": r.pollsPerOrder,
    "xacts/order": r.transactionsPerOrder ?? "n/a",
    "rows written/order": r.rowsWrittenPerOrder,
    "RSS MB": r.serverRssMb
  })))
  for (const d of report.databases) {
    console.log(`\n${d.database}: server started in ${d.startSeconds} s; RSS ${d.serverRssMb.afterStart} MB at start, ` +
      (d.warm ? `${d.serverRssMb.afterWarm} MB with all ${d.warm.requests} store-SKUs resident (${d.warm.seconds.toFixed(0)} s), ` : "") +
      `${d.serverRssMb.afterWarmUp} MB after warm-up, ${d.serverRssMb.end} MB at the end`)
    const best = report.rows.find((r) => r.database === d.database && r.concurrency === d.bestConcurrency)
    if (best) {
      console.log(`table rows and scans per order at ${best.concurrency} customers (${d.database}; cluster_* is the cluster's message storage)`)
      console.table(best.tablesPerOrder)
    }
    if (d.cpuProfile) {
      console.log(`server CPU profile at ${d.bestConcurrency} customers (${d.database}): self time, top functions and owners`)
      console.table(d.cpuProfile.functions)
      console.table(d.cpuProfile.owners)
    }
  }
}
