import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { ReceiptId, SkuId, StoreId } from "@qc/domain/Ids"
import { Clock, DateTime, Effect, Layer } from "effect"
import { createHmac } from "node:crypto"
import { customerClient, skusWithStock, stock } from "../support/Checkout.js"
import { asAdmin, refusedFields, send, withJson } from "../support/RawRequests.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))
const baner = StoreId.make("pune-baner")
const pincode = Pincode.make("411045")

/** What Postgres cannot store as text: a NUL, a lone high surrogate, a lone low surrogate. */
const unstorable = ["a\u0000b", "\ud800x", "x\udc00"]

/** How the value shows inside a JSON answer, to check that none is echoed back. */
const asJsonText = (value: string) => JSON.stringify(value).slice(1, -1)

const receiptsOf = (skuId: string) => `/v1/admin/stores/${baner}/skus/${skuId}/receipts`

const receipt = (n: string, over: Record<string, unknown>) => ({
  receiptId: `edge-${n}`,
  qty: 1,
  lot: "LOT-EDGE",
  bestBefore: "2030-01-01T00:00:00Z",
  ...over
})

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** An HS256 token for cust-demo-1 signed with the test stack's secret, with the claims the test wants. */
const tokenWith = (claims: { readonly iat?: number; readonly exp?: number }) => {
  const unsigned = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({ sub: "cust-demo-1", ...claims })}`
  return `${unsigned}.${createHmac("sha256", "test-auth-secret").update(unsigned).digest("base64url")}`
}

describe("edge validation over HTTP", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("a receipt whose lot Postgres cannot store is a 400 naming lot, echoing nothing; the store-SKU keeps answering", () =>
      Effect.gen(function*() {
        const [sku] = yield* skusWithStock(baner, 1, 1)
        const before = yield* stock(baner, sku.id)
        for (const [i, lot] of unstorable.entries()) {
          const refused = yield* send(HttpClientRequest.post(receiptsOf(sku.id)).pipe(asAdmin, withJson(receipt(`poison-${i}`, { lot }))))
          expect(refused.status).toBe(400)
          expect(refusedFields(refused.json)).toEqual([{ field: "lot", message: "must not contain NUL (U+0000) or unpaired surrogate characters" }])
          expect(refused.text).not.toContain(asJsonText(lot))
        }
        const long = yield* send(HttpClientRequest.post(receiptsOf(sku.id)).pipe(asAdmin, withJson(receipt("long", { lot: "L".repeat(10_000) }))))
        expect(long.status).toBe(400)
        expect(long.text).not.toContain("L".repeat(100))
        const { admin } = yield* apiClients
        const entry = yield* admin.stockAdmin.receive({
          path: { storeId: baner, skuId: sku.id },
          payload: { receiptId: ReceiptId.make("edge-clean"), qty: 2, lot: "LOT-CLEAN", bestBefore: DateTime.unsafeMake("2030-01-01T00:00:00Z") }
        })
        expect(entry).toMatchObject({ kind: "receive", onHandDelta: 2 })
        expect((yield* stock(baner, sku.id)).onHand).toBe(before.onHand + 2)
      }))

    it.effect("dates: only ISO 8601 with a zone, in 2000–2100, on a real calendar day; an offset is kept as its instant", () =>
      Effect.gen(function*() {
        const [sku] = yield* skusWithStock(baner, 1, 1)
        const refusedDates = [
          "5",
          "2030-01-01",
          "2030-01-01T00:00:00",
          "2030-02-30T00:00:00Z",
          "2030-01-01T24:00:00Z",
          "1999-12-31T23:59:59Z",
          "2101-01-01T00:00:00Z",
          "+275760-09-13T00:00:00Z",
          "2030-01-01T00:00:00+99:00"
        ]
        for (const [i, bestBefore] of refusedDates.entries()) {
          const refused = yield* send(HttpClientRequest.post(receiptsOf(sku.id)).pipe(asAdmin, withJson(receipt(`date-${i}`, { bestBefore }))))
          expect([bestBefore, refused.status]).toEqual([bestBefore, 400])
          expect(refusedFields(refused.json).map((f) => f.field)).toEqual(["bestBefore"])
        }
        const notAString = yield* send(HttpClientRequest.post(receiptsOf(sku.id)).pipe(asAdmin, withJson(receipt("date-n", { bestBefore: 5 }))))
        expect(notAString.status).toBe(400)
        const accepted = yield* send(
          HttpClientRequest.post(receiptsOf(sku.id)).pipe(asAdmin, withJson(receipt("date-ok", { lot: "LOT-IST", bestBefore: "2030-06-01T10:00:00+05:30" })))
        )
        expect(accepted.status).toBe(201)
        const batch = (yield* stock(baner, sku.id)).batches.find((b) => b.lot === "LOT-IST")
        expect(batch && DateTime.formatIso(batch.bestBefore)).toBe("2030-06-01T04:30:00.000Z")

        const explain = (at: string) =>
          send(HttpClientRequest.get(`/v1/admin/prices/${baner}/${sku.id}`).pipe(asAdmin, HttpClientRequest.setUrlParam("at", at)))
        const farFuture = yield* explain("+275760-09-13T00:00:00Z")
        expect(farFuture.status).toBe(400)
        expect(new Set(refusedFields(farFuture.json).map((f) => f.field))).toEqual(new Set(["at"]))
        expect((yield* explain("2030-01-01T00:00:00Z")).status).toBe(200)
      }))

    it.effect("a catalogue edit with text Postgres cannot store, or a price under ₹1, is a 400 naming the field; the SKU is unchanged", () =>
      Effect.gen(function*() {
        const [sku] = yield* skusWithStock(baner, 1, 1)
        const upsert = (over: Record<string, unknown>) =>
          send(HttpClientRequest.put(`/v1/admin/catalog/skus/${sku.id}`).pipe(
            asAdmin,
            withJson({ name: sku.name, aliases: [], category: sku.category, unit: sku.unit, brand: sku.brand, basePrice: sku.basePrice, ...over })
          ))
        const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
          [{ name: "Milk\u0000" }, "name"],
          [{ brand: "\ud800" }, "brand"],
          [{ unit: "1\udc00kg" }, "unit"],
          [{ aliases: ["doodh", "a\u0000"] }, "aliases.1"],
          [{ basePrice: 50 }, "basePrice"],
          [{ basePrice: 3_000_000_000 }, "basePrice"]
        ]
        for (const [over, field] of cases) {
          const refused = yield* upsert(over)
          expect([field, refused.status]).toEqual([field, 400])
          expect(refusedFields(refused.json).map((f) => f.field)).toEqual([field])
        }
        const { anonymous } = yield* apiClients
        const product = yield* anonymous.catalog.product({ path: { skuId: sku.id }, urlParams: { pincode } })
        expect(product.name).toBe(sku.name)
      }))

    it.effect("query parameters and headers: a cursor with a NUL (the fuzzer's 500) or not an order id, q with a NUL, a long key: 400", () =>
      Effect.gen(function*() {
        const client = yield* customerClient("cust-demo-1")
        const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const asCustomer = HttpClientRequest.bearerToken(tokenWith({ iat: now, exp: now + 3600 }))
        for (const cursor of ["sku-00100%00", "sku-00100", "ord_%00"]) {
          const refused = yield* send(HttpClientRequest.get(`/v1/orders?cursor=${cursor}`).pipe(asCustomer))
          expect([cursor, refused.status]).toEqual([cursor, 400])
          expect(new Set(refusedFields(refused.json).map((f) => f.field))).toEqual(new Set(["cursor"]))
        }
        expect((yield* client.orders.list({ urlParams: { limit: 5 } })).items).toEqual([])
        const paths = [
          "/v1/search?q=mil%00k&pincode=411045",
          "/v1/catalog?pincode=411045&cursor=%00",
          `/v1/stores/${baner}/skus?cursor=sku-00001%00`,
          "/v1/catalog?pincode=41104%00"
        ]
        for (const path of paths) {
          const refused = yield* send(HttpClientRequest.get(path))
          expect([path, refused.status]).toEqual([path, 400])
        }
        const longKey = yield* send(HttpClientRequest.post("/v1/orders").pipe(
          asCustomer,
          HttpClientRequest.setHeader("idempotency-key", "k".repeat(129)),
          withJson({ pincode: "411045", items: [{ skuId: "sku-00001", qty: 1 }] })
        ))
        expect(longKey.status).toBe(400)
        expect(refusedFields(longKey.json).map((f) => f.field)).toEqual(["idempotency-key"])
      }))

    it.effect("bearer tokens: without exp, or with exp more than 24 h ahead, are 401; one of ours works", () =>
      Effect.gen(function*() {
        const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const ordersWith = (token: string) => send(HttpClientRequest.get("/v1/orders").pipe(HttpClientRequest.bearerToken(token)))
        const noExp = yield* ordersWith(tokenWith({ iat: now }))
        expect(noExp).toMatchObject({ status: 401, json: { _tag: "Unauthorized", message: "bearer token has no expiry (exp)" } })
        const tooLong = yield* ordersWith(tokenWith({ iat: now, exp: now + 48 * 3600 }))
        expect(tooLong).toMatchObject({ status: 401, json: { _tag: "Unauthorized" } })
        expect(tooLong.text).toContain("lives longer than")
        const expired = yield* ordersWith(tokenWith({ iat: now - 7200, exp: now - 3600 }))
        expect(expired).toMatchObject({ status: 401, json: { message: "bearer token expired" } })
        expect((yield* ordersWith(tokenWith({ iat: now, exp: now + 23 * 3600 }))).status).toBe(200)
        const ours = yield* customerClient("cust-demo-2")
        expect((yield* ours.orders.list({ urlParams: {} })).items).toEqual([])
      }))

    it.effect("the OpenAPI document still generates, and says what a date input must look like", () =>
      Effect.gen(function*() {
        const openapi = yield* send(HttpClientRequest.get("/openapi.json"))
        expect(openapi.status).toBe(200)
        expect(openapi.text).toContain("/v1/webhooks/vendor-promotions")
        expect(openapi.text).toContain("ISO 8601 date-time with a zone (Z or ±hh:mm), years 2000–2100")
        expect(openapi.text).toContain("UnknownPromotionTargets")
        expect(SkuId.make("sku-00001")).toBe("sku-00001")
      }))
  })
})
