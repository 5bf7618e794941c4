import { PricingContext } from "@qc/domain/orders/Order"
import { PricingRule } from "@qc/domain/pricing/Pricing"
import { Clock, Config, Effect, Layer, Option, Queue, Schema } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { keyOf, makePriceCache, PriceCacheMemory, toContext } from "./PriceCache.js"
import type { CachedPrice, Invalidation, PriceCache, PriceCacheL2, PriceCacheProbe, PriceKey } from "./PriceCache.js"

const CHUNK = 500
const WARN_EVERY_MS = 10_000

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

const chunks = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK))

type Shared = {
  readonly ns: string
  readonly origin: string
  readonly call: <A>(operation: string, run: (client: Redis) => Promise<A>) => Effect.Effect<Option.Option<A>>
  readonly warn: (operation: string, error: unknown) => Effect.Effect<void>
}

/** L2 in Redis: `price:<store>:<sku>` keys with a PX TTL, invalidations published on `pricing.updated`. */
const makeL2 = (s: Shared): PriceCacheL2 => ({
  getMany: (keys) =>
    Effect.map(
      s.call("MGET", (c) => c.mget(keys.map((key) => s.ns + keyOf(key)))),
      Option.map((raw) => raw.map((json) => Option.flatMap(Option.fromNullable(json), decodeCached).pipe(Option.getOrUndefined)))
    ),
  setMany: (writes) =>
    Effect.forEach(chunks(writes), (chunk) =>
      s.call("SET", (c) => {
        const pipeline = c.pipeline()
        for (const w of chunk) {
          // Unserialisable pricing inputs (a bigint, say) stay in L1 only.
          Option.map(encodeCached(w.value), (json) => pipeline.set(s.ns + keyOf(w.key), json, "PX", Math.ceil(w.ttl)))
        }
        return pipeline.exec()
      }).pipe(Effect.flatMap((results) => {
        const failed = Option.getOrNull(results)?.find(([error]) => error !== null)
        return failed === undefined ? Effect.void : s.warn("SET", failed[0])
      })), { discard: true }),
  remove: (invalidation) =>
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
        s.call("UNLINK", (c) => c.unlink(...chunk.map((key) => s.ns + keyOf(key)))), { discard: true }),
  publish: (invalidation, reason) =>
    Effect.forEach(
      "all" in invalidation ? [{ all: true }] : chunks(invalidation.keys).map((keys) => ({ keys })),
      (body: object) => s.call("PUBLISH", (c) => c.publish(`${s.ns}pricing.updated`, JSON.stringify({ origin: s.origin, ...body, reason }))),
      { discard: true }
    )
})

/** What a subscriber hears: our own messages are skipped (already applied locally). */
const onMessage = (origin: string, apply: (keys: ReadonlyArray<string> | "all") => Effect.Effect<void>) => (raw: string) =>
  Option.match(decodeMessage(raw), {
    onNone: () => Effect.logWarning("PriceCache: unreadable pricing.updated message"),
    onSome: (m) => m.origin === origin ? Effect.void : apply(m.all === true ? "all" : (m.keys ?? []).map(keyOf))
  })

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
    const origin = randomUUID()
    const cache = yield* makePriceCache(makeL2({ ns, origin, call, warn }))
    const heard = onMessage(origin, cache.apply)

    const events = yield* Queue.unbounded<Event>()
    const subscribe = attempt("SUBSCRIBE", () => subscriber.subscribe(channel))
    yield* Queue.take(events).pipe(
      Effect.flatMap((event) => {
        switch (event._tag) {
          case "Message":
            return heard(event.raw)
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
