import { HttpApi, HttpServerRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { AdminAuth, Api, CustomerAuth } from "@qc/domain/Api"
import { addressKey, clientAddress } from "@qc/server/ClientAddress"
import { routeLimits } from "@qc/server/RateLimits"
import type { RouteLimits } from "@qc/server/RateLimits"
import { RateLimitSettingsFromConfig } from "@qc/server/RateLimitSettings"
import { redisOptionsOf } from "@qc/server/RateLimitStore"
import { ConfigProvider, Effect } from "effect"

const settingsWith = (entries: ReadonlyArray<readonly [string, string]>) =>
  RateLimitSettingsFromConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries))))

const refusal = (entries: ReadonlyArray<readonly [string, string]>) => Effect.map(Effect.flip(settingsWith(entries)), String)

const from = (peer: string, forwardedFor?: string) =>
  HttpServerRequest.fromWeb(
    new Request("http://localhost/v1/stores", { headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor } })
  ).modify({ remoteAddress: peer })

describe("rate limit settings", () => {
  it.effect("by default: 100/s burst 200 per customer and per address, 1000/s burst 2000 for webhooks and admin, on, no proxy", () =>
    Effect.gen(function*() {
      expect(yield* settingsWith([])).toEqual({
        enabled: true,
        customer: { perSecond: 100, burst: 200 },
        address: { perSecond: 100, burst: 200 },
        webhooks: { perSecond: 1000, burst: 2000 },
        admin: { perSecond: 1000, burst: 2000 },
        trustedProxies: 0
      })
    }))

  it.effect("the address and admin limits follow the public and webhook ones unless set; TRUST_PROXY is a flag or a count", () =>
    Effect.gen(function*() {
      const set = yield* settingsWith([
        ["RATE_LIMIT_PUBLIC_PER_SECOND", "2"],
        ["RATE_LIMIT_PUBLIC_BURST", "3"],
        ["RATE_LIMIT_HOOKS_PER_SECOND", "0.5"],
        ["RATE_LIMIT_ADMIN_BURST", "50"],
        ["RATE_LIMIT_ENABLED", "false"],
        ["TRUST_PROXY", "true"]
      ])
      expect(set).toEqual({
        enabled: false,
        customer: { perSecond: 2, burst: 3 },
        address: { perSecond: 2, burst: 3 },
        webhooks: { perSecond: 0.5, burst: 2000 },
        admin: { perSecond: 0.5, burst: 50 },
        trustedProxies: 1
      })
      const ip = yield* settingsWith([["RATE_LIMIT_IP_PER_SECOND", "500"], ["RATE_LIMIT_IP_BURST", "1000"], ["TRUST_PROXY", "2"]])
      expect([ip.customer, ip.address, ip.trustedProxies]).toEqual([{ perSecond: 100, burst: 200 }, { perSecond: 500, burst: 1000 }, 2])
      expect((yield* settingsWith([["TRUST_PROXY", "false"]])).trustedProxies).toBe(0)
    }))

  it.effect("nonsense is refused at start: no rate, a fractional burst, a proxy count that is not one", () =>
    Effect.gen(function*() {
      expect(yield* refusal([["RATE_LIMIT_PUBLIC_PER_SECOND", "0"]])).toContain("above 0")
      expect(yield* refusal([["RATE_LIMIT_HOOKS_BURST", "1.5"]])).toContain("RATE_LIMIT_HOOKS_BURST")
      expect(yield* refusal([["RATE_LIMIT_IP_BURST", "0"]])).toContain("at least 1")
      expect(yield* refusal([["TRUST_PROXY", "-1"]])).toContain("TRUST_PROXY")
      expect(yield* refusal([["TRUST_PROXY", "loadbalancer"]])).toContain("TRUST_PROXY")
    }))

  it("REDIS_URL gives ioredis its host, port, database, credentials and TLS", () => {
    expect(redisOptionsOf("redis://127.0.0.1:6379")).toEqual({ host: "127.0.0.1", port: 6379, db: 0 })
    expect(redisOptionsOf("rediss://user:p%40ss@cache.internal/2")).toEqual({
      host: "cache.internal",
      port: 6379,
      db: 2,
      username: "user",
      password: "p@ss",
      tls: {}
    })
    expect(redisOptionsOf("redis://:secret@[::1]:6380")).toEqual({ host: "::1", port: 6380, db: 0, password: "secret" })
  })
})

describe("whose limit a request counts against", () => {
  it("without a trusted proxy, the socket's peer, whatever X-Forwarded-For says", () => {
    expect(clientAddress(from("198.51.100.7", "203.0.113.1"), 0)).toBe("198.51.100.7")
  })

  it("behind n proxies, the X-Forwarded-For entry n places from the right; no header or a non-address leaves the peer", () => {
    // The client wrote the first entry itself; our proxy appended what it saw.
    expect(clientAddress(from("10.0.0.2", "6.6.6.6, 203.0.113.1"), 1)).toBe("203.0.113.1")
    expect(clientAddress(from("10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.1"), 2)).toBe("203.0.113.1")
    expect(clientAddress(from("10.0.0.2", "203.0.113.1"), 2)).toBe("203.0.113.1")
    expect(clientAddress(from("10.0.0.2"), 1)).toBe("10.0.0.2")
    expect(clientAddress(from("10.0.0.2", "6.6.6.6, not-an-address"), 1)).toBe("10.0.0.2")
  })

  it("IPv4 written as IPv6 is IPv4; an IPv6 address counts as its /64, which its owner can pick addresses from", () => {
    expect(addressKey("::ffff:203.0.113.1")).toBe("203.0.113.1")
    expect(addressKey("2001:db8:aa:bb:1:2:3:4")).toBe("2001:db8:aa:bb::/64")
    expect(addressKey("2001:0db8:00aa:00bb:ffff::1")).toBe("2001:db8:aa:bb::/64")
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64")
    expect(addressKey("::1")).toBe("0:0:0:0::/64")
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64")
  })

  it("every route of the API: x-admin-key routes under the admin limits, webhooks unauthenticated, /health under none", () => {
    const routes: Array<{ readonly path: string; readonly limits: RouteLimits; readonly auth: string }> = []
    HttpApi.reflect(Api, {
      onGroup: () => undefined,
      onEndpoint: ({ endpoint, middleware }) => {
        const keys = new Set([...middleware].map((tag) => tag.key))
        routes.push({
          path: endpoint.path,
          limits: routeLimits(endpoint.path),
          auth: keys.has(AdminAuth.key) ? "admin" : keys.has(CustomerAuth.key) ? "customer" : "none"
        })
      }
    })
    for (const route of routes) {
      expect(route.limits === "admin", route.path).toBe(route.auth === "admin")
      if (route.limits === "webhooks") expect(route.auth, route.path).toBe("none")
    }
    expect(routes.filter((r) => r.limits === "webhooks").map((r) => r.path).sort()).toEqual([
      "/v1/webhooks/razorpay",
      "/v1/webhooks/vendor-promotions",
      "/v1/webhooks/wms"
    ])
    expect(routes.filter((r) => r.limits === "none").map((r) => r.path)).toEqual(["/health"])
    expect(["/metrics", "/health?verbose=1"].map(routeLimits)).toEqual(["none", "none"])
    expect(["/docs", "/openapi.json", "/v1/orders", "/nowhere"].map(routeLimits)).toEqual(Array(4).fill("public"))
  })
})
