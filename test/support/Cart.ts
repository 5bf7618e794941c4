import { Pincode } from "@qc/domain/catalogue/Catalogue"
import type { Sku } from "@qc/domain/catalogue/Catalogue"
import { AdjustmentId, SkuId, StoreId } from "@qc/domain/Ids"
import { paise } from "@qc/domain/Money"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { customerClient, stock } from "./Checkout.js"
import { apiClients } from "./Stack.js"

/** 411045: Baner first, then Aundh. */
export const pincode = Pincode.make("411045")
export const storesOf411045 = ["pune-baner", "pune-aundh"] as const

/** A customer's cart endpoints, as the app would call them. */
export const cartOf = (customerId: string) => Effect.map(customerClient(customerId), (c) => c.cart)

/** A customer's cart emptied, for a test that starts from nothing. */
export const freshCart = (customerId: string) =>
  Effect.gen(function*() {
    const cart = yield* cartOf(customerId)
    yield* cart.clear()
    return cart
  })

export const view = (customerId: string) => Effect.flatMap(cartOf(customerId), (c) => c.view({ urlParams: { pincode } }))

export const checkout = (customerId: string, idempotencyKey: string) =>
  Effect.flatMap(cartOf(customerId), (c) => c.checkout({ headers: { "idempotency-key": idempotencyKey }, payload: { pincode } }))

/** Leaves `units` available of a SKU at every store serving 411045 that carries it. */
export const setAvailable = (skuId: string, units: number) =>
  Effect.gen(function*() {
    const { admin } = yield* apiClients
    for (const storeId of storesOf411045) {
      const s = yield* Effect.either(stock(storeId, skuId))
      if (s._tag === "Right" && s.right.available !== units) {
        yield* admin.stockAdmin.adjust({
          path: { storeId: StoreId.make(storeId), skuId: SkuId.make(skuId) },
          payload: {
            adjustmentId: AdjustmentId.make(`cart-test-${randomUUID()}`),
            delta: units - s.right.available,
            reason: "count_correction"
          }
        })
      }
    }
  })

/** Changes a SKU's catalogue price (the base of the pricing chain) through the admin API. */
export const setBasePrice = (sku: Sku, basePrice: number) =>
  Effect.flatMap(apiClients, ({ admin }) =>
    admin.catalogAdmin.upsertSku({
      path: { skuId: sku.id },
      payload: { name: sku.name, aliases: sku.aliases, category: sku.category, unit: sku.unit, brand: sku.brand, basePrice: paise(basePrice) }
    }))
