import { HttpApp, HttpMiddleware } from "@effect/platform"
import { Clock, Effect, Metric, MetricBoundaries, MetricLabel, Option } from "effect"

/**
 * Requests by method, route and status, with their latency. The route is the template the
 * router matched (`/v1/orders/:orderId`), never the raw path, so the series stay bounded;
 * a request no route took (404, or refused before routing) is `unmatched`.
 */
export const requestDuration = Metric.histogram(
  "http_server_request_duration_seconds",
  MetricBoundaries.fromIterable([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  "HTTP server request latency in seconds, by method, route template and status"
)

const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])

/**
 * Records each response's latency. The route comes from the `http.server` span, on which
 * the router writes `http.route` when it matches (the span exists with Effect's own tracer
 * too, so this does not depend on OTLP being configured). A pre-response handler sees
 * every response, the ones the router answers by failing included, as `serverTiming` does.
 */
export const httpMetrics = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeNanos
    const span = yield* Effect.option(Effect.currentSpan)
    yield* HttpApp.appendPreResponseHandler((request, response) =>
      Effect.as(
        Effect.flatMap(Clock.currentTimeNanos, (end) => {
          const route = Option.flatMap(span, (s) => Option.fromNullable(s.attributes.get("http.route")))
          const labels = [
            MetricLabel.make("method", knownMethods.has(request.method) ? request.method : "OTHER"),
            MetricLabel.make("route", Option.match(route, { onNone: () => "unmatched", onSome: String })),
            MetricLabel.make("status", String(response.status))
          ]
          return Metric.update(Metric.taggedWithLabels(requestDuration, labels), Number(end - start) / 1e9)
        }),
        response
      )
    )
    return yield* app
  })
)
