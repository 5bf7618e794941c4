import { describe, expect, it } from "@effect/vitest"
import type { CachedPrice, PriceKey } from "@qc/entities/pricing/PriceCache"
import { PriceCache, PriceCacheMemory, PriceCacheProbe, priceTtlMs } from "@qc/entities/pricing/PriceCache"
import { PriceCacheFromConfig, PriceCacheRedis } from "@qc/entities/pricing/PriceCacheRedis"
import { Clock, ConfigProvider, Context, Effect, Layer, TestClock } from "effect"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"

const price = (overrides: Partial<CachedPrice> = {}): CachedPrice => ({
  price: 4500,
  rule: "base_price",
  pricingContext: { rule: "base_price", ruleId: null, reason: "catalogue base price", inputs: { basePrice: 4500 } },
  computedAt: 0,
  validUntil: null,
  timeSensitive: false,
  ...overrides
})
const key = (skuId: string, storeId = "blr-1"): PriceKey => ({ storeId, skuId })
const [milk, bread, eggs] = [key("milk"), key("bread"), key("eggs")]

const memory = Effect.gen(function*() {
  const context = yield* Layer.build(PriceCacheMemory)
  return { cache: Context.get(context, PriceCache), probe: Context.get(context, PriceCacheProbe) }
})

describe("PriceCache in memory", () => {
  it.scoped("returns what was set and misses the rest", () =>
    Effect.gen(function*() {
      const { cache } = yield* memory
      expect(cache.backend).toBe("memory")
      yield* cache.setMany([{ key: milk, value: price() }, { key: bread, value: price({ price: 3000 }) }])
      const [m, b, e] = yield* cache.getMany([milk, bread, eggs], 0)
      expect([m?.price, b?.price, e]).toEqual([4500, 3000, undefined])
    }))

  it.scoped("keeps an entry 60 s, or 10 s when time-sensitive", () =>
    Effect.gen(function*() {
      const { cache } = yield* memory
      yield* cache.setMany([{ key: milk, value: price() }, { key: bread, value: price({ timeSensitive: true }) }])
      const hits = Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => cache.getMany([milk, bread], now)),
        Effect.map((found) => found.map((value) => value !== undefined))
      )
      yield* TestClock.adjust(9_999)
      expect(yield* hits).toEqual([true, true])
      yield* TestClock.adjust(1)
      expect(yield* hits).toEqual([true, false])
      yield* TestClock.setTime(59_999)
      expect(yield* hits).toEqual([true, false])
      yield* TestClock.adjust(1)
      expect(yield* hits).toEqual([false, false])
    }))

  it.scoped("never serves at or after validUntil, nor before computedAt", () =>
    Effect.gen(function*() {
      const { cache } = yield* memory
      yield* cache.setMany([
        { key: milk, value: price({ computedAt: 0, validUntil: 5_000 }) },
        { key: bread, value: price({ computedAt: 1_000 }) },
        // Already invalid when written: skipped.
        { key: eggs, value: price({ computedAt: -10, validUntil: 0 }) }
      ])
      expect((yield* cache.getMany([milk], 4_999))[0]?.price).toBe(4500)
      expect(yield* cache.getMany([milk], 5_000)).toEqual([undefined])
      expect(yield* cache.getMany([bread], 999)).toEqual([undefined])
      expect((yield* cache.getMany([bread], 1_000))[0]?.price).toBe(4500)
      expect(yield* cache.getMany([eggs], -1)).toEqual([undefined])
      // The L1 TTL is clamped to validUntil too.
      yield* TestClock.adjust(5_000)
      expect(yield* cache.getMany([milk], 4_999)).toEqual([undefined])
    }))

  it.scoped("invalidates some keys, then all", () =>
    Effect.gen(function*() {
      const { cache, probe } = yield* memory
      yield* cache.setMany([milk, bread, eggs].map((k) => ({ key: k, value: price() })))
      yield* cache.invalidate({ keys: [milk, key("absent")] }, "promotion changed")
      expect((yield* cache.getMany([milk, bread, eggs], 0)).map((v) => v !== undefined)).toEqual([false, true, true])
      yield* cache.invalidate({ all: true }, "time rules replaced")
      expect(yield* cache.getMany([milk, bread, eggs], 0)).toEqual([undefined, undefined, undefined])
      expect(yield* probe.invalidationsApplied).toBe(2)
    }))

  it.scoped("evicts the oldest entries beyond 200,000", () =>
    Effect.gen(function*() {
      const { cache } = yield* memory
      const keys = Array.from({ length: 200_001 }, (_, i) => key(`sku-${i}`))
      yield* cache.setMany(keys.map((k) => ({ key: k, value: price() })))
      const [first, second, last] = yield* cache.getMany([keys[0], keys[1], keys[200_000]], 0)
      expect([first, second !== undefined, last !== undefined]).toEqual([undefined, true, true])
    }))

  it("computes the TTL from timeSensitive and validUntil", () => {
    expect(priceTtlMs(price(), 1_000)).toBe(60_000)
    expect(priceTtlMs(price({ timeSensitive: true }), 1_000)).toBe(10_000)
    expect(priceTtlMs(price({ validUntil: 6_000 }), 1_000)).toBe(5_000)
    expect(priceTtlMs(price({ validUntil: 6_000, timeSensitive: true }), 1_000)).toBe(5_000)
    expect(priceTtlMs(price({ validUntil: 1_000_000, timeSensitive: true }), 1_000)).toBe(10_000)
    expect(priceTtlMs(price({ validUntil: 1_000 }), 1_000)).toBe(0)
    expect(priceTtlMs(price({ validUntil: 500 }), 1_000)).toBeLessThan(0)
  })

  it.effect("PriceCacheFromConfig without REDIS_URL is memory", () =>
    Effect.map(PriceCache, (cache) => expect(cache.backend).toBe("memory")).pipe(
      Effect.provide(PriceCacheFromConfig),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
    ))

  it.scopedLive("with Redis unreachable: misses, local writes, no failure, no hang", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(PriceCacheRedis({ url: "redis://127.0.0.1:1", namespace: "down:" }))
      const cache = Context.get(context, PriceCache)
      expect(cache.backend).toBe("redis")
      expect(yield* cache.getMany([milk, bread], 0)).toEqual([undefined, undefined])
      yield* cache.setMany([{ key: milk, value: price() }])
      expect((yield* cache.getMany([milk], 0))[0]?.price).toBe(4500)
      yield* cache.invalidate({ keys: [milk] }, "test")
      yield* cache.invalidate({ all: true }, "test")
      expect(yield* cache.getMany([milk], 0)).toEqual([undefined])
    }).pipe(Effect.timeoutFail({ duration: "15 seconds", onTimeout: () => new Error("PriceCache hung with Redis down") })))
})

