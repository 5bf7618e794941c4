import { HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { issueToken } from "@qc/server/BearerTokens"
import { Effect, Layer } from "effect"
import { send, withJson } from "../support/RawRequests.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/**
 * Who may call what, over HTTP on the whole server: 401 without a (valid) token, 403 for a valid
 * token of another role or store. Every endpoint of the store, dashboard, rider and loyalty
 * groups is listed, so an endpoint added without its middleware shows up here.
 */

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer, { skuCount: 50 })))

type Method = "GET" | "POST" | "PUT" | "PATCH"
interface Call {
  readonly method: Method
  readonly path: string
  readonly body?: unknown
}

const orderId = "ord_pune-west_aaaaaaaaaaaaaaaaaaaa"
const baner = "pune-baner"
const aundh = "pune-aundh"

const storeOps = (store: string): ReadonlyArray<Call> => [
  { method: "GET", path: `/v1/ops/stores/${store}/queue` },
  { method: "POST", path: `/v1/ops/stores/${store}/orders/${orderId}/claim` },
  { method: "PUT", path: `/v1/ops/stores/${store}/orders/${orderId}/lines/1/picked`, body: { picked: 1 } },
  { method: "POST", path: `/v1/ops/stores/${store}/orders/${orderId}/packed`, body: { lines: [] } },
  { method: "PUT", path: `/v1/ops/stores/${store}/shift`, body: { onShift: true } }
]
const dashboard = (store: string): Call => ({ method: "GET", path: `/v1/ops/stores/${store}/dashboard` })
const staffCalls = (store: string) => [...storeOps(store), dashboard(store)]

const riderCalls: ReadonlyArray<Call> = [
  { method: "PUT", path: "/v1/rider/status", body: { online: true, lat: 18.559, lng: 73.7868 } },
  { method: "GET", path: "/v1/rider/jobs" },
  { method: "POST", path: `/v1/rider/orders/${orderId}/picked-up` },
  { method: "POST", path: `/v1/rider/orders/${orderId}/delivered` }
]

const customerCalls: ReadonlyArray<Call> = [
  { method: "GET", path: "/v1/orders" },
  { method: "POST", path: "/v1/orders", body: { pincode: "411045", items: [{ skuId: "sku-00001", qty: 1 }] } },
  { method: "GET", path: "/v1/me/loyalty" }
]

const adminCalls: ReadonlyArray<Call> = [
  {
    method: "POST",
    path: "/v1/admin/stores",
    body: { id: "pune-test", name: "Test", locality: "Test", region: "pune-west", pincodes: ["411045"], lat: 18.5, lng: 73.8 }
  },
  { method: "PATCH", path: `/v1/admin/stores/${baner}`, body: { accepting: true } },
  { method: "POST", path: `/v1/admin/orders/${orderId}/cancel` },
  { method: "POST", path: `/v1/admin/orders/${orderId}/undeliverable`, body: { reason: "no one home", stock: "restock" } }
]

const call = (c: Call, headers: Record<string, string>) => {
  const request = HttpClientRequest.make(c.method)(c.path).pipe(
    HttpClientRequest.setHeaders({ "idempotency-key": "roles-test", ...headers })
  )
  return send(c.body === undefined ? request : withJson(c.body)(request))
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Each call's `METHOD path → status _tag`, so a failure names the endpoint; the token never appears in a body. */
const answers = (calls: ReadonlyArray<Call>, headers: Record<string, string>) =>
  Effect.forEach(calls, (c) =>
    Effect.map(call(c, headers), (r) => {
      for (const value of Object.values(headers)) expect(r.text).not.toContain(value.replace("Bearer ", ""))
      const tag = typeof r.json === "object" && r.json !== null && "_tag" in r.json ? String(r.json._tag) : ""
      return `${c.method} ${c.path} → ${r.status} ${tag}`
    }))

const expected = (calls: ReadonlyArray<Call>, status: number, tag: string) => calls.map((c) => `${c.method} ${c.path} → ${status} ${tag}`)

const tokens = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // The riders branch seeds demo riders; this one is the test's own.
  yield* Effect.orDie(sql`INSERT INTO riders (id, name, phone, home_store_id, region, lat, lng, updated_at)
    VALUES ('rider-roles-test', 'Imran Shaikh', '+919811100099', 'pune-baner', 'pune-west', 18.559, 73.7868, now())
    ON CONFLICT (id) DO NOTHING`)
  return {
    customer: yield* issueToken("cust-demo-1"),
    picker: yield* issueToken(`${baner}-picker-1`, { role: "picker", storeId: baner }),
    manager: yield* issueToken(`${baner}-manager`, { role: "store_manager", storeId: baner }),
    strangerPicker: yield* issueToken(`${baner}-picker-9`, { role: "picker", storeId: baner }),
    rider: yield* issueToken("rider-roles-test", { role: "rider" }),
    strangerRider: yield* issueToken("rider-nobody", { role: "rider" })
  }
})

