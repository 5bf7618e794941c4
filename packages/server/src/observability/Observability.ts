import * as Resource from "@effect/opentelemetry/Resource"
import { Config, Effect, Layer } from "effect"
import { LogFormatLive } from "./LogFormat.js"
import { PrometheusMetrics } from "./PrometheusMetrics.js"
import { TracingLive } from "./Tracing.js"

/** `service.name` from `OTEL_SERVICE_NAME` (default `qc`), plus `OTEL_RESOURCE_ATTRIBUTES`. */
const ResourceLive = Layer.unwrapEffect(
  Effect.map(
    Effect.orDie(Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("qc"))),
    (serviceName) => Resource.layerFromEnv(Resource.configToAttributes({ serviceName }))
  )
)

/**
 * What a process needs to be observed: the Prometheus reader over every Effect metric
 * (served by `MetricsHttpLive` at `/metrics`), OTLP traces when configured, and the log
 * format. Provide it below everything else, so the log format applies to every layer.
 */
export const ObservabilityLive = Layer.mergeAll(PrometheusMetrics.Default, TracingLive, LogFormatLive).pipe(
  Layer.provide(ResourceLive)
)
