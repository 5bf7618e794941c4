import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ObservabilityLive } from "@qc/server/observability/Observability"
import { ConfigProvider, Effect, Layer } from "effect"
import { createServer } from "node:http"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

/** A stand-in OpenTelemetry collector: keeps the body of every `POST /v1/traces`. */
const collector = Effect.gen(function*() {
  const bodies: Array<Buffer> = []
  const app = HttpRouter.empty.pipe(HttpRouter.post("/v1/traces", Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    bodies.push(Buffer.from(yield* request.arrayBuffer))
    return HttpServerResponse.empty({ status: 200 })
  })))
  const context = yield* Layer.build(
    HttpServer.serve(app).pipe(Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })))
  )
  const { address } = yield* Effect.provide(HttpServer.HttpServer, context)
  if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("collector: no TCP address")
  return { bodies, endpoint: `http://127.0.0.1:${address.port}` }
})

describe("traces (OTLP/HTTP)", () => {
  it.scoped("OTEL_EXPORTER_OTLP_ENDPOINT set: spans reach the collector, with the service name", () =>
    Effect.gen(function*() {
      const { bodies, endpoint } = yield* collector
      // Leaving the scope shuts the tracer provider down, which flushes the batch.
      yield* Effect.void.pipe(
        Effect.withSpan("Checkout.observed", { attributes: { orderId: "ord_1" } }),
        Effect.provide(ObservabilityLive),
        withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: "qc-test" })
      )
      expect(bodies.length).toBeGreaterThanOrEqual(1)
      const sent = Buffer.concat(bodies)
      expect(sent.includes("Checkout.observed")).toBe(true)
      expect(sent.includes("qc-test")).toBe(true)
      expect(sent.includes("ord_1")).toBe(true)
    }))

  it.effect("unset: no OpenTelemetry tracer is installed (Effect keeps its own, nothing is exported)", () =>
    Effect.gen(function*() {
      const before = yield* Effect.tracer
      const inside = yield* Effect.tracer.pipe(Effect.provide(ObservabilityLive), withEnv({}))
      expect(inside).toBe(before)
      const configured = yield* Effect.tracer.pipe(
        Effect.provide(ObservabilityLive),
        withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" })
      )
      expect(configured).not.toBe(before)
    }))
})
