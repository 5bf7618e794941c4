import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as Tracer from "@effect/opentelemetry/Tracer"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Config, Effect, Layer, Option } from "effect"

/** `OTEL_EXPORTER_OTLP_ENDPOINT` is the collector's base URL; traces go to `/v1/traces` under it (OTLP/HTTP). */
export const tracesUrl = (endpoint: string) => `${endpoint.replace(/\/+$/, "")}/v1/traces`

/**
 * Spans to an OTLP/HTTP collector in batches when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
 * Unset, nothing is installed: Effect keeps its own in-memory tracer, nothing leaves the
 * process and no OpenTelemetry tracer runs. Spans that exist either way: `http.server <METHOD>`,
 * `sql.execute`, entity handlers `Type(id).Rpc` and their clients, `Effect.fn` names.
 */
export const TracingLive = Layer.unwrapEffect(
  Effect.map(
    Effect.orDie(Config.option(Config.nonEmptyString("OTEL_EXPORTER_OTLP_ENDPOINT"))),
    Option.match({
      onNone: () => Layer.empty,
      onSome: (endpoint) =>
        Tracer.layer.pipe(
          Layer.provide(NodeSdk.layerTracerProvider(new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(endpoint) }))))
        )
    })
  )
)
