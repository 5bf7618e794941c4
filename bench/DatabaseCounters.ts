import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { TableCounters } from "./CheckoutLoadResults.js"

/** The database's own counters: transactions committed, and rows written and scans per table. */
export interface DatabaseCounters {
  readonly commits: number | undefined
  readonly tables: ReadonlyMap<string, TableCounters>
}

export const countersOf = (
  commits: number | undefined,
  tables: ReadonlyArray<TableCounters>
): DatabaseCounters => ({ commits, tables: new Map(tables.map((t) => [t.relname, t])) })

/** Postgres publishes a backend's counters within about a second of its going idle. */
export const postgresCounters = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`SELECT pg_stat_clear_snapshot()`
  const tables = yield* sql<TableCounters>`
    SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_del::int AS del,
           seq_scan::int AS seq, coalesce(idx_scan, 0)::int AS idx
    FROM pg_stat_user_tables`
  const [db] = yield* sql<{ commits: number }>`
    SELECT xact_commit::int AS commits FROM pg_stat_database WHERE datname = current_database()`
  return countersOf(db?.commits, tables)
}).pipe(Effect.orDie)

export interface TableDelta {
  readonly table: string
  readonly insertsPerOrder: number
  readonly updatesPerOrder: number
  readonly deletesPerOrder: number
  readonly scansPerOrder: number
}

const perOrder = (n: number, orders: number) => Number((n / Math.max(1, orders)).toFixed(2))

/** Per order between two readings; tables that saw under 0.05 of anything per order are left out. */
export const perOrderDelta = (before: DatabaseCounters, after: DatabaseCounters, orders: number) => {
  const tables: Array<TableDelta> = [...after.tables.values()].map((a) => {
    const b = before.tables.get(a.relname) ?? { ins: 0, upd: 0, del: 0, seq: 0, idx: 0 }
    return {
      table: a.relname,
      insertsPerOrder: perOrder(a.ins - b.ins, orders),
      updatesPerOrder: perOrder(a.upd - b.upd, orders),
      deletesPerOrder: perOrder(a.del - b.del, orders),
      scansPerOrder: perOrder(a.seq - b.seq + a.idx - b.idx, orders)
    }
  }).filter((t) => t.insertsPerOrder + t.updatesPerOrder + t.deletesPerOrder + t.scansPerOrder >= 0.05)
    .sort((x, y) => y.insertsPerOrder + y.updatesPerOrder + y.deletesPerOrder - x.insertsPerOrder - x.updatesPerOrder - x.deletesPerOrder)
  const sum = (f: (t: TableDelta) => number) => Number(tables.reduce((n, t) => n + f(t), 0).toFixed(2))
  const cluster = (name: string) => tables.find((t) => t.table === name)?.insertsPerOrder ?? 0
  return {
    transactionsPerOrder: before.commits === undefined || after.commits === undefined
      ? undefined
      : perOrder(after.commits - before.commits, orders),
    rowsWrittenPerOrder: sum((t) => t.insertsPerOrder + t.updatesPerOrder + t.deletesPerOrder),
    tableScansPerOrder: sum((t) => t.scansPerOrder),
    clusterMessagesPerOrder: cluster("cluster_messages"),
    clusterRepliesPerOrder: cluster("cluster_replies"),
    tables
  }
}
