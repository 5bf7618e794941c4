import { PricingContext } from "@qc/domain/orders/Order"
import { PricingRule } from "@qc/domain/pricing/Pricing"
import { Clock, Config, Context, Effect, Layer, Option, Queue, Schema, Stream, SubscriptionRef } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"

export interface CachedPrice {
  readonly price: number
  readonly rule: PricingRule
  readonly pricingContext: PricingContext
  readonly computedAt: number
  /** The entry must not be served at or after this instant. */
  readonly validUntil: number | null
  readonly timeSensitive: boolean
}
export interface PriceKey { readonly storeId: string; readonly skuId: string }
export type Invalidation = { readonly keys: ReadonlyArray<PriceKey> } | { readonly all: true }

/**
 * Resolved prices, L1 in this process and L2 in Redis shared by all runners. Never fails:
 * a Redis problem is a miss (or a skipped write), logged as a rate-limited warning.
 */
export class PriceCache extends Context.Tag("PriceCache")<PriceCache, {
  /** L1, then one MGET for L1 misses (filling L1). Expired entries, `at >= validUntil` and `at < computedAt` are misses. */
  readonly getMany: (keys: ReadonlyArray<PriceKey>, at: number) => Effect.Effect<ReadonlyArray<CachedPrice | undefined>>
  /** L1 and L2 (SET PX) for `priceTtlMs`; entries whose TTL is <= 0 are skipped. */
  readonly setMany: (entries: ReadonlyArray<{ readonly key: PriceKey; readonly value: CachedPrice }>) => Effect.Effect<void>
  /** Deletes from L2, drops from this runner's L1, and publishes on `pricing.updated` so every runner drops them. */
  readonly invalidate: (invalidation: Invalidation, reason: string) => Effect.Effect<void>
  readonly backend: "redis" | "memory"
}>() {}

/**
 * For tests: invalidations applied to this runner's L1 (its own calls and messages from other
 * runners), so a test can wait for one instead of sleeping. Provided by every PriceCache layer.
 */
export class PriceCacheProbe extends Context.Tag("PriceCacheProbe")<PriceCacheProbe, {
  readonly invalidationsApplied: Effect.Effect<number>
  /** Completes once at least `count` invalidations have been applied here. */
  readonly awaitInvalidations: (count: number) => Effect.Effect<void>
}>() {}

const TTL_MS = 60_000
const TIME_SENSITIVE_TTL_MS = 10_000
const L1_MAX_ENTRIES = 200_000
const CHUNK = 500
const WARN_EVERY_MS = 10_000

export const priceTtlMs = (value: CachedPrice, now: number): number => {
  const ttl = value.timeSensitive ? TIME_SENSITIVE_TTL_MS : TTL_MS
  return value.validUntil === null ? ttl : Math.min(ttl, value.validUntil - now)
}

/** Whether a price computed earlier may still be shown at `at`. */
export const servable = (value: CachedPrice, at: number) =>
  at >= value.computedAt && (value.validUntil === null || at < value.validUntil)

const CachedPriceJson: Schema.Schema<CachedPrice, string> = Schema.parseJson(Schema.Struct({
  price: Schema.Number,
  rule: PricingRule,
  pricingContext: PricingContext,
  computedAt: Schema.Number,
  validUntil: Schema.NullOr(Schema.Number),
  timeSensitive: Schema.Boolean
}))
const decodeCached = Schema.decodeOption(CachedPriceJson)
const encodeCached = Schema.encodeOption(CachedPriceJson)

const InvalidationMessage = Schema.parseJson(Schema.Struct({
  origin: Schema.String,
  keys: Schema.optional(Schema.Array(Schema.Struct({ storeId: Schema.String, skuId: Schema.String }))),
  all: Schema.optional(Schema.Literal(true)),
  reason: Schema.String
}))
const decodeMessage = Schema.decodeOption(InvalidationMessage)

const keyOf = (key: PriceKey) => `price:${key.storeId}:${key.skuId}`

const chunks = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK))

/** Bounded by insertion order: a refreshed entry moves to the back, the oldest is evicted first. */
const makeL1 = () => {
  const entries = new Map<string, { readonly value: CachedPrice; readonly expiresAt: number }>()
  // Bumped on every invalidation: an L2 read that started before one must not refill L1.
  let generation = 0
  return {
    get: (key: string, now: number) => {
      const entry = entries.get(key)
      if (entry === undefined || now < entry.expiresAt) return entry?.value
      entries.delete(key)
      return undefined
    },
    set: (key: string, value: CachedPrice, expiresAt: number) => {
      entries.delete(key)
      entries.set(key, { value, expiresAt })
      if (entries.size > L1_MAX_ENTRIES) entries.delete(entries.keys().next().value!)
    },
    invalidate: (keys: ReadonlyArray<string> | "all") => {
      generation++
      if (keys === "all") entries.clear()
      else for (const key of keys) entries.delete(key)
    },
    generation: () => generation
  }
}

type Shared = {
  readonly client: Redis
  readonly ns: string
  readonly origin: string
  readonly call: <A>(operation: string, run: (client: Redis) => Promise<A>) => Effect.Effect<Option.Option<A>>
  readonly warn: (operation: string, error: unknown) => Effect.Effect<void>
}

