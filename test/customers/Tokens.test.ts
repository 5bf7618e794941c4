import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { issueToken } from "@qc/server/BearerTokens"
import { Effect, Layer, TestClock } from "effect"
import { send, withJson } from "../support/RawRequests.js"
import { signIn } from "../support/SignIn.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

// A TestClock that does not move: everything below happens in the same second, the worst case for `iat`.
const StackLive = Layer.unwrapScoped(Effect.gen(function*() {
  yield* TestClock.adjust(1)
  const db = yield* makeTestDatabase
  return stackLayer(db.layer, { skuCount: 20 })
}))

const post = (path: string, body: unknown) => send(HttpClientRequest.post(path).pipe(withJson(body)))
const refresh = (refreshToken: string) => post("/v1/auth/refresh", { refreshToken })
const me = (accessToken: string) => send(HttpClientRequest.get("/v1/me").pipe(HttpClientRequest.bearerToken(accessToken)))
const logoutAll = (accessToken: string) => send(HttpClientRequest.post("/v1/auth/logout-all").pipe(HttpClientRequest.bearerToken(accessToken)))
const refreshRefused = { _tag: "Unauthorized", message: "refresh token is not valid; sign in again" }
const tokensOf = (json: unknown) => json as { accessToken: string; refreshToken: string; customerId: string; expiresIn: number }

describe("access and refresh tokens", () => {
  layer(StackLive, { timeout: "120 seconds" })((it) => {
    it.effect("refresh rotates: a new pair each time, the old refresh token spent", () =>
      Effect.gen(function*() {
        const first = yield* signIn("9876533301")
        const rotated = yield* refresh(first.refreshToken)
        expect(rotated.status).toBe(200)
        const next = tokensOf(rotated.json)
        expect(next).toMatchObject({ customerId: first.customerId, expiresIn: 3600 })
        expect(next.refreshToken).not.toBe(first.refreshToken)
        expect((yield* me(next.accessToken)).status).toBe(200)
        const again = tokensOf((yield* refresh(next.refreshToken)).json)
        expect((yield* me(again.accessToken)).status).toBe(200)
        expect((yield* refresh("not-a-token")).json).toEqual(refreshRefused)
      }))

    it.effect("reusing a rotated refresh token: 401, and every refresh token of the customer is revoked (theft)", () =>
      Effect.gen(function*() {
        const stolen = yield* signIn("9876533302")
        const other = yield* signIn("9876533302")
        const legit = tokensOf((yield* refresh(stolen.refreshToken)).json)
        const reuse = yield* refresh(stolen.refreshToken)
        expect({ status: reuse.status, json: reuse.json }).toEqual({ status: 401, json: refreshRefused })
        expect((yield* refresh(legit.refreshToken)).status).toBe(401)
        expect((yield* refresh(other.refreshToken)).status).toBe(401)
        // A new sign-in works.
        const again = yield* signIn("9876533302")
        expect((yield* refresh(again.refreshToken)).status).toBe(200)
      }))

    it.effect("logout revokes that refresh token only (204, whatever was sent)", () =>
      Effect.gen(function*() {
        const a = yield* signIn("9876533303")
        const b = yield* signIn("9876533303")
        expect((yield* post("/v1/auth/logout", { refreshToken: a.refreshToken })).status).toBe(204)
        expect((yield* post("/v1/auth/logout", { refreshToken: a.refreshToken })).status).toBe(204)
        expect((yield* post("/v1/auth/logout", { refreshToken: "nonsense" })).status).toBe(204)
        expect((yield* refresh(a.refreshToken)).status).toBe(401)
        expect((yield* refresh(b.refreshToken)).status).toBe(200)
      }))

    it.effect("logout-all: every refresh token and every access token issued before it fail; a sign-in in the same second works", () =>
      Effect.gen(function*() {
        const phone = yield* signIn("9876533304")
        const laptop = yield* signIn("9876533304")
        const refreshed = tokensOf((yield* refresh(laptop.refreshToken)).json)
        expect((yield* me(phone.accessToken)).status).toBe(200)
        expect((yield* logoutAll(phone.accessToken)).status).toBe(204)
        for (const token of [phone.accessToken, laptop.accessToken, refreshed.accessToken]) {
          const r = yield* me(token)
          expect({ status: r.status, json: r.json }).toEqual({ status: 401, json: { _tag: "Unauthorized", message: "signed out; sign in again" } })
        }
        for (const token of [phone.refreshToken, refreshed.refreshToken]) expect((yield* refresh(token)).status).toBe(401)
        const back = yield* signIn("9876533304")
        expect((yield* me(back.accessToken)).status).toBe(200)
        expect((yield* refresh(back.refreshToken)).status).toBe(200)
        expect((yield* logoutAll("not.a.token")).status).toBe(401)
      }))

    it.effect("a demo token without a version claim works until the customer signs out everywhere", () =>
      Effect.gen(function*() {
        const demo = yield* issueToken("cust-demo-2")
        expect((yield* me(demo)).status).toBe(200)
        expect((yield* logoutAll(demo)).status).toBe(204)
        expect((yield* me(demo)).status).toBe(401)
        expect((yield* me(yield* issueToken("cust-demo-2"))).status).toBe(401)
        const signedIn = yield* signIn("+919800000002")
        expect(signedIn.customerId).toBe("cust-demo-2")
        expect((yield* me(signedIn.accessToken)).status).toBe(200)
        // Other demo customers are untouched.
        expect((yield* me(yield* issueToken("cust-demo-3"))).status).toBe(200)
      }))

    it.effect("an access token lasts an hour", () =>
      Effect.gen(function*() {
        const { accessToken } = yield* signIn("9876533305")
        const [, payload] = accessToken.split(".")
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iat: number; exp: number; tv: number }
        expect(claims.exp - claims.iat).toBe(3600)
        expect(claims.tv).toBe(0)
      }))
  })
})