const url = process.env.REDIS_URL ?? ""

describe.skipIf(url === "")("PriceCache on Redis", () => {
  /** Two runners (separate L1s and connections) on one Redis, in a namespace removed afterwards. */
  const cluster = Effect.gen(function*() {
    const namespace = `test-${randomUUID()}:`
    const raw = yield* Effect.acquireRelease(
      Effect.sync(() => new Redis(url)),
      (client) =>
        Effect.promise(async () => {
          const leftover = await client.keys(`${namespace}*`)
          if (leftover.length > 0) await client.unlink(...leftover)
          await client.quit()
        })
    )
    const runner = Effect.map(Layer.build(PriceCacheRedis({ url, namespace })), (context) => ({
      cache: Context.get(context, PriceCache),
      probe: Context.get(context, PriceCacheProbe)
    }))
    return { namespace, raw, a: yield* runner, b: yield* runner }
  })
  const redisCall = <A>(run: () => Promise<A>) => Effect.promise(run)

  it.scopedLive("shares entries between runners with TTLs in Redis", () =>
    Effect.gen(function*() {
      const { a, b, namespace, raw } = yield* cluster
      const now = yield* Clock.currentTimeMillis
      yield* a.cache.setMany([
        { key: milk, value: price({ computedAt: now }) },
        { key: bread, value: price({ computedAt: now, timeSensitive: true }) },
        { key: eggs, value: price({ computedAt: now, validUntil: now + 3_000 }) }
      ])
      const found = yield* b.cache.getMany([milk, bread, eggs, key("absent")], now)
      expect(found.map((v) => v?.price)).toEqual([4500, 4500, 4500, undefined])
      expect(found[1]).toEqual(price({ computedAt: now, timeSensitive: true }))
      const [m, br, e] = yield* redisCall(() =>
        Promise.all([milk, bread, eggs].map((k) => raw.pttl(`${namespace}price:${k.storeId}:${k.skuId}`)))
      )
      expect(m).toBeGreaterThan(10_000)
      expect(m).toBeLessThanOrEqual(60_000)
      expect(br).toBeGreaterThan(0)
      expect(br).toBeLessThanOrEqual(10_000)
      expect(e).toBeGreaterThan(0)
      expect(e).toBeLessThanOrEqual(3_000)
    }))

  it.scopedLive("an invalidation on one runner empties the other's L1", () =>
    Effect.gen(function*() {
      const { a, b, namespace, raw } = yield* cluster
      const now = yield* Clock.currentTimeMillis
      yield* a.cache.setMany([milk, bread].map((k) => ({ key: k, value: price({ computedAt: now }) })))
      expect((yield* b.cache.getMany([milk, bread], now)).map((v) => v?.price)).toEqual([4500, 4500])
      // Gone from Redis behind the cache's back: B still answers from its L1.
      yield* redisCall(() => raw.unlink(`${namespace}price:blr-1:bread`))
      expect((yield* b.cache.getMany([bread], now))[0]?.price).toBe(4500)

      yield* a.cache.invalidate({ keys: [milk, bread] }, "vendor promotion")
      yield* b.probe.awaitInvalidations(1)
      expect(yield* b.cache.getMany([milk, bread], now)).toEqual([undefined, undefined])
      expect(yield* a.cache.getMany([milk, bread], now)).toEqual([undefined, undefined])
      expect(yield* redisCall(() => raw.exists(`${namespace}price:blr-1:milk`))).toBe(0)
    }))

  it.scopedLive("invalidating all clears this namespace only", () =>
    Effect.gen(function*() {
      const { a, b, namespace, raw } = yield* cluster
      const otherNamespace = `test-${randomUUID()}:`
      yield* Effect.acquireRelease(
        redisCall(() => raw.set(`${otherNamespace}price:blr-1:milk`, "{}", "PX", 60_000)),
        () => redisCall(() => raw.unlink(`${otherNamespace}price:blr-1:milk`))
      )
      const now = yield* Clock.currentTimeMillis
      const many = Array.from({ length: 1_200 }, (_, i) => key(`sku-${i}`))
      yield* a.cache.setMany(many.map((k) => ({ key: k, value: price({ computedAt: now }) })))
      expect((yield* b.cache.getMany(many, now)).every((v) => v !== undefined)).toBe(true)
      // Served from B's L1 from now on.
      yield* redisCall(() => raw.unlink(`${namespace}price:blr-1:sku-0`))
      expect((yield* b.cache.getMany([many[0]], now))[0]?.price).toBe(4500)

      yield* a.cache.invalidate({ all: true }, "time rules replaced")
      yield* b.probe.awaitInvalidations(1)
      expect((yield* b.cache.getMany(many, now)).every((v) => v === undefined)).toBe(true)
      expect(yield* redisCall(() => raw.keys(`${namespace}*`))).toEqual([])
      expect(yield* redisCall(() => raw.exists(`${otherNamespace}price:blr-1:milk`))).toBe(1)
    }))

  it.scopedLive("a runner whose subscription dropped forgets its L1 and resubscribes", () =>
    Effect.gen(function*() {
      const { a, b, namespace, raw } = yield* cluster
      const now = yield* Clock.currentTimeMillis
      yield* a.cache.setMany([{ key: milk, value: price({ computedAt: now }) }])
      expect((yield* b.cache.getMany([milk], now))[0]?.price).toBe(4500)
      yield* redisCall(() => raw.unlink(`${namespace}price:blr-1:milk`))

      // Kill both runners' subscriber connections: invalidations sent meanwhile would be lost.
      const clients = yield* redisCall(() => raw.client("LIST"))
      const subscribers = String(clients).split("\n")
        .filter((line) => line.includes(` name=${namespace}price-cache-subscriber `))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1] ?? "")
      expect(subscribers).toHaveLength(2)
      yield* Effect.forEach(subscribers, (id) => redisCall(() => raw.client("KILL", "ID", id)), { discard: true })

      yield* b.probe.awaitInvalidations(1)
      expect(yield* b.cache.getMany([milk], now)).toEqual([undefined])
      // And it hears invalidations again.
      yield* a.probe.awaitInvalidations(1)
      yield* b.cache.setMany([{ key: bread, value: price({ computedAt: now }) }])
      yield* a.cache.invalidate({ keys: [bread] }, "vendor promotion")
      yield* b.probe.awaitInvalidations(2)
      expect(yield* b.cache.getMany([bread], now)).toEqual([undefined])
    }))

  it.scopedLive("a corrupt value in Redis is a miss", () =>
    Effect.gen(function*() {
      const { b, namespace, raw } = yield* cluster
      yield* redisCall(() =>
        raw.mset(
          `${namespace}price:blr-1:milk`,
          "{not json",
          `${namespace}price:blr-1:bread`,
          JSON.stringify({ ...price(), rule: "lucky_dip" })
        )
      )
      expect(yield* b.cache.getMany([milk, bread], 0)).toEqual([undefined, undefined])
    }))

  it.scoped("PriceCacheFromConfig with REDIS_URL is Redis", () =>
    Effect.map(PriceCache, (cache) => expect(cache.backend).toBe("redis")).pipe(
      Effect.provide(PriceCacheFromConfig),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["REDIS_URL", url]])))
    ))
})
