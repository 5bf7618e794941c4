import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { PaymentsLive } from "@qc/entities/payments/PaymentsLive"
import { signVendorBody } from "@qc/entities/pricing/PricingRuleStore"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Clock, Effect, Layer, Redacted } from "effect"
import { createHmac } from "node:crypto"
import { awaitStatus, place, skusWithStock, standIn } from "../support/Checkout.js"
import { asAdmin, refusedFields, send, withJson } from "../support/RawRequests.js"
import { apiClients, stackLayer, vendorSecret } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/** The stand-in with keys the test knows, so it can sign webhooks as Razorpay does. */
const keys = { keyId: "rzp_test_edge", keySecret: "edge-key-secret", webhookSecret: "edge-webhook-secret" }
const KnownKeys = Layer.unwrapEffect(Effect.map(StandIn.RazorpayStandIn, (s) =>
  PaymentsLive({
    keyId: keys.keyId,
    keySecret: Redacted.make(keys.keySecret),
    webhookSecret: Redacted.make(keys.webhookSecret),
    baseUrl: s.baseUrl
  }))).pipe(Layer.provideMerge(Layer.orDie(StandIn.layer(keys))))

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer, { payments: KnownKeys })))
const baner = "pune-baner"
const pincode = Pincode.make("411045")
const iso = (ms: number) => new Date(ms).toISOString()

/** A Razorpay webhook, signed with the webhook secret. */
const razorpayWebhook = (eventId: string, event: string, payment: Record<string, unknown>) => {
  const body = JSON.stringify({ entity: "event", event, contains: ["payment"], payload: { payment: { entity: payment } } })
  return send(HttpClientRequest.post("/v1/webhooks/razorpay").pipe(
    HttpClientRequest.setHeaders({
      "x-razorpay-signature": createHmac("sha256", keys.webhookSecret).update(body).digest("hex"),
      "x-razorpay-event-id": eventId
    }),
    HttpClientRequest.bodyText(body, "application/json")
  ))
}

const vendorPromotion = (promotion: Record<string, unknown>) => {
  const body = JSON.stringify(promotion)
  return send(HttpClientRequest.post("/v1/webhooks/vendor-promotions").pipe(
    HttpClientRequest.setHeader("x-vendor-signature", signVendorBody(vendorSecret, body)),
    HttpClientRequest.bodyText(body, "application/json")
  ))
}

const adminView = (orderId: string) => Effect.flatMap(apiClients, ({ admin }) => admin.ordersAdmin.get({ path: { orderId: orderId as never } }))

