import { OrderStatus } from "@qc/domain/orders/Order"
import { Effect, Layer, Metric, Schedule } from "effect"
import { MetricsRepo } from "./MetricsRepo.js"

export const orders = Metric.gauge("qc_orders", { description: "Orders in each status (refreshed from Postgres every 15 s)" })

export const outboxLag = Metric.gauge("qc_outbox_lag_events", {
  description: "Outbox events written after the last one each subscriber handled (refreshed every 15 s)"
})

export const notificationBacklog = Metric.gauge("qc_notifications_waiting", {
  description: "Notifications pending (due now or after a retry wait) and dead letters, by channel (refreshed every 15 s)"
})

/** Scrapes come every 15 to 60 s; sampling more often than that would only cost queries. */
const refreshEvery = "15 seconds"

const sample = Effect.gen(function*() {
  const repo = yield* MetricsRepo
  const counts = new Map<string, number>(OrderStatus.literals.map((s) => [s, 0]))
  for (const { count, status } of yield* repo.ordersByStatus) counts.set(status, count)
  // Every status is set, zeros included, so a status that empties drops to 0 instead of keeping its last count.
  for (const [status, count] of counts) yield* Metric.set(Metric.tagged(orders, "status", status), count)
  for (const { lag, subscriber } of yield* repo.outboxLag) {
    yield* Metric.set(Metric.tagged(outboxLag, "subscriber", subscriber), lag)
  }
  const backlog = yield* repo.notificationBacklog
  for (const channel of ["push", "sms"]) {
    for (const status of ["pending", "dead"]) {
      const count = backlog.find((b) => b.channel === channel && b.status === status)?.count ?? 0
      yield* Metric.set(Metric.tagged(Metric.tagged(notificationBacklog, "channel", channel), "status", status), count)
    }
  }
}).pipe(Effect.catchAllCause((cause) => Effect.logWarning("metrics: database gauges not refreshed", cause)))

/**
 * Samples the order, outbox and notification gauges at start and every 15 s, in each process that serves
 * `/metrics`. A per-process sampler, not a cluster job: every process reports the gauges it
 * is scraped for, and a failed sample only leaves the last values in place until the next.
 */
export const DatabaseGaugesLive = Layer.scopedDiscard(
  Effect.forkScoped(Effect.repeat(sample, Schedule.spaced(refreshEvery)))
).pipe(Layer.provide(MetricsRepo.Default))