const makeCache = (shared: Shared | undefined) => Effect.gen(function*() {
  const l1 = makeL1()
  const applied = yield* SubscriptionRef.make(0)
  const apply = (keys: ReadonlyArray<string> | "all") =>
    Effect.zipRight(Effect.sync(() => l1.invalidate(keys)), SubscriptionRef.update(applied, (n) => n + 1))
  const probe = PriceCacheProbe.of({
    invalidationsApplied: SubscriptionRef.get(applied),
    awaitInvalidations: (count) => applied.changes.pipe(Stream.takeUntil((n) => n >= count), Stream.runDrain)
  })

  const getMany = Effect.fn("PriceCache.getMany")(function*(keys: ReadonlyArray<PriceKey>, at: number) {
    const now = yield* Clock.currentTimeMillis
    const found = keys.map((key) => {
      const value = l1.get(keyOf(key), now)
      return value !== undefined && servable(value, at) ? value : undefined
    })
    const misses = found.flatMap((value, i) => (value === undefined ? [i] : []))
    if (shared === undefined || misses.length === 0) return found
    const generation = l1.generation()
    const raw = yield* shared.call("MGET", (c) => c.mget(misses.map((i) => shared.ns + keyOf(keys[i]))))
    if (Option.isNone(raw)) return found
    misses.forEach((index, j) => {
      const value = Option.flatMap(Option.fromNullable(raw.value[j]), decodeCached).pipe(Option.getOrUndefined)
      if (value === undefined || !servable(value, at)) return
      found[index] = value
      // An entry lives at most its TTL from computation in either tier.
      const expiresAt = Math.min(now + priceTtlMs(value, now), value.computedAt + priceTtlMs(value, value.computedAt))
      if (expiresAt > now && generation === l1.generation()) l1.set(keyOf(keys[index]), value, expiresAt)
    })
    return found
  })

  const setMany = Effect.fn("PriceCache.setMany")(function*(
    entries: ReadonlyArray<{ readonly key: PriceKey; readonly value: CachedPrice }>
  ) {
    const now = yield* Clock.currentTimeMillis
    const writes = entries.flatMap(({ key, value }) => {
      const ttl = priceTtlMs(value, now)
      if (ttl <= 0) return []
      l1.set(keyOf(key), value, now + ttl)
      return [{ key: keyOf(key), value, ttl }]
    })
    if (shared === undefined) return
    yield* Effect.forEach(chunks(writes), (chunk) =>
      shared.call("SET", (c) => {
        const pipeline = c.pipeline()
        for (const w of chunk) {
          // Unserialisable pricing inputs (a bigint, say) stay in L1 only.
          Option.map(encodeCached(w.value), (json) => pipeline.set(shared.ns + w.key, json, "PX", Math.ceil(w.ttl)))
        }
        return pipeline.exec()
      }).pipe(Effect.flatMap((results) => {
        const failed = Option.getOrNull(results)?.find(([error]) => error !== null)
        return failed === undefined ? Effect.void : shared.warn("SET", failed[0])
      })), { discard: true })
  })

  const deleteShared = (s: Shared, invalidation: Invalidation) =>
    "all" in invalidation
      ? s.call("SCAN+UNLINK", async (c) => {
        // Escaped: the namespace is a literal prefix, not a glob.
        const match = `${s.ns.replace(/[*?[\]\\]/g, "\\$&")}price:*`
        let cursor = "0"
        do {
          const [next, found] = await c.scan(cursor, "MATCH", match, "COUNT", 1000)
          if (found.length > 0) await c.unlink(...found)
          cursor = next
        } while (cursor !== "0")
      })
      : Effect.forEach(chunks(invalidation.keys), (chunk) =>
        s.call("UNLINK", (c) => c.unlink(...chunk.map((key) => s.ns + keyOf(key)))), { discard: true })

  const publish = (s: Shared, invalidation: Invalidation, reason: string) =>
    Effect.forEach(
      "all" in invalidation ? [{ all: true }] : chunks(invalidation.keys).map((keys) => ({ keys })),
      (body: object) => s.call("PUBLISH", (c) => c.publish(`${s.ns}pricing.updated`, JSON.stringify({ origin: s.origin, ...body, reason }))),
      { discard: true }
    )

  const invalidate = Effect.fn("PriceCache.invalidate")(function*(invalidation: Invalidation, reason: string) {
    if (shared !== undefined) yield* deleteShared(shared, invalidation)
    // After the L2 delete, so a concurrent L1 miss cannot refill from the old L2 value.
    yield* apply("all" in invalidation ? "all" : invalidation.keys.map(keyOf))
    if (shared !== undefined) yield* publish(shared, invalidation, reason)
    const keys = "all" in invalidation ? "all" : invalidation.keys.length
    yield* Effect.logInfo("price cache invalidated").pipe(Effect.annotateLogs({ reason, keys }))
  })

  /** What a subscriber hears: our own messages are skipped (already applied locally). */
  const onMessage = (raw: string) =>
    Option.match(decodeMessage(raw), {
      onNone: () => Effect.logWarning("PriceCache: unreadable pricing.updated message"),
      onSome: (m) =>
        m.origin === shared?.origin ? Effect.void : apply(m.all === true ? "all" : (m.keys ?? []).map(keyOf))
    })

  const service = PriceCache.of({ getMany, setMany, invalidate, backend: shared === undefined ? "memory" : "redis" })
  return { service, probe, apply, onMessage }
})

