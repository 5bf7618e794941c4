import { HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { StoreId } from "@qc/domain/Ids"
import { NotificationId } from "@qc/domain/notifications/Notification"
import { Push, PushFailed } from "@qc/entities/notifications/Push"
import { Sms, SmsFailed } from "@qc/entities/notifications/Sms"
import { Effect, Layer } from "effect"
import { awaitStatus, place, skusWithStock, standIn } from "../support/Checkout.js"
import { eventually } from "../support/Drive.js"
import { adminKey, apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const asha = "cust-demo-1"
const baner = StoreId.make("pune-baner")
const pincode = Pincode.make("411045")

const placeAndPay = (key: string) =>
  Effect.gen(function*() {
    const [sku] = yield* skusWithStock(baner, 2, 1)
    const placed = yield* place(asha, key, { pincode, items: [{ skuId: sku.id, qty: 1 }] })
    yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
    return placed
  })

const LocalStack = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

describe("notifications on the whole server (local channels)", () => {
  layer(LocalStack, { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    it.effect("place + pay: GET /v1/admin/notifications shows the confirmed push to the customer; dead letters and replay answer", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* Effect.orDie(sql`INSERT INTO customer_devices (customer_id, device_id, fcm_token, platform, updated_at)
          VALUES (${asha}, 'pixel-7', 'token-asha-1', 'android', now())`)
        const placed = yield* placeAndPay("notify-e2e-1")
        yield* awaitStatus(asha, placed.orderId, "CONFIRMED")
        const short = `#${placed.orderId.slice(-6).toUpperCase()}`
        const { admin, raw } = yield* apiClients
        const pushes = yield* eventually(Effect.flatMap(admin.notificationsAdmin.local({ urlParams: { channel: "push", to: asha } }), (list) =>
          Effect.sync(() => {
            expect(list.map((m) => m.title)).toContain("Order confirmed")
            return list
          })), 2000)
        const confirmed = pushes.find((m) => m.title === "Order confirmed")!
        expect(confirmed.body).toContain(`Your order ${short} of ₹`)
        expect(confirmed).toMatchObject({ channel: "push", to: asha, data: { kind: "order.confirmed", orderId: placed.orderId, devices: 1 } })
        // The customer has a device: nothing went by SMS.
        expect(yield* admin.notificationsAdmin.local({ urlParams: { channel: "sms", to: "+919800000001" } })).toEqual([])
        expect(yield* admin.notificationsAdmin.deadLetters()).toEqual([])
        const unknown = yield* raw.execute(HttpClientRequest.post("/v1/admin/notifications/424242/replay").pipe(HttpClientRequest.setHeader("x-admin-key", adminKey)))
        expect(unknown.status).toBe(404)
        const [sent] = yield* Effect.orDie(sql<{ id: number }>`SELECT id::int AS id FROM notifications WHERE channel = 'push' AND status = 'sent' LIMIT 1`)
        const conflict = yield* Effect.flip(admin.notificationsAdmin.replay({ path: { id: NotificationId.make(sent.id) } }))
        expect(conflict._tag).toBe("NotificationNotDeadLetter")
        const anonymous = yield* raw.execute(HttpClientRequest.get("/v1/admin/notifications"))
        expect(anonymous.status).toBe(401)
      }))
  })
})

/** Firebase and the SMS gateway both down for good. */
const brokenChannels = Layer.mergeAll(
  Layer.succeed(Push, Push.of({ send: () => Effect.fail(new PushFailed({ message: "FCM unreachable", retryable: true })) })),
  Layer.succeed(Sms, Sms.of({ send: () => Effect.fail(new SmsFailed({ message: "gateway down", retryable: true })) }))
)
const BrokenStack = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer, { channels: brokenChannels })))

describe("notifications never hold up an order", () => {
  layer(BrokenStack, { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    it.effect("every channel failing: the order is confirmed all the same; its notification waits in the queue to be retried", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* Effect.orDie(sql`INSERT INTO customer_devices (customer_id, device_id, fcm_token, platform, updated_at)
          VALUES (${asha}, 'pixel-7', 'token-asha-1', 'android', now())`)
        const placed = yield* placeAndPay("notify-broken-1")
        yield* awaitStatus(asha, placed.orderId, "CONFIRMED")
        yield* eventually(Effect.flatMap(
          Effect.orDie(sql<{ channel: string; status: string; attempts: number; last_error: string | null }>`
            SELECT channel, status, attempts, last_error FROM notifications WHERE event_key = ${`order.confirmed:${placed.orderId}`} ORDER BY channel`),
          (rows) => Effect.sync(() => expect(rows).toEqual([
            { channel: "push", status: "pending", attempts: 1, last_error: "FCM unreachable" },
            { channel: "sms", status: "held", attempts: 0, last_error: null }
          ]))
        ), 2000)
      }))
  })
})
