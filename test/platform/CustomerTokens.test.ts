import { describe, expect, it } from "@effect/vitest"
import { AuthSecret, authSecretConfigured, issueToken, maxTokenTtl, verifyToken } from "@qc/server/CustomerAuth"
import { ConfigProvider, Duration, Effect, Layer, Redacted, TestClock } from "effect"
import { createHmac } from "node:crypto"

const secret = new TextEncoder().encode("token-test-secret")
const Secret = Layer.succeed(AuthSecret, Redacted.make(secret))
const T0 = Date.UTC(2025, 2, 10, 6, 0)
const day = Duration.hours(24)

const withConfig = (entries: ReadonlyArray<readonly [string, string]>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const signed = (claims: Record<string, unknown>) => {
  const unsigned = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({ sub: "cust-demo-1", ...claims })}`
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`
}

const claimsOf = (token: string): { readonly iat: number; readonly exp: number } =>
  JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"))

const refusal = (token: string, maxTtl: Duration.Duration = day) =>
  Effect.map(Effect.flip(verifyToken(token, secret, maxTtl)), (e) => e.message)

describe("customer tokens", () => {
  it.effect("ours last 24 h by the Effect clock, and are refused once the clock passes exp", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const token = yield* issueToken("cust-demo-1")
      expect(claimsOf(token)).toEqual({ sub: "cust-demo-1", iat: T0 / 1000, exp: T0 / 1000 + 24 * 3600 })
      expect(yield* verifyToken(token, secret, day)).toBe("cust-demo-1")
      yield* TestClock.adjust("23 hours")
      expect(yield* verifyToken(token, secret, day)).toBe("cust-demo-1")
      yield* TestClock.adjust("1 hour")
      expect(yield* refusal(token)).toBe("bearer token expired")
    }).pipe(Effect.provide(Secret)))

  it.effect("a token without exp, or with exp more than the allowed lifetime ahead, is refused", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const now = T0 / 1000
      expect(yield* refusal(signed({ iat: now }))).toBe("bearer token has no expiry (exp)")
      expect(yield* refusal(signed({ iat: now, exp: now + 30 * 24 * 3600 }))).toContain("lives longer than")
      expect(yield* refusal(signed({ iat: now, exp: now + 24 * 3600 + 120 }))).toContain("lives longer than")
      // A minute of clock difference between the issuing machine and this one is tolerated.
      expect(yield* verifyToken(signed({ iat: now, exp: now + 24 * 3600 + 30 }), secret, day)).toBe("cust-demo-1")
      expect(yield* refusal(signed({ exp: now + 3600, sub: "not a customer id" }))).toBe("token has no customer")
      expect(yield* refusal(`${signed({ exp: now + 3600 }).slice(0, -2)}xx`)).toBe("invalid bearer token")
      expect(yield* refusal(signed({ exp: now + 3600 }).replace(/^[^.]+/, base64url({ alg: "none" })))).toBe("invalid bearer token")
    }))

  it.effect("AUTH_MAX_TOKEN_TTL sets the lifetime (hours or a duration); issued tokens follow it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      expect(Duration.toHours(yield* maxTokenTtl)).toBe(24)
      expect(Duration.toHours(yield* withConfig([["AUTH_MAX_TOKEN_TTL", "72"]])(maxTokenTtl))).toBe(72)
      expect(Duration.toMinutes(yield* withConfig([["AUTH_MAX_TOKEN_TTL", "90 minutes"]])(maxTokenTtl))).toBe(90)
      expect(String(yield* Effect.flip(withConfig([["AUTH_MAX_TOKEN_TTL", "0"]])(maxTokenTtl)))).toContain("must be more than zero")
      const longer = yield* withConfig([["AUTH_MAX_TOKEN_TTL", "72"]])(issueToken("cust-demo-1"))
      expect(claimsOf(longer).exp - claimsOf(longer).iat).toBe(72 * 3600)
      expect(yield* refusal(longer)).toContain("lives longer than")
      expect(yield* verifyToken(longer, secret, Duration.hours(72))).toBe("cust-demo-1")
    }).pipe(Effect.provide(Secret)))

  it.effect("the demo token is printed only for a server that made up its own secret (no AUTH_SECRET)", () =>
    Effect.gen(function*() {
      expect(yield* withConfig([])(authSecretConfigured)).toBe(false)
      expect(yield* withConfig([["AUTH_SECRET", "configured"]])(authSecretConfigured)).toBe(true)
    }))
})
