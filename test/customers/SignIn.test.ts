import { HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { send, withJson } from "../support/RawRequests.js"
import { lastOtp } from "../support/SignIn.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

// Under the TestClock from the start: codes expire by it (the cluster needs one tick first).
const StackLive = Layer.unwrapScoped(Effect.gen(function*() {
  yield* TestClock.adjust(1)
  const db = yield* makeTestDatabase
  return stackLayer(db.layer, { skuCount: 20 })
}))

const post = (path: string, body: unknown) => send(HttpClientRequest.post(path).pipe(withJson(body)))
const askCode = (phone: string, language?: "en" | "hi") => post("/v1/auth/otp", language === undefined ? { phone } : { phone, language })
const verify = (phone: string, code: string) => post("/v1/auth/verify", { phone, code })
const refused = { status: 401, json: { _tag: "Unauthorized", message: "code is wrong or has expired; ask for a new one" } }
const statusAndBody = (r: { status: number; json: unknown }) => ({ status: r.status, json: r.json })
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0")

const customerCount = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM customers`).pipe(
  Effect.map((rows) => rows[0].n),
  Effect.orDie
)

describe("sign-in by phone (TestClock)", () => {
  layer(StackLive, { timeout: "120 seconds" })((it) => {
    it.effect("the first verify creates the customer (name empty, language of the request); the second signs the same one in", () =>
      Effect.gen(function*() {
        const before = yield* customerCount
        expect(statusAndBody(yield* askCode("9876500001", "hi"))).toEqual({ status: 202, json: { expiresInSeconds: 300, resendAfterSeconds: 0 } })
        const first = yield* verify("+919876500001", yield* lastOtp("9876500001"))
        expect(first.status).toBe(200)
        expect(first.json).toMatchObject({ expiresIn: 3600, isNew: true })
        const signedIn = first.json as { customerId: string; accessToken: string; refreshToken: string }
        expect(signedIn.customerId).toMatch(/^cus_[0-9a-z]{20}$/)
        expect(Buffer.from(signedIn.refreshToken, "base64url").length).toBeGreaterThanOrEqual(32)
        expect(yield* customerCount).toBe(before + 1)

        yield* askCode("919876500001")
        const second = yield* verify("9876500001", yield* lastOtp("9876500001"))
        expect(second.json).toMatchObject({ customerId: signedIn.customerId, isNew: false })
        expect(yield* customerCount).toBe(before + 1)

        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ name: string; language: string; phone: string }>`SELECT name, language, phone FROM customers WHERE id = ${signedIn.customerId}`
        expect(row).toEqual({ name: "", language: "hi", phone: "+919876500001" })
        const [sms] = yield* sql<{ body: string }>`SELECT body FROM local_messages WHERE recipient = '+919876500001' ORDER BY id LIMIT 1`
        expect(sms.body).toContain("कोड")
      }))

    it.effect("the code is stored only as a hash; a code works once; a new request replaces the previous code", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* askCode("9876500002")
        const code = yield* lastOtp("9876500002")
        const rows = yield* sql`SELECT * FROM otp_codes WHERE phone = '+919876500002'`
        expect(rows).toHaveLength(1)
        expect(JSON.stringify(rows)).not.toContain(code)
        expect(rows[0].code_hash).toMatch(/^[0-9a-f]{64}$/)

        yield* askCode("9876500002")
        const newer = yield* lastOtp("9876500002")
        if (newer !== code) expect(statusAndBody(yield* verify("9876500002", code))).toEqual(refused)
        expect((yield* verify("9876500002", newer)).status).toBe(200)
        expect(statusAndBody(yield* verify("9876500002", newer))).toEqual(refused)
        expect(yield* sql`SELECT 1 FROM otp_codes WHERE phone = '+919876500002'`).toHaveLength(0)
      }))

    it.effect("a code works at 4:59 and is refused at 5:00, with the same answer as a wrong or absent code", () =>
      Effect.gen(function*() {
        // Two phones asked at the same instant, so one 5-minute wait covers both (big clock jumps are slow with the cluster running).
        yield* askCode("9876500003")
        yield* askCode("9876500013")
        yield* TestClock.adjust("299 seconds")
        expect((yield* verify("9876500003", yield* lastOtp("9876500003"))).status).toBe(200)
        yield* TestClock.adjust("1 second")
        expect(statusAndBody(yield* verify("9876500013", yield* lastOtp("9876500013")))).toEqual(refused)
        expect(statusAndBody(yield* verify("9876500099", "123456"))).toEqual(refused)
      }))

    it.effect("four wrong tries leave the code working; the fifth burns it, and the right code then fails", () =>
      Effect.gen(function*() {
        yield* askCode("9876500004")
        let code = yield* lastOtp("9876500004")
        for (let i = 0; i < 4; i++) expect(statusAndBody(yield* verify("9876500004", wrongCode(code)))).toEqual(refused)
        expect((yield* verify("9876500004", code)).status).toBe(200)

        yield* askCode("9876500004")
        code = yield* lastOtp("9876500004")
        // Not six digits counts as a wrong try too, and is answered the same (never a 400 echoing it).
        expect(statusAndBody(yield* verify("9876500004", "abc"))).toEqual(refused)
        for (let i = 0; i < 4; i++) expect(statusAndBody(yield* verify("9876500004", wrongCode(code)))).toEqual(refused)
        expect(statusAndBody(yield* verify("9876500004", code))).toEqual(refused)
      }))

    it.effect("registered and unregistered phones get the same answer, and asking creates no customer", () =>
      Effect.gen(function*() {
        const before = yield* customerCount
        const registered = yield* askCode("+919800000001")
        const unregistered = yield* askCode("+919876500005")
        expect(statusAndBody(registered)).toEqual(statusAndBody(unregistered))
        expect(yield* customerCount).toBe(before)
        // The demo customer signs in as themselves.
        const demo = yield* verify("+919800000001", yield* lastOtp("+919800000001"))
        expect(demo.json).toMatchObject({ customerId: "cust-demo-1", isNew: false })
      }))

    it.effect("a phone that is not an Indian mobile: 400 naming `phone`, without echoing it", () =>
      Effect.gen(function*() {
        for (const phone of ["12345", "+447911123456", "5876500006", 9876500006]) {
          const r = yield* askCode(phone as string)
          expect(r.status).toBe(400)
          expect(r.text).toContain("phone")
          expect(r.text).not.toContain("447911123456")
        }
        expect((yield* post("/v1/auth/otp", { phone: "9876500006", language: "fr" })).status).toBe(400)
      }))
  })
})