const toContext = ({ probe, service }: { readonly service: PriceCache["Type"]; readonly probe: PriceCacheProbe["Type"] }) =>
  Context.make(PriceCache, service).pipe(Context.add(PriceCacheProbe, probe))

export const PriceCacheMemory: Layer.Layer<PriceCache | PriceCacheProbe> = Layer.effectContext(
  Effect.map(makeCache(undefined), toContext)
)

type Event = { readonly _tag: "Message"; readonly raw: string } | { readonly _tag: "Ready" } | { readonly _tag: "Error"; readonly message: string }

/** `namespace` prefixes keys and the channel. One connection for commands, one subscribed; both closed with the scope. */
export const PriceCacheRedis = (options: { readonly url: string; readonly namespace?: string }): Layer.Layer<PriceCache | PriceCacheProbe> =>
  Layer.scopedContext(Effect.gen(function*() {
    const ns = options.namespace ?? ""
    const channel = `${ns}pricing.updated`
    let lastWarnAt = Number.NEGATIVE_INFINITY
    let suppressed = 0
    const warn = (operation: string, error: unknown) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (now - lastWarnAt < WARN_EVERY_MS) return Effect.sync(() => void suppressed++)
        const annotations = { operation, error: String(error), suppressed }
        lastWarnAt = now
        suppressed = 0
        return Effect.logWarning("PriceCache: Redis unavailable; treating as a miss").pipe(Effect.annotateLogs(annotations))
      })
    const connect = (role: "commands" | "subscriber", extra: { readonly commandTimeout?: number }) =>
      Effect.acquireRelease(
        Effect.sync(() =>
          new Redis(options.url, {
            lazyConnect: true,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            connectTimeout: 2_000,
            autoResubscribe: false,
            // Visible in CLIENT LIST, for operators and for the reconnection test.
            connectionName: `${ns}price-cache-${role}`.replace(/\s/g, "_"),
            ...extra
          })
        ),
        (client) => Effect.sync(() => client.disconnect())
      )
    const client = yield* connect("commands", { commandTimeout: 1_000 })
    const subscriber = yield* connect("subscriber", {})
    const attempt = <A>(operation: string, run: () => Promise<A>) =>
      Effect.tryPromise(run).pipe(Effect.tapError((error) => warn(operation, error.cause)), Effect.option)
    const call = <A>(operation: string, run: (client: Redis) => Promise<A>) => attempt(operation, () => run(client))
    const cache = yield* makeCache({ client, ns, origin: randomUUID(), call, warn })

    const events = yield* Queue.unbounded<Event>()
    const subscribe = attempt("SUBSCRIBE", () => subscriber.subscribe(channel))
    yield* Queue.take(events).pipe(
      Effect.flatMap((event) => {
        switch (event._tag) {
          case "Message":
            return cache.onMessage(event.raw)
          case "Error":
            return warn("connection", event.message)
          case "Ready":
            // Reconnected: messages may have been missed, so subscribe again and forget L1.
            return Effect.zipRight(subscribe, cache.apply("all"))
        }
      }),
      Effect.forever,
      Effect.forkScoped
    )
    const push = (event: Event) => void Queue.unsafeOffer(events, event)
    for (const connection of [client, subscriber]) {
      connection.on("error", (error: Error) => push({ _tag: "Error", message: error.message }))
    }
    subscriber.on("message", (from: string, raw: string) => from === channel && push({ _tag: "Message", raw }))

    // Redis down: both fail within connectTimeout and ioredis keeps reconnecting in the background. The
    // timeout covers a peer that accepts but never answers; under TestClock it only matters if it hangs.
    const starting = (operation: string, run: () => Promise<unknown>) =>
      attempt(operation, run).pipe(Effect.timeoutOption("5 seconds"))
    yield* starting("CONNECT", () => client.connect())
    yield* starting("SUBSCRIBE", () => subscriber.connect().then(() => subscriber.subscribe(channel)))
    // Registered after the first connection so only reconnections trigger a resubscribe.
    subscriber.on("ready", () => push({ _tag: "Ready" }))
    return toContext(cache)
  }))

/** REDIS_URL set → Redis, else memory only. */
export const PriceCacheFromConfig: Layer.Layer<PriceCache | PriceCacheProbe, ConfigError> = Layer.unwrapEffect(
  Effect.map(Config.option(Config.nonEmptyString("REDIS_URL")), (url) =>
    Option.match(url, {
      onNone: () => Layer.tap(PriceCacheMemory, () => Effect.logInfo("PriceCache backend: memory (REDIS_URL unset)")),
      onSome: (url) => Layer.tap(PriceCacheRedis({ url }), () => Effect.logInfo("PriceCache backend: redis"))
    }))
)
