import { HttpApiBuilder, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { sameSecret } from "@qc/entities/platform/Signatures"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { DatabaseGaugesLive } from "./DatabaseGauges.js"
import { PrometheusMetrics } from "./PrometheusMetrics.js"

const contentType = "text/plain; version=0.0.4; charset=utf-8"

const unauthorized = HttpServerResponse.unsafeJson(
  { _tag: "Unauthorized", message: "missing or wrong bearer token for /metrics" },
  { status: 401, headers: { "www-authenticate": "Bearer" } }
)

/**
 * `GET /metrics` in the Prometheus text format, on the API's own server. A router route
 * beside the HttpApi (as `/docs` is), so it is not in `/openapi.json` and needs no customer
 * token. Open unless `METRICS_TOKEN` is set; then Prometheus must send
 * `Authorization: Bearer <token>` (`authorization.credentials` in its scrape config).
 */
const MetricsRouteLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const metrics = yield* PrometheusMetrics
    const token = yield* Effect.orDie(Config.option(Config.redacted("METRICS_TOKEN")))
    const allowed = (authorization: string | undefined) =>
      Option.match(token, {
        onNone: () => true,
        onSome: (t) => sameSecret(authorization ?? "", `Bearer ${Redacted.value(t)}`)
      })
    yield* router.get(
      "/metrics",
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        allowed(request.headers.authorization)
          // A scrape every 15 s would otherwise add four lines a minute to the request log.
          ? HttpMiddleware.withLoggerDisabled(Effect.map(metrics.scrape, (body) => HttpServerResponse.text(body, { contentType })))
          : Effect.succeed(unauthorized))
    )
  })
)

/** `/metrics` and the database gauges it reports, on whatever serves the HttpApi. */
export const MetricsHttpLive = Layer.merge(MetricsRouteLive, DatabaseGaugesLive)
