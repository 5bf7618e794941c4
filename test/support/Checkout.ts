import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { SkuId, StoreId } from "@qc/domain/Ids"
import type { OrderView, PlaceOrderRequest } from "@qc/domain/orders/Order"
import { RazorpayStandIn } from "@qc/entities/payments/standin/RazorpayStandIn"
import { issueToken } from "@qc/server/CustomerAuth"
import { Effect } from "effect"
import { expect } from "vitest"
import { eventually } from "./Drive.js"
import { apiClients } from "./Stack.js"

/** A customer's typed API client, as the app would hold it. */
export const customerClient = (customerId: string) =>
  Effect.gen(function*() {
    const token = yield* issueToken(customerId)
    return yield* HttpApiClient.make(Api, {
      transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
    })
  })

export const standIn = RazorpayStandIn

export const place = (customerId: string, idempotencyKey: string, payload: PlaceOrderRequest) =>
  Effect.flatMap(customerClient(customerId), (client) =>
    client.orders.place({ headers: { "idempotency-key": idempotencyKey }, payload }))

/** Waits (bounded, on real I/O) until the order reaches `status`. */
export const awaitStatus = (customerId: string, orderId: string, status: OrderView["status"], tries = 2000) =>
  Effect.flatMap(customerClient(customerId), (client) =>
    eventually(
      Effect.flatMap(client.orders.get({ path: { orderId: orderId as OrderView["orderId"] } }), (view) =>
        Effect.sync(() => {
          expect(view.status).toBe(status)
          return view
        })),
      tries
    ))

export const stock = (storeId: string, skuId: string) =>
  Effect.flatMap(apiClients, ({ anonymous }) =>
    anonymous.stores.snapshot({ path: { storeId: StoreId.make(storeId), skuId: SkuId.make(skuId) } }))

/** SKUs a store carries with at least `min` available (for pincode 411045, Baner is primary). */
export const skusWithStock = (storeId: string, min: number, count: number) =>
  Effect.gen(function*() {
    const { anonymous } = yield* apiClients
    const page = yield* anonymous.stores.skus({ path: { storeId: StoreId.make(storeId) }, urlParams: { limit: 200 } })
    return page.items.filter((i) => i.stock.available >= min).slice(0, count).map((i) => i.sku)
  })
