import { SqlClient } from "@effect/sql"
import { expect } from "@effect/vitest"
import { AuthSecret, issueToken } from "@qc/server/CustomerAuth"
import { Effect, Layer, Redacted, Schedule } from "effect"
import { clusterSecrets } from "./ClusterProcesses.js"

/**
 * Orders through a running cluster's `api` and the stand-in process, for tests that kill a
 * runner while orders are in flight: place, then pay, fail or cancel each.
 */
type Fate = "capture" | "fail" | "cancel"

const call = (url: string, init: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) }).catch(() => undefined)
    if (response === undefined) return { status: 0, body: {} as Record<string, unknown> }
    return { status: response.status, body: await response.json().catch(() => ({})) as Record<string, unknown> }
  })

/** Retries 503s and dropped connections with the same Idempotency-Key, as an app would. */
const untilAnswered = (effect: Effect.Effect<{ status: number; body: Record<string, unknown> }>) =>
  effect.pipe(
    Effect.filterOrFail((r) => r.status !== 0 && r.status !== 503, (r) => r),
    Effect.retry({ schedule: Schedule.exponential("200 millis"), times: 8 })
  )

const tokenFor = (customerId: string) =>
  issueToken(customerId).pipe(
    Effect.provide(Layer.succeed(AuthSecret, Redacted.make(new TextEncoder().encode(clusterSecrets.AUTH_SECRET))))
  )

export interface PlacedInCluster {
  readonly orderId: string
  readonly customerId: string
  readonly razorpayOrderId: string
  readonly fate: Fate
}

/** Places `count` orders for pincodes of both regions, each of one unit of a SKU in stock there. */
export const placeOrders = (api: string, count: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // Primary stores: 411045 → Baner (pune-west), 411014 → Viman Nagar (pune-east).
    const targets = [{ pincode: "411045", storeId: "pune-baner" }, { pincode: "411014", storeId: "pune-viman-nagar" }]
    const skus = new Map<string, ReadonlyArray<string>>()
    for (const t of targets) {
      const rows = yield* Effect.orDie(sql<{ sku_id: string }>`
        SELECT sku_id FROM store_skus WHERE store_id = ${t.storeId} AND on_hand - reserved - allocated >= 5
        ORDER BY sku_id DESC LIMIT 20`)
      skus.set(t.storeId, rows.map((r) => r.sku_id))
    }
    const fates: ReadonlyArray<Fate> = ["capture", "capture", "capture", "capture", "fail", "cancel"]
    return yield* Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) =>
      Effect.gen(function*() {
        const target = targets[i % 2]
        const customerId = `cust-demo-${(i % 3) + 1}`
        const token = yield* tokenFor(customerId)
        const skuId = skus.get(target.storeId)![Math.floor(i / 2) % skus.get(target.storeId)!.length]
        const placed = yield* untilAnswered(call(`${api}/v1/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": `chaos-order-${i}` },
          body: JSON.stringify({ pincode: target.pincode, items: [{ skuId, qty: 1 }] })
        }))
        expect(placed.status, JSON.stringify(placed.body)).toBe(201)
        const payment = placed.body.payment as { razorpayOrderId: string }
        return { orderId: placed.body.orderId as string, customerId, razorpayOrderId: payment.razorpayOrderId, fate: fates[i % fates.length] }
      }), { concurrency: 4 })
  })

/** Sends every order its fate: a capture or a failure at the stand-in, or the customer's cancel. */
export const settleOrders = (api: string, standIn: string, orders: ReadonlyArray<PlacedInCluster>) =>
  Effect.forEach(orders, (o) =>
    Effect.gen(function*() {
      if (o.fate === "cancel") {
        const token = yield* tokenFor(o.customerId)
        const cancelled = yield* untilAnswered(call(`${api}/v1/orders/${o.orderId}/cancel`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` }
        }))
        expect([200, 409], JSON.stringify(cancelled.body)).toContain(cancelled.status)
        return
      }
      const basic = Buffer.from(`${clusterSecrets.RAZORPAY_KEY_ID}:${clusterSecrets.RAZORPAY_KEY_SECRET}`).toString("base64")
      const paid = yield* untilAnswered(call(`${standIn}/v1/dev/payments/${o.razorpayOrderId}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${basic}` },
        body: JSON.stringify({ outcome: o.fate })
      }))
      expect(paid.status, JSON.stringify(paid.body)).toBeLessThan(300)
    }), { concurrency: 4, discard: true })

/**
 * Waits until every order is final (CONFIRMED, FAILED, CANCELLED); answers their statuses. Up
 * to 200 s: an order whose webhooks were all lost is settled by its own 90 s payment deadline.
 */
export const awaitFinal = (orders: ReadonlyArray<PlacedInCluster>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const ids = orders.map((o) => o.orderId)
    return yield* Effect.orDie(sql<{ id: string; status: string }>`SELECT id, status FROM orders WHERE id IN ${sql.in(ids)}`).pipe(
      Effect.filterOrFail(
        (rows) => rows.length === ids.length && rows.every((r) => ["CONFIRMED", "FAILED", "CANCELLED"].includes(r.status)),
        (rows) => new Error(`orders not final: ${JSON.stringify(rows.filter((r) => !["CONFIRMED", "FAILED", "CANCELLED"].includes(r.status)))}`)
      ),
      Effect.retry({ schedule: Schedule.spaced("500 millis"), times: 400 }),
      Effect.map((rows) => new Map(rows.map((r) => [r.id, r.status])))
    )
  })
