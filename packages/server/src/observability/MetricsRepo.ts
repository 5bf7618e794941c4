import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Counts read from Postgres for the gauges: both cheap enough to run every few seconds. */
export class MetricsRepo extends Effect.Service<MetricsRepo>()("MetricsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** How many orders are in each status (a status with none is absent). */
    const ordersByStatus = Effect.map(
      sql<{ status: string; n: number | string }>`SELECT status, count(*) AS n FROM orders GROUP BY status`,
      (rows) => rows.map((r) => ({ status: r.status, count: Number(r.n) }))
    )

    /** For each outbox subscriber, how many events were written after the last one it handled (`seq` is the primary key, so `max` is one index probe). */
    const outboxLag = Effect.map(
      sql<{ subscriber: string; lag: number | string }>`
        SELECT c.subscriber, greatest(coalesce((SELECT max(seq) FROM outbox), 0) - c.seq, 0) AS lag
        FROM outbox_cursors c`,
      (rows) => rows.map((r) => ({ subscriber: r.subscriber, lag: Number(r.lag) }))
    )

    /** Notifications waiting to be sent (`pending`) and dead letters, per channel: both on partial indexes. */
    const notificationBacklog = Effect.map(
      sql<{ channel: string; status: string; n: number | string }>`
        SELECT channel, status, count(*) AS n FROM notifications WHERE status = 'pending' GROUP BY channel, status
        UNION ALL
        SELECT channel, status, count(*) AS n FROM notifications WHERE status = 'dead' GROUP BY channel, status`,
      (rows) => rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.n) }))
    )

    return { ordersByStatus, outboxLag, notificationBacklog } as const
  })
}) {}