describe("partner webhooks at the edge", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("a Razorpay webhook with a zero, negative or fractional amount, or unstorable text, is answered 2xx ignored; nothing is stored", () =>
      Effect.gen(function*() {
        const [sku] = yield* skusWithStock(baner, 2, 1)
        const placed = yield* place("cust-demo-1", "amounts-1", { pincode, items: [{ skuId: sku.id, qty: 1 }] })
        const payment = { id: "pay_Edge0000000001", order_id: placed.payment.razorpayOrderId, amount: placed.total, currency: "INR", status: "captured", method: "upi" }
        const bad: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
          ["payment.captured", { ...payment, amount: 0 }],
          ["payment.captured", { ...payment, amount: -100 }],
          ["payment.authorized", { ...payment, amount: -100, status: "authorized" }],
          ["payment.captured", { ...payment, amount: 100.5 }],
          ["payment.captured", { ...payment, amount: "100" }],
          ["payment.captured", { ...payment, id: "pay_\u0000" }],
          ["payment.failed", { ...payment, method: "\ud800", status: "failed" }]
        ]
        for (const [i, [event, entity]] of bad.entries()) {
          const answer = yield* razorpayWebhook(`evt_edge_bad_${i}`, event, entity)
          expect([i, answer.status, answer.json]).toEqual([i, 200, { status: "ignored" }])
        }
        const view = yield* adminView(placed.orderId)
        expect(view.payments).toEqual([])
        expect(view.order.status).toBe("AWAITING_PAYMENT")
        // The same event ids are not spent: a correct delivery under one of them is acted on.
        expect((yield* razorpayWebhook("evt_edge_bad_0", "payment.authorized", { ...payment, status: "authorized" })).json)
          .toEqual({ status: "processed" })
        expect((yield* adminView(placed.orderId)).payments.map((p) => [p.paymentId, p.amount, p.status]))
          .toEqual([[payment.id, placed.total, "authorized"]])
      }))

    it.effect("a second capture the gateway does not know is answered 2xx, left to ops with a ticket, and never 5xx", () =>
      Effect.gen(function*() {
        const [sku] = yield* skusWithStock(baner, 2, 1)
        const placed = yield* place("cust-demo-2", "unknown-capture-1", { pincode, items: [{ skuId: sku.id, qty: 1 }] })
        yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
        yield* awaitStatus("cust-demo-2", placed.orderId, "CONFIRMED")
        const ghost = { id: "pay_Ghost000000001", order_id: placed.payment.razorpayOrderId, amount: placed.total, currency: "INR", status: "captured", method: "upi" }
        const answer = yield* razorpayWebhook("evt_edge_ghost", "payment.captured", ghost)
        expect([answer.status, answer.json]).toEqual([200, { status: "processed" }])
        expect((yield* razorpayWebhook("evt_edge_ghost", "payment.captured", ghost)).json).toEqual({ status: "duplicate" })
        const view = yield* adminView(placed.orderId)
        expect(view.order.status).toBe("CONFIRMED")
        expect(view.refunds).toEqual([])
        expect(view.opsTickets.map((t) => t.reason)).toEqual(["refund_refused"])
        expect(view.opsTickets[0].detail).toContain(ghost.id)
      }))

    it.effect("the stand-in's dev payment answers like Razorpay: 404 for an unknown order, 400 for a paid one, no internal class names", () =>
      Effect.gen(function*() {
        const pay = (orderId: string) =>
          send(HttpClientRequest.post(`/v1/dev/payments/${orderId}`).pipe(asAdmin, withJson({ outcome: "capture" })))
        const unknown = yield* pay("order_DoesNotExist00")
        expect([unknown.status, unknown.json]).toEqual([404, { error: { code: "BAD_REQUEST_ERROR", description: "The id provided does not exist" } }])
        const [sku] = yield* skusWithStock(baner, 2, 1)
        const placed = yield* place("cust-demo-3", "dev-pay-1", { pincode, items: [{ skuId: sku.id, qty: 1 }] })
        expect((yield* pay(placed.payment.razorpayOrderId)).status).toBe(200)
        const again = yield* pay(placed.payment.razorpayOrderId)
        expect(again.status).toBe(400)
        expect(again.json).toMatchObject({ error: { code: "BAD_REQUEST_ERROR" } })
        for (const answer of [unknown, again]) expect(answer.text).not.toMatch(/StandInError|DevPayment|_tag/)
      }))

    it.effect("a vendor promotion naming stores or SKUs we do not have is a 422 naming them; nothing is stored", () =>
      Effect.gen(function*() {
        const [sku] = yield* skusWithStock(baner, 1, 1)
        const now = yield* Clock.currentTimeMillis
        const promotion = { promotionId: "edge-promo-1", vendor: "Amul", storeIds: [baner], skuIds: [sku.id], price: 500, startsAt: iso(now - 60_000), endsAt: iso(now + 3_600_000) }
        const unknownStore = yield* vendorPromotion({ ...promotion, storeIds: [baner, "pune-nowhere"] })
        expect([unknownStore.status, unknownStore.json]).toEqual([422, expect.objectContaining({
          _tag: "UnknownPromotionTargets",
          unknownStoreIds: ["pune-nowhere"],
          unknownSkuIds: []
        })])
        const unknownSku = yield* vendorPromotion({ ...promotion, storeIds: null, skuIds: [sku.id, "sku-99999", "sku-99999"] })
        expect([unknownSku.status, unknownSku.json]).toEqual([422, expect.objectContaining({ unknownStoreIds: [], unknownSkuIds: ["sku-99999"] })])
        // Neither was stored: the id is still free for the correct body.
        expect((yield* vendorPromotion(promotion)).status).toBe(201)
      }))

    it.effect("a vendor promotion under ₹1, with text Postgres cannot store, or dates out of range is a 400 naming the field", () =>
      Effect.gen(function*() {
        const [sku] = yield* skusWithStock(baner, 1, 1)
        const now = yield* Clock.currentTimeMillis
        const promotion = { promotionId: "edge-promo-2", vendor: "Amul", storeIds: null, skuIds: [sku.id], price: 500, startsAt: iso(now - 60_000), endsAt: iso(now + 3_600_000) }
        const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
          [{ price: 0 }, "price"],
          [{ price: 50 }, "price"],
          [{ price: 99.5 }, "price"],
          [{ vendor: "Am\u0000ul" }, "vendor"],
          [{ vendor: "\udc00" }, "vendor"],
          [{ endsAt: "+275760-09-13T00:00:00Z" }, "endsAt"],
          [{ startsAt: "5" }, "startsAt"],
          [{ promotionId: "edge\u0000" }, "promotionId"]
        ]
        for (const [over, field] of cases) {
          const refused = yield* vendorPromotion({ ...promotion, ...over })
          expect([field, refused.status]).toEqual([field, 400])
          expect(refused.json).toMatchObject({ _tag: "InvalidPromotion", issues: [{ path: [field] }] })
        }
        expect((yield* vendorPromotion(promotion)).status).toBe(201)
      }))

    it.effect("a promotion stored at 0 paise before the rule is charged at ₹1; checkout gets its Razorpay order (201, not 503) and is paid", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [sku] = yield* skusWithStock(baner, 2, 1)
        const now = yield* Clock.currentTimeMillis
        yield* sql`INSERT INTO vendor_promotions (promotion_id, vendor, store_ids, sku_ids, price, starts_at, ends_at, body_digest, received_at)
          VALUES ('legacy-free', 'Legacy', NULL, ${[sku.id]}, 0, ${iso(now - 60_000)}, ${iso(now + 3_600_000)}, 'legacy', ${iso(now)})`
        yield* sql`INSERT INTO vendor_promotion_skus (sku_id, promotion_id) VALUES (${sku.id}, 'legacy-free')`
        const placed = yield* place("cust-demo-1", "floor-1", { pincode, items: [{ skuId: sku.id, qty: 1 }] })
        expect(placed.lines[0]).toMatchObject({ unitPrice: 100, pricingContext: { rule: "vendor_promotion", ruleId: "legacy-free" } })
        expect(placed.lines[0].pricingContext.reason).toContain("raised to the minimum price of 100 paise")
        expect(placed).toMatchObject({ total: 100, payment: { amount: 100 } })
        yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
        yield* awaitStatus("cust-demo-1", placed.orderId, "CONFIRMED")
        const refused = yield* send(HttpClientRequest.post("/v1/admin/pricing/time-rules").pipe(
          asAdmin,
          withJson({ ruleId: "edge\u0000rule", category: "dairy", from: "18:00", until: "20:00", percent: 10 })
        ))
        expect(refusedFields(refused.json).map((f) => f.field)).toEqual(["ruleId"])
      }))
  })
})
