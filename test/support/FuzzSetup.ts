import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import { signVendorBody } from "@qc/entities/pricing/PricingRuleStore"
import { issueToken } from "@qc/server/CustomerAuth"
import { Effect, Schedule } from "effect"
import fc from "fast-check"
import { createHmac } from "node:crypto"
import { customerClient, place, standIn } from "./Checkout.js"
import type { FuzzContext, Webhook } from "./FuzzRequests.js"
import type { Failure } from "./FuzzReport.js"
import type { JsonSchema } from "./FuzzSchema.js"
import { razorpayEventSchema, razorpayWebhookSecret } from "./FuzzStack.js"
import { adminKey, apiClients, vendorSecret } from "./Stack.js"

export const customers = ["cust-demo-1", "cust-demo-2"] as const
const baner = StoreId.make("pune-baner")
const pincode = Pincode.make("411045")

/**
 * Known-good ids to build valid requests from: stocked SKUs, an order confirmed and one cancelled
 * (both settled, so no payment deadline fires mid-run), an open reservation and customer tokens.
 */
export const prepare = Effect.gen(function*() {
  const { admin, anonymous } = yield* apiClients
  const page = yield* anonymous.stores.skus({ path: { storeId: baner }, urlParams: { limit: 200 } })
  const stocked = page.items.filter((i) => i.stock.available >= 10).map((i) => i.sku.id as string)
  const skus = ["sku-00020", ...stocked.filter((s) => s !== "sku-00020").slice(0, 3)]
  const paid = yield* place(customers[0], "fuzz-setup-paid", { pincode, items: [{ skuId: SkuId.make(skus[1]), qty: 1 }] })
  const cancelled = yield* place(customers[0], "fuzz-setup-cancelled", { pincode, items: [{ skuId: SkuId.make(skus[2]), qty: 1 }] })
  yield* Effect.flatMap(standIn, (s) => s.pay(paid.payment.razorpayOrderId, { outcome: "capture" }))
  const client = yield* customerClient(customers[0])
  const confirmed = yield* client.orders.get({ path: { orderId: paid.orderId } }).pipe(
    Effect.repeat({ until: (o) => o.status === "CONFIRMED", schedule: Schedule.spaced("50 millis") }),
    Effect.timeoutTo({ duration: "8 seconds", onSuccess: () => true, onTimeout: () => false })
  )
  const problems: Array<Failure> = []
  if (!confirmed) {
    const deliveries = yield* Effect.flatMap(standIn, (s) => s.deliveries)
    problems.push({
      kind: "setup",
      detail: `a paid order did not confirm; its Razorpay webhooks were answered ${JSON.stringify(deliveries.map((d) => d.status))}`
    })
  }
  for (const order of confirmed ? [cancelled] : [paid, cancelled]) {
    yield* client.orders.cancel({ path: { orderId: order.orderId } })
  }
  yield* admin.stockAdmin.reserve({
    path: { storeId: baner, skuId: SkuId.make(skus[3]) },
    payload: { reservationId: ReservationId.make("fuzz-setup-r1"), qty: 1, ttlSeconds: 86_400 }
  })
  const tokens = yield* Effect.forEach(customers, (c) => issueToken(c))
  return { skus, orders: [paid, cancelled], tokens, problems }
})

export type Setup = Effect.Effect.Success<typeof prepare>

/** What a valid field or parameter looks like here, by name; the schema covers everything else. */
export const contextFor = (setup: Setup, defs: Readonly<Record<string, JsonSchema>>): FuzzContext => {
  const id = (prefix: string) => fc.nat().map((n) => `${prefix}${n}`)
  const skus = fc.constantFrom(...setup.skus)
  const orderIds = setup.orders.map((o) => o.orderId as string)
  const razorpayOrderIds = setup.orders.map((o) => o.payment.razorpayOrderId)
  let events = 0
  const webhooks: Record<string, Webhook> = {
    "/v1/webhooks/razorpay": {
      schema: razorpayEventSchema,
      signatureHeader: "x-razorpay-signature",
      sign: (body) => ({
        "x-razorpay-signature": createHmac("sha256", razorpayWebhookSecret).update(body).digest("hex"),
        "x-razorpay-event-id": `evt_fuzz${events++}`
      })
    },
    "/v1/webhooks/vendor-promotions": {
      schema: { $ref: "#/$defs/VendorPromotion" },
      signatureHeader: "x-vendor-signature",
      sign: (body) => ({ "x-vendor-signature": signVendorBody(vendorSecret, body) })
    }
  }
  return {
    defs,
    webhooks,
    adminKey,
    bearerTokens: setup.tokens,
    fields: {
      pincode: fc.constantFrom("411045", "411045", "411007"),
      skuId: skus,
      skuIds: skus.map((s) => [s]),
      storeIds: fc.constantFrom(null, ["pune-baner"]),
      items: fc.uniqueArray(fc.record({ skuId: skus, qty: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 1,
        maxLength: 3,
        selector: (i) => i.skuId
      }),
      qty: fc.integer({ min: 1, max: 3 }),
      // Long enough that no reservation the fuzzer makes expires behind its back.
      ttlSeconds: fc.integer({ min: 3600, max: 86_400 }),
      delta: fc.integer({ min: -3, max: 5 }),
      lot: fc.constantFrom("LOT-A", "LOT-B"),
      reservationId: id("fz-r"),
      receiptId: id("fz-g"),
      adjustmentId: id("fz-a"),
      promotionId: id("fz-p"),
      ruleId: id("fz-t"),
      order_id: fc.constantFrom(...razorpayOrderIds),
      amount: fc.constantFrom(...setup.orders.map((o) => o.total)),
      id: id("pay_fuzz").map((s) => s.padEnd(18, "0").slice(0, 18))
    },
    params: {
      storeId: fc.constantFrom("pune-baner", "pune-aundh"),
      skuId: skus,
      reservationId: fc.constantFrom("fuzz-setup-r1", "fuzz-unknown"),
      orderId: fc.constantFrom(...orderIds),
      razorpayOrderId: fc.constantFrom(...razorpayOrderIds),
      pincode: fc.constant("411045"),
      cursor: fc.constantFrom(...setup.skus, ...orderIds),
      limit: fc.integer({ min: 1, max: 50 }).map(String),
      after: fc.nat(50).map(String),
      q: fc.constantFrom("milk", "atta", "amul"),
      at: fc.integer({ min: 0, max: 1000 }).map((m) => new Date(Date.now() + m * 60_000).toISOString()),
      "idempotency-key": id("fz-key-")
    }
  }
}
