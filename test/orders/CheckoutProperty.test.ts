import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { Effect, Layer } from "effect"
import * as fc from "fast-check"
import { awaitStatus, customerClient, place, skusWithStock, standIn } from "../support/Checkout.js"
import { checkoutInvariants } from "../support/CheckoutInvariants.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))
const pincode = Pincode.make("411045")

/** What the paying customer (and the network) does with one order. */
const Script = fc.record({
  items: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 4 }),
  qty: fc.integer({ min: 1, max: 4 }),
  payment: fc.constantFrom("capture", "fail", "underpay", "none", "fail-then-capture", "cancel-then-capture"),
  duplicate: fc.integer({ min: 0, max: 3 }),
  reverse: fc.boolean()
})

let run = 0

describe("checkout property", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    // Six runs; under a loaded CI a run can wait out the stand-in's webhook retries (1 s, 2 s, 4 s …).
    it.effect.prop(
      "any mix of orders and payment events: stock balances, and every capture ends in a confirmed order or a refund",
      [fc.array(Script, { minLength: 3, maxLength: 8 })],
      ([scripts]) =>
        Effect.gen(function*() {
          run++
          const s = yield* standIn
          const sql = yield* SqlClient.SqlClient
          const skus = yield* skusWithStock("pune-baner", 1, 8)
          const client = yield* customerClient("cust-demo-1")
          yield* Effect.forEach(scripts, (script, i) =>
            Effect.gen(function*() {
              const items = script.items.filter((n) => n < skus.length).map((n) => ({ skuId: skus[n].id, qty: script.qty }))
              const placed = yield* Effect.either(place("cust-demo-1", `prop-${run}-${i}`, { pincode, items }))
              // Out of stock is a fine answer; it must just leave nothing behind (checked below).
              if (placed._tag === "Left") return
              const order = placed.right
              const rzp = order.payment.razorpayOrderId
              yield* s.setDelivery({ duplicate: script.duplicate, reverse: script.reverse })
              switch (script.payment) {
                case "capture":
                  yield* s.pay(rzp, { outcome: "capture" })
                  break
                case "fail":
                  yield* s.pay(rzp, { outcome: "fail" })
                  break
                case "underpay":
                  yield* s.pay(rzp, { outcome: "capture", amount: Math.max(100, order.total - 100) })
                  break
                case "fail-then-capture":
                  yield* s.pay(rzp, { outcome: "fail" })
                  yield* awaitStatus("cust-demo-1", order.orderId, "FAILED")
                  yield* s.pay(rzp, { outcome: "capture" })
                  break
                case "cancel-then-capture":
                  yield* client.orders.cancel({ path: { orderId: order.orderId } })
                  yield* Effect.ignore(s.pay(rzp, { outcome: "capture" }))
                  break
                case "none":
                  yield* client.orders.cancel({ path: { orderId: order.orderId } })
              }
            }), { concurrency: 4, discard: true })
          // Bounded, and on failure it says which webhook deliveries the server did not take.
          yield* s.settled.pipe(Effect.timeoutFail({
            duration: "100 seconds",
            onTimeout: () => new Error("webhook deliveries did not settle")
          }), Effect.tapError(() =>
            Effect.flatMap(s.deliveries, (log) =>
              Effect.logError(`unsettled webhooks: ${JSON.stringify(log.filter((d) => d.status !== 200).slice(-30))}`))))
          yield* s.setDelivery({})
          yield* checkoutInvariants(sql)
        }),
      { fastCheck: { numRuns: 6 }, timeout: 300_000 }
    )
  })
})
