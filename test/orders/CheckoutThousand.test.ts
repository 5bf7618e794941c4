import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { Effect, Layer } from "effect"
import * as fc from "fast-check"
import { checkoutInvariants } from "../support/CheckoutInvariants.js"
import { awaitStatus, customerClient, place, skusWithStock, standIn } from "../support/Checkout.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))
const pincode = Pincode.make("411045")
const customers = ["cust-demo-1", "cust-demo-2", "cust-demo-3"]

/** One order's payment story: what the customer does and how the network delivers it. */
const Story = fc.record({
  items: fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { minLength: 1, maxLength: 4 }),
  qty: fc.integer({ min: 1, max: 2 }),
  payment: fc.constantFrom("capture", "capture", "capture", "fail", "underpay", "cancel", "fail-then-capture", "cancel-then-capture"),
  duplicate: fc.integer({ min: 0, max: 3 }),
  reverse: fc.boolean()
})

// 1,000 orders take a minute or two: the Postgres pass only (CI runs it; PGlite is the laptop scale).
describe.runIf(process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== "")("checkout, 1,000 orders", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "600 seconds" })((it) => {
    it.effect("duplicated, reordered and late webhooks: no order left unfinished, no capture kept without a confirmed order", () =>
      Effect.gen(function*() {
        const s = yield* standIn
        const sql = yield* SqlClient.SqlClient
        const skus = yield* skusWithStock("pune-baner", 20, 40)
        const stories = fc.sample(Story, { seed: 1000, numRuns: 1000 })
        let placed = 0
        yield* Effect.forEach(stories, (story, i) =>
          Effect.gen(function*() {
            const customer = customers[i % customers.length]
            const client = yield* customerClient(customer)
            const items = story.items.filter((n) => n < skus.length).map((n) => ({ skuId: skus[n].id, qty: story.qty }))
            const answer = yield* Effect.either(place(customer, `thousand-${i}`, { pincode, items }))
            if (answer._tag === "Left") return
            placed++
            const order = answer.right
            // As an app does: a 503 ("retry with the same id") is retried, here a few times.
            const cancel = client.orders.cancel({ path: { orderId: order.orderId } }).pipe(
              Effect.retry({ while: (e) => e._tag === "ServiceUnavailable", times: 3 })
            )
            const rzp = order.payment.razorpayOrderId
            yield* s.setDelivery({ duplicate: story.duplicate, reverse: story.reverse })
            switch (story.payment) {
              case "capture":
                return yield* s.pay(rzp, { outcome: "capture" })
              case "fail":
                return yield* s.pay(rzp, { outcome: "fail" })
              case "underpay":
                return yield* s.pay(rzp, { outcome: "capture", amount: Math.max(100, order.total - 100) })
              case "cancel":
                return yield* cancel
              case "fail-then-capture":
                yield* s.pay(rzp, { outcome: "fail" })
                // Under load the failure webhook may need the stand-in's retries (1 s, 2 s, …).
                yield* awaitStatus(customer, order.orderId, "FAILED", 12_000)
                return yield* Effect.ignore(s.pay(rzp, { outcome: "capture" }))
              case "cancel-then-capture":
                yield* cancel
                return yield* Effect.ignore(s.pay(rzp, { outcome: "capture" }))
            }
          }), { concurrency: 16, discard: true })
        expect(placed).toBeGreaterThan(500)
        yield* s.settled.pipe(Effect.timeoutFail({ duration: "300 seconds", onTimeout: () => new Error("webhook deliveries did not settle") }))
        yield* s.setDelivery({})
        yield* checkoutInvariants(sql)
      }), { timeout: 600_000 })
  })
})
