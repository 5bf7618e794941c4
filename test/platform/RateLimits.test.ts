import { RateLimiter } from "@effect/experimental"
import { HttpClient, HttpClientRequest, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, it, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { AdminKey } from "@qc/server/AdminAuth"
import { AuthSecret, issueToken } from "@qc/server/CustomerAuth"
import { RateLimits, rateLimitsLayer } from "@qc/server/RateLimits"
import type { RateLimitSettings } from "@qc/server/RateLimitSettings"
import { rateLimitStoreRedis } from "@qc/server/RateLimitStore"
import { Context, Duration, Effect, Layer, Logger, Redacted, TestClock } from "effect"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { createServer } from "node:net"
import { place, skusWithStock } from "../support/Checkout.js"
import { driven } from "../support/Drive.js"
import { adminKey, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/** Small enough to reach in a test. Every test sends from addresses of its own, behind one trusted proxy. */
const tight: RateLimitSettings = {
  enabled: true,
  customer: { perSecond: 1, burst: 3 },
  address: { perSecond: 1, burst: 5 },
  webhooks: { perSecond: 1, burst: 8 },
  admin: { perSecond: 1, burst: 8 },
  trustedProxies: 1
}

// Under the TestClock from the start: the limiter's memory store reads it, and so do tokens and the cluster.
const StackLive = Layer.unwrapScoped(Effect.gen(function*() {
  yield* TestClock.adjust(1)
  const db = yield* makeTestDatabase
  return stackLayer(db.layer, { rateLimits: rateLimitsLayer(tight).pipe(Layer.provide(RateLimiter.layerStoreMemory)) })
}))

interface Sender {
  readonly from: string
  readonly token?: string
  readonly headers?: Record<string, string>
}

const call = (method: "GET" | "POST", path: string, sender: Sender, body?: unknown) =>
  Effect.gen(function*() {
    let request = HttpClientRequest.make(method)(path).pipe(
      HttpClientRequest.setHeaders({ ...sender.headers, "x-forwarded-for": sender.from })
    )
    if (sender.token !== undefined) request = HttpClientRequest.bearerToken(request, sender.token)
    if (body !== undefined) request = HttpClientRequest.bodyText(request, JSON.stringify(body), "application/json")
    const response = yield* Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request))
    const text = yield* response.text
    return { status: response.status, retryAfter: response.headers["retry-after"], json: text === "" ? null : JSON.parse(text) as unknown }
  }).pipe(Effect.orDie)

/** The statuses of `n` calls made one after the other. */
const statuses = (n: number, method: "GET" | "POST", path: string, sender: Sender) =>
  Effect.forEach(Array.from({ length: n }), () => Effect.map(call(method, path, sender), (a) => a.status))

const times = <A>(n: number, value: A): Array<A> => Array.from({ length: n }, () => value)

const forged = (customerId: string) =>
  issueToken(customerId).pipe(Effect.provideService(AuthSecret, Redacted.make(new TextEncoder().encode("not-our-secret"))))

