import { HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import type { OrderView } from "@qc/domain/orders/Order"
import { ConfigProvider, Effect, Layer, TestClock } from "effect"
import { customerClient, place, skusWithStock, standIn } from "../support/Checkout.js"
import { driven, drivenUntil } from "../support/Drive.js"
import type { Scrape } from "../support/PrometheusText.js"
import { scrape, seriesOf, valueOf } from "../support/PrometheusText.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const asha = "cust-demo-1"
const baner = StoreId.make("pune-baner")
const pincode = Pincode.make("411045")
const snapshotRoute = "/v1/stores/:storeId/skus/:skuId"
const reserveRoute = "/v1/admin/stores/:storeId/skus/:skuId/reservations"

const requests = (s: Scrape, method: string, route: string, status: number) =>
  valueOf(s, "http_server_request_duration_seconds_count", { method, route, status: String(status) })

const attempts = (s: Scrape, channel: string, result: string) => valueOf(s, "qc_notification_attempts_total", { channel, result })

const reservations = (s: Scrape, outcome: string) => valueOf(s, "qc_stock_reservations_total", { outcome })

/** A fresh stack under the TestClock (cluster timers need it moved), with `config` over the environment. */
const freshStack = (config: ReadonlyArray<readonly [string, string]> = []) =>
  Effect.gen(function*() {
    const db = yield* makeTestDatabase
    yield* TestClock.adjust(1)
    const stack = stackLayer(db.layer, { skuCount: 60 }).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(config)).pipe(ConfigProvider.orElse(ConfigProvider.fromEnv))))
    )
    return yield* Layer.build(stack)
  })

const statusOf = (orderId: string) =>
  Effect.flatMap(customerClient(asha), (c) => c.orders.get({ path: { orderId: orderId as OrderView["orderId"] } }))

