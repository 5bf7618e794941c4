import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { cartOf, view } from "../support/Cart.js"
import { skusWithStock } from "../support/Checkout.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const asha = "cust-demo-1"
const baner = "pune-baner"

describe("cart across restarts", () => {
  it.scopedLive("a restarted stack on the same database shows the same cart, and what was last seen", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(stackLayer(db.layer))
        return yield* Effect.gen(function*() {
          const [a, b] = yield* skusWithStock(baner, 3, 2)
          const cart = yield* cartOf(asha)
          yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 3 } })
          yield* cart.setItem({ path: { skuId: b.id }, payload: { qty: 1 } })
          return yield* view(asha)
        }).pipe(Effect.provide(context))
      }))

      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(stackLayer(db.layer))
        yield* Effect.gen(function*() {
          const again = yield* view(asha)
          expect(again.lines.map((l) => [l.skuId, l.qty, l.storeId, l.unitPrice])).toEqual(
            first.lines.map((l) => [l.skuId, l.qty, l.storeId, l.unitPrice])
          )
          expect(again.total).toBe(first.total)
          // The last look survived too: nothing is reported as changed.
          expect(again.changed).toBe(false)
          expect(again.updatedAt).toEqual(first.updatedAt)
        }).pipe(Effect.provide(context))
      }))
    }))
})
