import { HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { issueToken } from "@qc/server/BearerTokens"
import { Effect, Layer } from "effect"
import { asAdmin, refusedFields, send, withJson } from "../support/RawRequests.js"
import { signIn } from "../support/SignIn.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer, { skuCount: 20 })))

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
const call = (method: Method, path: string, token: string, body?: unknown) => {
  const request = HttpClientRequest.make(method)(path).pipe(HttpClientRequest.bearerToken(token))
  return send(body === undefined ? request : withJson(body)(request))
}
const home = { label: "Home", line1: "12 Baner Road", pincode: "411045", lat: 18.559, lng: 73.7868 }
const delhi = { label: "Parents", line1: "4 Janpath", line2: "Connaught Place", pincode: "110001", lat: 28.6315, lng: 77.2167 }

describe("/v1/me", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    it.effect("a new customer's profile; PATCH changes what is sent and refuses bad values naming the field", () =>
      Effect.gen(function*() {
        const { accessToken, customerId } = yield* signIn("9876544401")
        const profile = yield* call("GET", "/v1/me", accessToken)
        expect(profile.json).toEqual({
          id: customerId,
          phone: "+919876544401",
          name: "",
          email: null,
          language: "en",
          defaultAddressId: null,
          addresses: []
        })
        const bad = [
          [{ name: "" }, "name"],
          [{ name: "x".repeat(101) }, "name"],
          [{ email: "not-an-email" }, "email"],
          [{ language: "fr" }, "language"],
          [{ defaultAddressId: "has spaces" }, "defaultAddressId"]
        ] as const
        for (const [patch, field] of bad) {
          const r = yield* call("PATCH", "/v1/me", accessToken, patch)
          expect(r.status).toBe(400)
          expect(refusedFields(r.json).map((f) => f.field)).toContain(field)
        }
        const patched = yield* call("PATCH", "/v1/me", accessToken, { name: "Kavya Rao", email: "kavya@example.in", language: "hi" })
        expect(patched.json).toMatchObject({ name: "Kavya Rao", email: "kavya@example.in", language: "hi" })
        const cleared = yield* call("PATCH", "/v1/me", accessToken, { email: null })
        expect(cleared.json).toMatchObject({ name: "Kavya Rao", email: null, language: "hi" })
      }))

    it.effect("addresses: saved either way, flagged unserviceable until a store serves the pincode; default set, checked, cleared on delete", () =>
      Effect.gen(function*() {
        const { accessToken } = yield* signIn("9876544402")
        const added = yield* call("POST", "/v1/me/addresses", accessToken, home)
        expect(added.status).toBe(201)
        expect(added.json).toMatchObject({ ...home, line2: null, serviceable: true })
        // The first address saved becomes the default; a second one leaves it.
        const homeId = (added.json as { id: string }).id
        expect((yield* call("GET", "/v1/me", accessToken)).json).toMatchObject({ defaultAddressId: homeId })
        const far = yield* call("POST", "/v1/me/addresses", accessToken, delhi)
        expect(far.status).toBe(201)
        expect(far.json).toMatchObject({ ...delhi, serviceable: false })
        const farId = (far.json as { id: string }).id
        expect((yield* call("GET", "/v1/me", accessToken)).json).toMatchObject({ defaultAddressId: homeId })
        for (const [body, field] of [[{ ...home, lat: 91 }, "lat"], [{ ...home, lng: -181 }, "lng"], [{ ...home, pincode: "41104" }, "pincode"], [{ ...home, label: "" }, "label"]] as const) {
          const r = yield* call("POST", "/v1/me/addresses", accessToken, body)
          expect(r.status).toBe(400)
          expect(refusedFields(r.json).map((f) => f.field)).toContain(field)
        }

        // A store opening for 110001 makes the saved address serviceable when read.
        const opened = yield* send(HttpClientRequest.post("/v1/admin/stores").pipe(asAdmin, withJson({
          id: "delhi-cp", name: "CP", locality: "Connaught Place", region: "pune-west", pincodes: ["110001"], lat: 28.63, lng: 77.21
        })))
        expect(opened.status).toBe(201)
        const list = yield* call("GET", "/v1/me/addresses", accessToken)
        expect((list.json as ReadonlyArray<{ serviceable: boolean }>).map((a) => a.serviceable)).toEqual([true, true])

        const other = yield* signIn("9876544403")
        const notYours = yield* call("PATCH", "/v1/me", other.accessToken, { defaultAddressId: farId })
        expect(notYours.status).toBe(404)
        expect(notYours.json).toEqual({ _tag: "AddressNotFound", addressId: farId, message: `address ${farId} is not one of yours` })
        expect((yield* call("DELETE", `/v1/me/addresses/${farId}`, other.accessToken)).status).toBe(204)

        expect((yield* call("PATCH", "/v1/me", accessToken, { defaultAddressId: farId })).json).toMatchObject({ defaultAddressId: farId })
        expect((yield* call("DELETE", `/v1/me/addresses/${farId}`, accessToken)).status).toBe(204)
        const after = (yield* call("GET", "/v1/me", accessToken)).json as { defaultAddressId: string | null; addresses: ReadonlyArray<unknown> }
        expect(after.defaultAddressId).toBeNull()
        expect(after.addresses).toHaveLength(1)
        expect((yield* call("DELETE", `/v1/me/addresses/${farId}`, accessToken)).status).toBe(204)
      }))

    it.effect("the cart is priced for the default address when no pincode is given; with no address, 400 naming pincode", () =>
      Effect.gen(function*() {
        const { accessToken } = yield* signIn("9876544406")
        const [sku] = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql<{ sku_id: string }>`SELECT sku_id FROM store_skus WHERE store_id = 'pune-baner' AND on_hand - reserved >= 2 ORDER BY sku_id LIMIT 1`)
        expect((yield* call("PUT", `/v1/cart/items/${sku.sku_id}`, accessToken, { qty: 1 })).status).toBe(200)
        const noAddress = yield* call("GET", "/v1/cart", accessToken)
        expect(noAddress.status).toBe(400)
        expect(JSON.stringify(noAddress.json)).toContain("pincode")
        const checkoutNoAddress = yield* send(HttpClientRequest.post("/v1/cart/checkout").pipe(
          HttpClientRequest.bearerToken(accessToken), HttpClientRequest.setHeader("idempotency-key", "no-address"), withJson({})))
        expect(checkoutNoAddress.status).toBe(400)

        expect((yield* call("POST", "/v1/me/addresses", accessToken, home)).status).toBe(201)
        const priced = yield* call("GET", "/v1/cart", accessToken)
        expect(priced.status).toBe(200)
        expect(priced.json).toMatchObject({ pincode: "411045", lines: [{ skuId: sku.sku_id, qty: 1, inStock: true }] })
        const placed = yield* send(HttpClientRequest.post("/v1/cart/checkout").pipe(
          HttpClientRequest.bearerToken(accessToken), HttpClientRequest.setHeader("idempotency-key", "default-address"), withJson({})))
        expect(placed.status).toBe(201)
        expect(placed.json).toMatchObject({ status: "AWAITING_PAYMENT", lines: [{ skuId: sku.sku_id, qty: 1 }] })
      }))

    it.effect("at most 20 addresses, also when saved at once: the 21st is 422 naming the limit; after a delete one fits again", () =>
      Effect.gen(function*() {
        const { accessToken } = yield* signIn("9876544409")
        const saves = yield* Effect.forEach(
          Array.from({ length: 24 }, (_, i) => ({ ...home, label: `Flat ${i + 1}` })),
          (address) => call("POST", "/v1/me/addresses", accessToken, address),
          { concurrency: 8 }
        )
        expect(saves.filter((r) => r.status === 201)).toHaveLength(20)
        const refused = saves.filter((r) => r.status !== 201)
        expect(refused.map((r) => r.status)).toEqual([422, 422, 422, 422])
        expect(refused[0].json).toMatchObject({ _tag: "AddressLimitReached", maxAddresses: 20 })
        const list = (yield* call("GET", "/v1/me/addresses", accessToken)).json as Array<{ id: string }>
        expect(list).toHaveLength(20)
        expect((yield* call("DELETE", `/v1/me/addresses/${list[0].id}`, accessToken)).status).toBe(204)
        expect((yield* call("POST", "/v1/me/addresses", accessToken, delhi)).status).toBe(201)
      }))

    it.effect("devices: upsert by device id; a token registered elsewhere moves here; delete is idempotent", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const asha = yield* signIn("9876544404")
        const ravi = yield* signIn("9876544405")
        const put = (token: string, deviceId: string, fcmToken: string, platform = "android") =>
          call("PUT", `/v1/me/devices/${deviceId}`, token, { fcmToken, platform })
        const rows = sql<{ customer_id: string; device_id: string; fcm_token: string; platform: string }>`SELECT customer_id, device_id,
          fcm_token, platform FROM customer_devices WHERE customer_id IN (${asha.customerId}, ${ravi.customerId}) ORDER BY device_id`

        const registered = yield* put(asha.accessToken, "pixel-7", "fcm-token-1")
        expect(registered.status).toBe(200)
        expect(registered.json).toMatchObject({ deviceId: "pixel-7", platform: "android" })
        expect(registered.text).not.toContain("fcm-token-1")
        expect((yield* put(asha.accessToken, "pixel-7", "fcm-token-2")).status).toBe(200)
        expect((yield* put(asha.accessToken, "browser", "fcm-token-3", "web")).status).toBe(200)
        expect(yield* rows).toEqual([
          { customer_id: asha.customerId, device_id: "browser", fcm_token: "fcm-token-3", platform: "web" },
          { customer_id: asha.customerId, device_id: "pixel-7", fcm_token: "fcm-token-2", platform: "android" }
        ])
        // The phone changed hands: Ravi signs in on it and registers the same FCM token.
        expect((yield* put(ravi.accessToken, "pixel-7b", "fcm-token-2")).status).toBe(200)
        expect(yield* rows).toEqual([
          { customer_id: asha.customerId, device_id: "browser", fcm_token: "fcm-token-3", platform: "web" },
          { customer_id: ravi.customerId, device_id: "pixel-7b", fcm_token: "fcm-token-2", platform: "android" }
        ])
        // The same token under another device id of the same customer moves too.
        expect((yield* put(asha.accessToken, "browser-2", "fcm-token-3", "web")).status).toBe(200)
        const listed = (yield* call("GET", "/v1/me/devices", asha.accessToken)).json as ReadonlyArray<{ deviceId: string }>
        expect(listed.map((d) => d.deviceId)).toEqual(["browser-2"])
        expect((yield* put(asha.accessToken, "x", "t", "blackberry")).status).toBe(400)
        expect((yield* call("DELETE", "/v1/me/devices/browser-2", asha.accessToken)).status).toBe(204)
        expect((yield* call("DELETE", "/v1/me/devices/browser-2", asha.accessToken)).status).toBe(204)
        expect((yield* call("GET", "/v1/me/devices", asha.accessToken)).json).toEqual([])
      }))

    it.effect("staff and rider tokens: 403 on every /v1/me endpoint and on logout-all; no token: 401", () =>
      Effect.gen(function*() {
        const picker = yield* issueToken("pune-baner-picker-1", { role: "picker", storeId: "pune-baner" })
        const rider = yield* issueToken("rider-1", { role: "rider" })
        const calls: ReadonlyArray<readonly [Method, string, unknown?]> = [
          ["GET", "/v1/me"],
          ["PATCH", "/v1/me", { name: "x" }],
          ["GET", "/v1/me/addresses"],
          ["POST", "/v1/me/addresses", home],
          ["DELETE", "/v1/me/addresses/adr_x"],
          ["GET", "/v1/me/devices"],
          ["PUT", "/v1/me/devices/d1", { fcmToken: "t", platform: "ios" }],
          ["DELETE", "/v1/me/devices/d1"],
          ["POST", "/v1/auth/logout-all"]
        ]
        for (const [method, path, body] of calls) {
          expect([path, (yield* call(method, path, picker, body)).status]).toEqual([path, 403])
          expect([path, (yield* call(method, path, rider, body)).status]).toEqual([path, 403])
          const anonymous = HttpClientRequest.make(method)(path)
          expect([path, (yield* send(body === undefined ? anonymous : withJson(body)(anonymous))).status]).toEqual([path, 401])
        }
      }))
  })
})