describe("rate limits over HTTP (TestClock, memory store)", () => {
  layer(StackLive, { timeout: "120 seconds" })((it) => {
    it.effect("a burst passes; the next request gets 429 with Retry-After and a RateLimited body; after that wait one passes again", () =>
      Effect.gen(function*() {
        const anonymous = { from: "203.0.113.1" }
        expect(yield* statuses(5, "GET", "/v1/stores", anonymous)).toEqual(times(5, 200))
        const refused = yield* call("GET", "/v1/stores", anonymous)
        expect(refused).toEqual({
          status: 429,
          retryAfter: "1",
          json: { _tag: "RateLimited", message: "too many requests; retry in 1 s", retryAfterSeconds: 1 }
        })
        yield* TestClock.adjust(Duration.seconds(Number(refused.retryAfter)))
        // One token a second: one request passes, the next waits again.
        expect(yield* statuses(2, "GET", "/v1/stores", anonymous)).toEqual([200, 429])
      }))

    it.effect("two customers behind one address have limits of their own, and share the address's", () =>
      Effect.gen(function*() {
        const asha = { from: "203.0.113.2", token: yield* issueToken("cust-demo-1") }
        const rohan = { from: "203.0.113.2", token: yield* issueToken("cust-demo-2") }
        expect(yield* statuses(4, "GET", "/v1/orders", asha)).toEqual([200, 200, 200, 429])
        // Asha's refused request did not spend the address's budget: 3 of 5 are gone.
        expect(yield* statuses(3, "GET", "/v1/orders", rohan)).toEqual([200, 200, 429])
        expect(yield* statuses(1, "GET", "/v1/stores", { from: "203.0.113.2" })).toEqual([429])
        // Elsewhere, the same customer still has nothing left of their own.
        expect(yield* statuses(1, "GET", "/v1/orders", { ...asha, from: "203.0.113.3" })).toEqual([429])
        expect(yield* statuses(1, "GET", "/v1/orders", { from: "203.0.113.3", token: yield* issueToken("cust-demo-3") })).toEqual([200])
      }))

    it.effect("a token that does not verify counts against its address only, never against the customer it names", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO customers (id, name, phone, created_at) VALUES ('cust-rate-2', 'Forged', '+919800000098', now())`
        const attacker = "203.0.113.4"
        // Forged in the victim's name, and in others': the route refuses them (401), on the address's five tokens.
        for (const id of ["cust-rate-2", "cust-rate-2", "cust-rate-2", "cust-x", "cust-y"]) {
          expect((yield* call("GET", "/v1/orders", { from: attacker, token: yield* forged(id) })).status).toBe(401)
        }
        expect((yield* call("GET", "/v1/orders", { from: attacker, token: yield* forged("cust-z") })).status).toBe(429)
        // The victim's own budget is whole.
        const victim = { from: "203.0.113.10", token: yield* issueToken("cust-rate-2") }
        expect(yield* statuses(4, "GET", "/v1/orders", victim)).toEqual([200, 200, 200, 429])
      }))

    it.effect("webhooks have a higher limit of their own per address; /health is not limited", () =>
      Effect.gen(function*() {
        const sender = { from: "203.0.113.5" }
        expect(yield* statuses(6, "GET", "/v1/stores", sender)).toEqual([...times(5, 200), 429])
        // No signature: the route refuses it (401), after the limiter let it through.
        expect(yield* statuses(9, "POST", "/v1/webhooks/razorpay", sender)).toEqual([...times(8, 401), 429])
        expect(yield* statuses(1, "POST", "/v1/webhooks/vendor-promotions", sender)).toEqual([429])
        expect(yield* statuses(20, "GET", "/health", sender)).toEqual(times(20, 200))
      }))

    it.effect("admin routes with the right x-admin-key have a limit of their own; with a wrong key, the public one", () =>
      Effect.gen(function*() {
        const admin = { from: "203.0.113.6", headers: { "x-admin-key": adminKey } }
        expect(yield* statuses(9, "GET", "/v1/admin/events", admin)).toEqual([...times(8, 200), 429])
        const guesser = { from: "203.0.113.7", headers: { "x-admin-key": "guess" } }
        expect(yield* statuses(6, "GET", "/v1/admin/events", guesser)).toEqual([...times(5, 401), 429])
      }))

    it.effect("a refused order placement creates nothing; the same Idempotency-Key places the order after the wait", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        // A customer of its own: no other test has spent from their bucket.
        yield* sql`INSERT INTO customers (id, name, phone, created_at) VALUES ('cust-rate-1', 'Rate Test', '+919800000099', now())`
        const orders = Effect.map(sql<{ n: number }>`SELECT count(*)::int AS n FROM orders WHERE customer_id = 'cust-rate-1'`, (rows) => rows[0].n)
        const [sku] = yield* driven(skusWithStock("pune-baner", 3, 1))
        const payload = { pincode: Pincode.make("411045"), items: [{ skuId: sku.id, qty: 1 }] }
        const customer = { from: "203.0.113.8", token: yield* issueToken("cust-rate-1") }
        expect(yield* statuses(3, "GET", "/v1/orders", customer)).toEqual(times(3, 200))
        const refused = yield* call("POST", "/v1/orders", { ...customer, headers: { "idempotency-key": "rate-1" } }, payload)
        expect([refused.status, refused.retryAfter]).toEqual([429, "1"])
        expect(yield* orders).toBe(0)
        yield* TestClock.adjust("1 second")
        const placed = yield* driven(place("cust-rate-1", "rate-1", payload))
        expect(placed.status).toBe("AWAITING_PAYMENT")
        expect(yield* orders).toBe(1)
      }))
  })
})

const Secrets = Layer.mergeAll(
  Layer.succeed(AuthSecret, Redacted.make(new TextEncoder().encode("test-auth-secret"))),
  Layer.succeed(AdminKey, { key: Redacted.make(adminKey), generated: false })
)

/** One server process's limits, counted in `store`, with the peer as the client's address. */
const limitsOn = (store: Layer.Layer<RateLimiter.RateLimiterStore>, settings: RateLimitSettings = { ...tight, trustedProxies: 0 }) =>
  Effect.map(
    Layer.build(rateLimitsLayer(settings).pipe(Layer.provide(Layer.merge(store, Secrets)))),
    (context) => Context.get(context, RateLimits)
  )

/** The answer to a request from `peer` to a public route, through `limits` to an app that answers 204. */
const respond = (limits: Context.Tag.Service<RateLimits>, peer: string) =>
  limits.middleware(Effect.succeed(HttpServerResponse.empty())).pipe(
    Effect.provideService(
      HttpServerRequest.HttpServerRequest,
      HttpServerRequest.fromWeb(new Request("http://localhost/v1/stores")).modify({ remoteAddress: peer })
    )
  )
const ask = (limits: Context.Tag.Service<RateLimits>, peer: string) => Effect.map(respond(limits, peer), (r) => r.status)

/** A port nothing listens on: connections are refused at once, as by a Redis that is down. */
const closedPort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})

describe("the limits alone, in front of an app that answers 204 (TestClock)", () => {
  it.scoped("Retry-After is the wait for the next token rounded up to whole seconds, and enough", () =>
    Effect.gen(function*() {
      const limits = yield* limitsOn(RateLimiter.layerStoreMemory, { ...tight, trustedProxies: 0, address: { perSecond: 0.4, burst: 1 } })
      expect(yield* ask(limits, "198.51.100.4")).toBe(204)
      const refused = yield* respond(limits, "198.51.100.4")
      // One token every 2.5 s.
      expect([refused.status, refused.headers["retry-after"]]).toEqual([429, "3"])
      yield* TestClock.adjust("2 seconds")
      expect(yield* ask(limits, "198.51.100.4")).toBe(429)
      yield* TestClock.adjust("1 second")
      expect(yield* ask(limits, "198.51.100.4")).toBe(204)
    }))

  it.scoped("with Redis unreachable every request goes through, promptly, and a warning is logged at most every 10 s", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const capture = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
      })
      const limits = yield* limitsOn(rateLimitStoreRedis({ url: `redis://127.0.0.1:${yield* closedPort}` }))
      const started = Date.now()
      const statuses = yield* Effect.gen(function*() {
        const first = yield* Effect.forEach(Array.from({ length: 8 }), () => ask(limits, "198.51.100.1"))
        // The store is asked again a second later, and fails again: no second warning yet.
        yield* TestClock.adjust("1 second")
        const second = yield* ask(limits, "198.51.100.1")
        yield* TestClock.adjust("10 seconds")
        const third = yield* ask(limits, "198.51.100.1")
        return [...first, second, third]
      }).pipe(Effect.provide(Logger.add(capture)))
      expect(statuses).toEqual(times(10, 204))
      expect(warnings).toEqual(times(2, "RateLimits: store unavailable; letting requests through"))
      // Each failed store call costs at most the 250 ms command timeout; the default would queue for seconds.
      expect(Date.now() - started).toBeLessThan(5_000)
    }))
})