describe("roles at the HTTP edge", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    it.effect("no token, or a token that is not ours: 401 on every staff, rider and customer endpoint", () =>
      Effect.gen(function*() {
        const { strangerPicker, strangerRider } = yield* tokens
        const all = [...staffCalls(baner), ...riderCalls, ...customerCalls]
        expect(yield* answers(all, {})).toEqual(expected(all, 401, "Unauthorized"))
        expect(yield* answers(all, bearer("not.a.token"))).toEqual(expected(all, 401, "Unauthorized"))
        // Well signed, but no such staff member or rider.
        expect(yield* answers(staffCalls(baner), bearer(strangerPicker))).toEqual(expected(staffCalls(baner), 401, "Unauthorized"))
        expect(yield* answers(riderCalls, bearer(strangerRider))).toEqual(expected(riderCalls, 401, "Unauthorized"))
      }))

    it.effect("a valid token of another role: 403 (customer, rider → staff; customer, staff → rider; staff, rider → customer)", () =>
      Effect.gen(function*() {
        const t = yield* tokens
        const staff = staffCalls(baner)
        expect(yield* answers(staff, bearer(t.customer))).toEqual(expected(staff, 403, "Forbidden"))
        expect(yield* answers(staff, bearer(t.rider))).toEqual(expected(staff, 403, "Forbidden"))
        expect(yield* answers(riderCalls, bearer(t.customer))).toEqual(expected(riderCalls, 403, "Forbidden"))
        expect(yield* answers(riderCalls, bearer(t.picker))).toEqual(expected(riderCalls, 403, "Forbidden"))
        expect(yield* answers(riderCalls, bearer(t.manager))).toEqual(expected(riderCalls, 403, "Forbidden"))
        expect(yield* answers(customerCalls, bearer(t.picker))).toEqual(expected(customerCalls, 403, "Forbidden"))
        expect(yield* answers(customerCalls, bearer(t.manager))).toEqual(expected(customerCalls, 403, "Forbidden"))
        expect(yield* answers(customerCalls, bearer(t.rider))).toEqual(expected(customerCalls, 403, "Forbidden"))
        const refused = yield* call({ method: "GET", path: "/v1/me/loyalty" }, bearer(t.picker))
        expect(refused.json).toEqual({ _tag: "Forbidden", message: "these endpoints are for customers; this is a picker's token" })
      }))

    it.effect("the right role gets past authentication (whatever the handler then answers)", () =>
      Effect.gen(function*() {
        const t = yield* tokens
        const passed = (calls: ReadonlyArray<Call>, token: string) =>
          Effect.forEach(calls, (c) => Effect.map(call(c, bearer(token)), (r) => [c.path, [401, 403].includes(r.status)] as const))
        const none = (calls: ReadonlyArray<Call>) => calls.map((c) => [c.path, false] as const)
        expect(yield* passed(storeOps(baner), t.picker)).toEqual(none(storeOps(baner)))
        expect(yield* passed([dashboard(baner)], t.manager)).toEqual(none([dashboard(baner)]))
        expect(yield* passed(riderCalls, t.rider)).toEqual(none(riderCalls))
        expect(yield* passed([{ method: "GET", path: "/v1/orders" }, { method: "GET", path: "/v1/me/loyalty" }], t.customer))
          .toEqual(none([{ method: "GET", path: "/v1/orders" }, { method: "GET", path: "/v1/me/loyalty" }]))
      }))

    // Needs the lead's handlers: the middleware knows the token's store, only the handler knows the
    // path's (`requireStore` / `requireManager` in StaffAccess.ts). With the stubs these answer 500.
    it.effect("[handlers] staff of pune-baner on pune-aundh's endpoints: 403 naming their store", () =>
      Effect.gen(function*() {
        const t = yield* tokens
        const other = staffCalls(aundh)
        expect(yield* answers(other, bearer(t.picker))).toEqual(expected(other, 403, "Forbidden"))
        expect(yield* answers(other, bearer(t.manager))).toEqual(expected(other, 403, "Forbidden"))
        const refused = yield* call(dashboard(aundh), bearer(t.manager))
        expect(refused.json).toEqual({ _tag: "Forbidden", message: `this token is for store ${baner}` })
      }))

    it.effect("store admin: 401 without x-admin-key, with a wrong one, or with only a bearer token", () =>
      Effect.gen(function*() {
        const t = yield* tokens
        expect(yield* answers(adminCalls, {})).toEqual(expected(adminCalls, 401, "Unauthorized"))
        expect(yield* answers(adminCalls, { "x-admin-key": "not-the-key" })).toEqual(expected(adminCalls, 401, "Unauthorized"))
        expect(yield* answers(adminCalls, bearer(t.manager))).toEqual(expected(adminCalls, 401, "Unauthorized"))
      }))
  })
})
