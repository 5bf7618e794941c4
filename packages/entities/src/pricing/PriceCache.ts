import type { PricingContext } from "@qc/domain/orders/Order"
import type { PricingRule } from "@qc/domain/pricing/Pricing"
import { Clock, Context, Effect, Layer, Option, Stream, SubscriptionRef } from "effect"

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

export const priceTtlMs = (value: CachedPrice, now: number): number => {
  const ttl = value.timeSensitive ? TIME_SENSITIVE_TTL_MS : TTL_MS
  return value.validUntil === null ? ttl : Math.min(ttl, value.validUntil - now)
}

/** Whether a price computed earlier may still be shown at `at`. */
export const servable = (value: CachedPrice, at: number) =>
  at >= value.computedAt && (value.validUntil === null || at < value.validUntil)

/** A price's key in L1, and in L2 after the namespace. */
export const keyOf = (key: PriceKey) => `price:${key.storeId}:${key.skuId}`

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

/** L2, shared by all runners (Redis: PriceCacheRedis). Its failures are misses and skipped writes, already logged. */
export interface PriceCacheL2 {
  /** One read for all the keys; `None` when L2 could not answer. */
  readonly getMany: (keys: ReadonlyArray<PriceKey>) => Effect.Effect<Option.Option<ReadonlyArray<CachedPrice | undefined>>>
  readonly setMany: (
    writes: ReadonlyArray<{ readonly key: PriceKey; readonly value: CachedPrice; readonly ttl: number }>
  ) => Effect.Effect<void>
  readonly remove: (invalidation: Invalidation) => Effect.Effect<void>
  /** Tells the other runners to drop the entries from their L1. */
  readonly publish: (invalidation: Invalidation, reason: string) => Effect.Effect<void>
}

/** L1, backed by `shared` when there is one. `apply` drops entries from L1 (an invalidation heard from another runner). */
export const makePriceCache = (shared: PriceCacheL2 | undefined) => Effect.gen(function*() {
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
    const read = yield* shared.getMany(misses.map((i) => keys[i]))
    if (Option.isNone(read)) return found
    misses.forEach((index, j) => {
      const value = read.value[j]
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
      return [{ key, value, ttl }]
    })
    if (shared === undefined) return
    yield* shared.setMany(writes)
  })

  const invalidate = Effect.fn("PriceCache.invalidate")(function*(invalidation: Invalidation, reason: string) {
    if (shared !== undefined) yield* shared.remove(invalidation)
    // After the L2 delete, so a concurrent L1 miss cannot refill from the old L2 value.
    yield* apply("all" in invalidation ? "all" : invalidation.keys.map(keyOf))
    if (shared !== undefined) yield* shared.publish(invalidation, reason)
    const keys = "all" in invalidation ? "all" : invalidation.keys.length
    yield* Effect.logInfo("price cache invalidated").pipe(Effect.annotateLogs({ reason, keys }))
  })

  const service = PriceCache.of({ getMany, setMany, invalidate, backend: shared === undefined ? "memory" : "redis" })
  return { service, probe, apply }
})

export const toContext = ({ probe, service }: { readonly service: PriceCache["Type"]; readonly probe: PriceCacheProbe["Type"] }) =>
  Context.make(PriceCache, service).pipe(Context.add(PriceCacheProbe, probe))

export const PriceCacheMemory: Layer.Layer<PriceCache | PriceCacheProbe> = Layer.effectContext(
  Effect.map(makePriceCache(undefined), toContext)
)