describe.runIf(process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== "")(
  "rate limits shared through Redis (only with REDIS_URL: CI's second pass sets it)",
  () => {
    it.scoped("two server processes spend one budget per address; after the wait, one more request passes on either", () =>
      Effect.gen(function*() {
        const url = process.env.REDIS_URL ?? ""
        // A prefix of this run's own, so that parallel runs and earlier ones share nothing; removed afterwards.
        const prefix = `test-ratelimit-${randomUUID()}:`
        yield* Effect.addFinalizer(() =>
          Effect.promise(async () => {
            const redis = new Redis(url)
            const keys = await redis.keys(`${prefix}*`)
            if (keys.length > 0) await redis.del(...keys)
            redis.disconnect()
          })
        )
        const first = yield* limitsOn(rateLimitStoreRedis({ url, prefix }))
        const second = yield* limitsOn(rateLimitStoreRedis({ url, prefix }))
        const peer = "198.51.100.2"
        const alternating = yield* Effect.forEach([first, second, first, second, first, second, first], (l) => ask(l, peer))
        expect(alternating).toEqual([...times(5, 204), 429, 429])
        // Another address has a budget of its own.
        expect(yield* ask(second, "198.51.100.3")).toBe(204)
        yield* TestClock.adjust("1 second")
        expect([yield* ask(second, peer), yield* ask(first, peer)]).toEqual([204, 429])
      }))
  }
)
