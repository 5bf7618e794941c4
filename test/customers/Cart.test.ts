import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Api } from "@qc/domain/Api"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { SkuId } from "@qc/domain/Ids"
import { issueToken } from "@qc/server/CustomerAuth"
import { Effect, Layer } from "effect"
import { cartOf, freshCart, pincode, setAvailable, setBasePrice, view } from "../support/Cart.js"
import { skusWithStock } from "../support/Checkout.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const asha = "cust-demo-1"
const rohan = "cust-demo-2"
const baner = "pune-baner"

/** SKUs Baner has at least `min` of, priced by their base price (no time-of-day rule on fresh produce). */
const plainSkus = (min: number, count: number) =>
  Effect.map(skusWithStock(baner, min, 200), (skus) => skus.filter((s) => s.category !== "fresh_produce").slice(0, count))

describe("cart", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("sets, raises and removes lines; one cart for every token of a customer, none shared with another", () =>
      Effect.gen(function*() {
        const [a, b, c] = yield* plainSkus(3, 3)
        const phone = yield* freshCart(asha)
        yield* phone.setItem({ path: { skuId: a.id }, payload: { qty: 2 } })
        const afterB = yield* phone.setItem({ path: { skuId: b.id }, payload: { qty: 1 } })
        expect(afterB.lines).toEqual([{ skuId: a.id, qty: 2 }, { skuId: b.id, qty: 1 }])
        expect(afterB.updatedAt).not.toBeNull()

        // A second device: another token of the same customer.
        const token = yield* issueToken(asha, { ttl: "1 hour" })
        const laptop = yield* HttpApiClient.make(Api, { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) })
        const seen = yield* laptop.cart.view({ urlParams: { pincode } })
        expect(seen.lines.map((l) => [l.skuId, l.qty])).toEqual([[a.id, 2], [b.id, 1]])
        yield* laptop.cart.setItem({ path: { skuId: a.id }, payload: { qty: 5 } })
        yield* laptop.cart.setItem({ path: { skuId: c.id }, payload: { qty: 1 } })
        const removed = yield* phone.setItem({ path: { skuId: b.id }, payload: { qty: 0 } })
        expect(removed.lines).toEqual([{ skuId: a.id, qty: 5 }, { skuId: c.id, qty: 1 }])
        expect((yield* laptop.cart.removeItem({ path: { skuId: c.id } })).lines).toEqual([{ skuId: a.id, qty: 5 }])
        // Removing what is not there changes nothing.
        expect((yield* laptop.cart.removeItem({ path: { skuId: c.id } })).lines).toEqual([{ skuId: a.id, qty: 5 }])

        const other = yield* freshCart(rohan)
        expect((yield* other.view({ urlParams: { pincode } })).lines).toEqual([])
        yield* other.setItem({ path: { skuId: b.id }, payload: { qty: 1 } })
        expect((yield* view(asha)).lines.map((l) => l.skuId)).toEqual([a.id])

        expect((yield* phone.clear()).lines).toEqual([])
        expect((yield* laptop.cart.view({ urlParams: { pincode } })).lines).toEqual([])
        yield* other.clear()
      }))

    it.effect("refuses an unknown SKU (404), a quantity over 50 (400) and a 51st line (422 CartFull)", () =>
      Effect.gen(function*() {
        const cart = yield* freshCart(asha)
        const unknown = yield* Effect.flip(cart.setItem({ path: { skuId: SkuId.make("sku-nope") }, payload: { qty: 1 } }))
        expect(unknown).toMatchObject({ _tag: "SkuNotFound", skuId: "sku-nope" })
        const { raw } = yield* apiClients
        const token = yield* issueToken(asha)
        const tooMany = yield* raw.execute(HttpClientRequest.put("/v1/cart/items/sku-00001").pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyText(JSON.stringify({ qty: 51 }), "application/json")
        ))
        expect(tooMany.status).toBe(400)

        const skus = yield* skusWithStock(baner, 0, 200)
        for (const sku of skus.slice(0, 50)) yield* cart.setItem({ path: { skuId: sku.id }, payload: { qty: 1 } })
        const full = yield* Effect.flip(cart.setItem({ path: { skuId: skus[50].id }, payload: { qty: 1 } }))
        expect(full).toMatchObject({ _tag: "CartFull", maxLines: 50 })
        // A line already there may still change.
        const raised = yield* cart.setItem({ path: { skuId: skus[0].id }, payload: { qty: 50 } })
        expect(raised.lines).toHaveLength(50)
        expect(raised.lines[0]).toEqual({ skuId: skus[0].id, qty: 50 })
        yield* cart.clear()
      }))

    it.effect("GET needs a pincode (400 naming it) that some open store serves (422 NotServiceable)", () =>
      Effect.gen(function*() {
        const { raw } = yield* apiClients
        const token = yield* issueToken(asha)
        for (const url of ["/v1/cart", "/v1/cart?pincode=abc"]) {
          const response = yield* raw.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(token)))
          expect(response.status).toBe(400)
          expect(yield* response.text).toContain("pincode")
        }
        const far = yield* Effect.flip(Effect.flatMap(cartOf(asha), (c) => c.view({ urlParams: { pincode: Pincode.make("110001") } })))
        expect(far).toMatchObject({ _tag: "NotServiceable", pincode: "110001" })
        const anonymous = yield* Effect.flip(Effect.flatMap(apiClients, (c) => c.anonymous.cart.view({ urlParams: { pincode } })))
        expect(anonymous._tag).toBe("Unauthorized")
      }))

    it.effect("GET shows each line's live price, rule and store; a price change is shown once, up then down", () =>
      Effect.gen(function*() {
        const [a, b] = yield* plainSkus(3, 2)
        const cart = yield* freshCart(asha)
        yield* cart.setItem({ path: { skuId: a.id }, payload: { qty: 2 } })
        yield* cart.setItem({ path: { skuId: b.id }, payload: { qty: 1 } })
        const first = yield* view(asha)
        expect(first.lines[0]).toMatchObject({
          skuId: a.id,
          name: a.name,
          qty: 2,
          storeId: baner,
          unitPrice: a.basePrice,
          lineTotal: a.basePrice * 2,
          inStock: true,
          changes: []
        })
        expect(first.lines[0].pricingContext).toMatchObject({ rule: "base_price", ruleId: null })
        expect(first.lines[0].pricingContext.reason).toEqual(expect.any(String))
        expect(first.lines[0].available).toBeGreaterThanOrEqual(3)
        expect(first.total).toBe(a.basePrice * 2 + b.basePrice)
        expect(first.changed).toBe(false)

        yield* setBasePrice(a, a.basePrice + 500)
        const raised = yield* view(asha)
        expect(raised.lines[0]).toMatchObject({ unitPrice: a.basePrice + 500, changes: [{ kind: "price_up", before: a.basePrice, after: a.basePrice + 500 }] })
        expect(raised.lines[1].changes).toEqual([])
        expect(raised.changed).toBe(true)
        expect(raised.total).toBe((a.basePrice + 500) * 2 + b.basePrice)
        // Seen: the next look has nothing new.
        const again = yield* view(asha)
        expect(again.changed).toBe(false)
        expect(again.lines[0].changes).toEqual([])

        yield* setBasePrice(a, a.basePrice)
        const lowered = yield* view(asha)
        expect(lowered.lines[0].changes).toEqual([{ kind: "price_down", before: a.basePrice + 500, after: a.basePrice }])
        yield* cart.clear()
      }))

    it.effect("GET shows a line out of stock once its stock is taken, and back in stock when it returns", () =>
      Effect.gen(function*() {
        const [sku] = yield* plainSkus(4, 1)
        const cart = yield* freshCart(asha)
        yield* cart.setItem({ path: { skuId: sku.id }, payload: { qty: 2 } })
        expect((yield* view(asha)).lines[0]).toMatchObject({ inStock: true, changes: [] })

        yield* setAvailable(sku.id, 1)
        const short = yield* view(asha)
        expect(short.lines[0]).toMatchObject({ inStock: false, available: 1, changes: [{ kind: "out_of_stock" }] })
        expect((yield* view(asha)).lines[0]).toMatchObject({ inStock: false, changes: [] })

        yield* setAvailable(sku.id, 0)
        expect((yield* view(asha)).lines[0]).toMatchObject({ inStock: false, available: 0, changes: [] })

        yield* setAvailable(sku.id, 6)
        const back = yield* view(asha)
        expect(back.lines[0]).toMatchObject({ inStock: true, storeId: baner, changes: [{ kind: "back_in_stock" }] })
        yield* cart.clear()
      }))
  })
})
