import * as Metrics from "@effect/opentelemetry/Metrics"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { Effect } from "effect"

/**
 * Every Effect `Metric` of this process (ours and the cluster's `effect_cluster_*` gauges),
 * read through an OpenTelemetry Prometheus reader and rendered in the Prometheus text format.
 * The reader never listens on a port of its own (`preventServerStart`): `/metrics` on the API
 * server asks it for a collection on each scrape.
 */
export class PrometheusMetrics extends Effect.Service<PrometheusMetrics>()("PrometheusMetrics", {
  scoped: Effect.gen(function*() {
    const reader = new PrometheusExporter({ preventServerStart: true })
    yield* Metrics.registerProducer(yield* Metrics.makeProducer, () => reader)
    // The same rendering as the exporter's own server, without the scope label on every series
    // (there is one scope, Effect's producer).
    const serializer = new PrometheusSerializer(undefined, false, undefined, false, true)

    /** The current value of every metric, as a Prometheus scrape answer body. */
    const scrape = Effect.promise(() => reader.collect()).pipe(
      Effect.tap(({ errors }) =>
        errors.length === 0 ? Effect.void : Effect.logWarning("metrics collection reported errors", errors)),
      Effect.map(({ resourceMetrics }) => serializer.serialize(resourceMetrics))
    )
    return { scrape } as const
  })
}) {}
