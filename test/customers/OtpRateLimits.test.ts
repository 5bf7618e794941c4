import { RateLimiter } from "@effect/experimental"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { otpLimitsLayer } from "@qc/server/customers/OtpLimits"
import { Duration, Effect, Layer, TestClock } from "effect"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/** Small enough to reach: one code per phone per 30 s and 3 an hour, 4 an hour per address, behind one trusted proxy. */
const tight = otpLimitsLayer({ resendAfter: Duration.seconds(30), perPhonePerHour: 3, perAddressPerHour: 4, trustedProxies: 1 }).pipe(
  Layer.provide(RateLimiter.layerStoreMemory)
)

const StackLive = Layer.unwrapScoped(Effect.gen(function*() {
  yield* TestClock.adjust(1)
  const db = yield* makeTestDatabase
  return stackLayer(db.layer, { skuCount: 20, otpLimits: tight })
}))

let addresses = 0
/** Each call from an address of its own unless `from` is given, so only the phone's limits count. */
const askCode = (phone: string, from = `198.51.100.${++addresses}`) =>
  Effect.gen(function*() {
    const request = HttpClientRequest.post("/v1/auth/otp").pipe(
      HttpClientRequest.setHeader("x-forwarded-for", from),
      HttpClientRequest.bodyText(JSON.stringify({ phone }), "application/json")
    )
    const response = yield* Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request))
    const text = yield* response.text
    return { status: response.status, retryAfter: response.headers["retry-after"], json: JSON.parse(text) as unknown }
  }).pipe(Effect.orDie)

describe("OTP rate limits (TestClock, memory store)", () => {
  layer(StackLive, { timeout: "120 seconds" })((it) => {
    it.effect("per phone: one code per 30 s (429 with Retry-After), and at most 3 an hour", () =>
      Effect.gen(function*() {
        const phone = "9876511111"
        expect((yield* askCode(phone)).status).toBe(202)
        expect(yield* askCode(phone)).toEqual({
          status: 429,
          retryAfter: "30",
          json: { _tag: "RateLimited", message: "too many codes asked for; retry in 30 s", retryAfterSeconds: 30 }
        })
        // Another spelling of the same number is the same phone.
        expect((yield* askCode(`+91${phone}`)).status).toBe(429)
        yield* TestClock.adjust("30 seconds")
        expect((yield* askCode(phone)).status).toBe(202)
        yield* TestClock.adjust("30 seconds")
        expect((yield* askCode(phone)).status).toBe(202)
        yield* TestClock.adjust("30 seconds")
        const hourly = yield* askCode(phone)
        expect(hourly.status).toBe(429)
        expect(Number(hourly.retryAfter)).toBe(3600 - 90)
        // Other phones are not held back.
        expect((yield* askCode("9876511112")).status).toBe(202)
      }))

    it.effect("per client address: 4 codes an hour whatever the phones; another address still gets codes", () =>
      Effect.gen(function*() {
        const from = "203.0.113.77"
        for (const n of [1, 2, 3, 4]) expect((yield* askCode(`98765222${n}0`, from)).status).toBe(202)
        const refused = yield* askCode("9876522250", from)
        expect(refused.status).toBe(429)
        expect(Number(refused.retryAfter)).toBe(3600)
        expect(refused.json).toMatchObject({ _tag: "RateLimited", retryAfterSeconds: 3600 })
        // The refused request did not spend that phone's budget.
        expect((yield* askCode("9876522250", "203.0.113.78")).status).toBe(202)
      }))
  })
})