describe("GET /metrics (Prometheus)", () => {
  it.scoped("counts real requests by route template and status, reservations by outcome, orders by status, outbox lag, and shows the cluster's gauges", () =>
    Effect.gen(function*() {
      const context = yield* freshStack()
      yield* Effect.gen(function*() {
        const { admin, anonymous, raw } = yield* apiClients
        const [sku] = yield* driven(skusWithStock(baner, 5, 1))
        const before = yield* driven(scrape())

        const path = { storeId: baner, skuId: sku.id }
        yield* driven(anonymous.stores.snapshot({ path }))
        yield* driven(anonymous.stores.snapshot({ path }))
        yield* driven(Effect.flip(anonymous.stores.snapshot({ path: { storeId: baner, skuId: SkuId.make("sku-99999") } })))
        expect((yield* driven(raw.execute(HttpClientRequest.get("/no/such/route")))).status).toBe(404)

        const reserve = (id: string, qty: number) =>
          admin.stockAdmin.reserve({ path, payload: { reservationId: ReservationId.make(id), qty, ttlSeconds: 300 } })
        yield* driven(reserve("metrics-r1", 1))
        yield* driven(reserve("metrics-r2", 1))
        yield* driven(reserve("metrics-r1", 1)) // the same reservation again: answered, not held twice
        yield* driven(Effect.flip(reserve("metrics-r3", 100_000)))

        const placed = yield* driven(place(asha, "metrics-1", { pincode, items: [{ skuId: sku.id, qty: 1 }] }))
        yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
        yield* drivenUntil(Effect.flatMap(statusOf(placed.orderId), (v) => Effect.sync(() => expect(v.status).toBe("CONFIRMED"))))

        // A subscriber that has handled nothing yet lags by every event in the outbox.
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO outbox_cursors (subscriber, seq) VALUES ('metrics-test', 0)`
        const outboxEnd = Effect.map(sql<{ seq: string | number | null }>`SELECT max(seq) AS seq FROM outbox`, ([r]) => Number(r.seq ?? 0))

        // The order and outbox gauges are sampled every 15 s.
        yield* TestClock.adjust("15 seconds")
        const after = yield* drivenUntil(Effect.flatMap(Effect.zip(scrape(), outboxEnd), ([s, end]) =>
          Effect.sync(() => {
            expect(valueOf(s, "qc_orders", { status: "CONFIRMED" })).toBe(1)
            expect(end).toBeGreaterThan(0)
            expect(valueOf(s, "qc_outbox_lag_events", { subscriber: "metrics-test" })).toBe(end)
            // The confirmation: no device to push to, so the held SMS went out instead.
            expect(attempts(s, "push", "dropped") - attempts(before, "push", "dropped")).toBe(1)
            expect(attempts(s, "sms", "sent") - attempts(before, "sms", "sent")).toBe(1)
            for (const channel of ["push", "sms"]) {
              expect(seriesOf(s, "qc_notifications_waiting", { channel, status: "pending" })).toBe(0)
              expect(seriesOf(s, "qc_notifications_waiting", { channel, status: "dead" })).toBe(0)
            }
            return s
          })))

        expect(after.status).toBe(200)
        expect(after.contentType).toBe("text/plain; version=0.0.4; charset=utf-8")
        expect(requests(after, "GET", snapshotRoute, 200) - requests(before, "GET", snapshotRoute, 200)).toBe(2)
        expect(requests(after, "GET", snapshotRoute, 404) - requests(before, "GET", snapshotRoute, 404)).toBe(1)
        expect(requests(after, "GET", "unmatched", 404) - requests(before, "GET", "unmatched", 404)).toBe(1)
        expect(requests(after, "POST", reserveRoute, 201) - requests(before, "POST", reserveRoute, 201)).toBe(3)
        expect(requests(after, "POST", reserveRoute, 409) - requests(before, "POST", reserveRoute, 409)).toBe(1)
        expect(requests(after, "POST", "/v1/orders", 201) - requests(before, "POST", "/v1/orders", 201)).toBe(1)
        // Raw paths never become labels.
        expect([...after.samples.keys()].some((k) => k.includes(sku.id) || k.includes("/no/such/route"))).toBe(false)
        // A histogram: every request falls in the +Inf bucket.
        expect(valueOf(after, "http_server_request_duration_seconds_bucket", { method: "GET", route: snapshotRoute, status: "200", le: "+Inf" }))
          .toBe(requests(after, "GET", snapshotRoute, 200))

        // Two new holds by the admin API and one by the order; the repeat and the shortfall counted apart.
        expect(reservations(after, "reserved") - reservations(before, "reserved")).toBe(3)
        expect(reservations(after, "repeat") - reservations(before, "repeat")).toBe(1)
        expect(reservations(after, "insufficient_stock") - reservations(before, "insufficient_stock")).toBe(1)

        expect(valueOf(after, "qc_orders", { status: "AWAITING_PAYMENT" })).toBe(0)
        expect(valueOf(after, "qc_payment_webhook_duration_seconds_count", { outcome: "processed" }))
          .toBeGreaterThan(valueOf(before, "qc_payment_webhook_duration_seconds_count", { outcome: "processed" }))

        // 300 shards for each of default, pune-east and pune-west, all on the one runner.
        expect(valueOf(after, "effect_cluster_shards")).toBe(900)
        expect(valueOf(after, "effect_cluster_runners")).toBe(1)
        expect(valueOf(after, "effect_cluster_entities", { type: "StoreSku" })).toBeGreaterThanOrEqual(1)
        expect(valueOf(after, "effect_cluster_entities", { type: "Order" })).toBeGreaterThanOrEqual(1)
        expect(after.samples.has("target_info{service_name=\"qc\",telemetry_sdk_language=\"nodejs\",telemetry_sdk_name=\"@effect/opentelemetry\"}"))
          .toBe(true)

        // Not part of the public API description, so clients and the fuzz test never see it.
        const openApi = yield* driven(Effect.flatMap(raw.execute(HttpClientRequest.get("/openapi.json")), (r) => r.json))
        expect(Object.keys((openApi as { paths: Record<string, unknown> }).paths)).not.toContain("/metrics")
      }).pipe(Effect.provide(context))
    }), { timeout: 120_000 })

  it.scoped("with METRICS_TOKEN set, a scrape needs it as a bearer token", () =>
    Effect.gen(function*() {
      const context = yield* freshStack([["METRICS_TOKEN", "scrape-secret"]])
      yield* Effect.gen(function*() {
        expect((yield* driven(scrape())).status).toBe(401)
        expect((yield* driven(scrape("wrong"))).status).toBe(401)
        const allowed = yield* driven(scrape("scrape-secret"))
        expect(allowed.status).toBe(200)
        expect(valueOf(allowed, "effect_cluster_shards")).toBe(900)
      }).pipe(Effect.provide(context))
    }), { timeout: 120_000 })
})
