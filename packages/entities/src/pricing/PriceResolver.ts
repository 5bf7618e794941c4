import { SkuNotFound } from "@qc/domain/Errors"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import type { Paise } from "@qc/domain/Money"
import type { PricingContext } from "@qc/domain/orders/Order"
import type { PricingRule } from "@qc/domain/pricing/Pricing"
import { Clock, Context, Deferred, Effect, Exit, FiberId, Layer, Option } from "effect"
import { PriceCache } from "./PriceCache.js"
import type { CachedPrice } from "./PriceCache.js"
import { priceTtlMs, servable } from "./PriceCache.js"
import { type ChainResult, defaultChainSettings, evaluate } from "./PricingChain.js"
import { PricingRepo } from "./PricingRepo.js"

export interface ResolvedPrice {
  readonly price: Paise
  readonly pricingContext: PricingContext
}

export interface QuotedPrice extends ResolvedPrice {
  readonly rule: PricingRule
  readonly validUntil: number | null
}

/**
 * The price of a SKU at a store at an instant, and why.
 * - `resolve`/`resolveMany` evaluate the chain on the rules as stored now: what
 *   checkout charges. They never read the cache, so a price cached before a rule
 *   change cannot be charged.
 * - `quote` is for browse and search: the shared cache first, the chain on a miss.
 * - `explain` gives every rule's verdict (admin).
 */
export class PriceResolver extends Context.Tag("PriceResolver")<PriceResolver, {
  readonly resolve: (storeId: StoreId, skuId: SkuId, at: number) => Effect.Effect<ResolvedPrice, SkuNotFound>
  readonly resolveMany: (
    storeId: StoreId,
    skuIds: ReadonlyArray<SkuId>,
    at: number
  ) => Effect.Effect<ReadonlyMap<string, ResolvedPrice>, SkuNotFound>
  readonly quote: (storeId: string, skuIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, QuotedPrice>>
  readonly explain: (storeId: StoreId, skuId: SkuId, at: number) => Effect.Effect<ChainResult, SkuNotFound>
}>() {}

/** Past this share of its TTL, a served entry is recomputed in the background. */
const refreshAheadFraction = 0.75

const toCached = (result: ChainResult, at: number): CachedPrice => ({
  price: result.price,
  rule: result.rule,
  pricingContext: result.pricingContext,
  computedAt: at,
  validUntil: result.validUntil,
  timeSensitive: result.timeSensitive
})

const quoted = (value: CachedPrice): QuotedPrice => ({
  price: value.price as Paise,
  pricingContext: value.pricingContext,
  rule: value.rule,
  validUntil: value.validUntil
})

/** The pricing chain over the rules in Postgres, with the shared cache for quotes. */
export const PricingChainResolverLive = Layer.effect(
  PriceResolver,
  Effect.gen(function*() {
    const repo = yield* PricingRepo
    const cache = yield* PriceCache

    const evaluateMany = (storeId: string, skuIds: ReadonlyArray<string>, at: number) =>
      Effect.map(repo.inputs(storeId, skuIds, at), (inputs) => {
        const out = new Map<string, ChainResult>()
        for (const [skuId, input] of inputs) out.set(skuId, evaluate(input, at, defaultChainSettings))
        return out
      })

    const resolveMany = (storeId: StoreId, skuIds: ReadonlyArray<SkuId>, at: number) =>
      Effect.gen(function*() {
        const results = yield* evaluateMany(storeId, skuIds, at)
        const missing = skuIds.find((id) => !results.has(id))
        if (missing !== undefined) return yield* Effect.fail(new SkuNotFound({ skuId: missing }))
        const out = new Map<string, ResolvedPrice>()
        for (const [skuId, r] of results) out.set(skuId, { price: r.price as Paise, pricingContext: r.pricingContext })
        return out as ReadonlyMap<string, ResolvedPrice>
      }).pipe(Effect.withSpan("PriceResolver.resolveMany"))

    /** Prices being computed now, so concurrent misses on one key compute it once. */
    const inFlight = new Map<string, Deferred.Deferred<CachedPrice | undefined>>()

    /** Computes and caches these prices once, whoever else asks for them meanwhile. */
    const compute = (storeId: string, skuIds: ReadonlyArray<string>, at: number) =>
      Effect.gen(function*() {
        const deferreds = new Map<string, Deferred.Deferred<CachedPrice | undefined>>()
        for (const skuId of skuIds) {
          const d = Deferred.unsafeMake<CachedPrice | undefined>(FiberId.none)
          deferreds.set(skuId, d)
          inFlight.set(`${storeId}/${skuId}`, d)
        }
        const settle = (value: (skuId: string) => CachedPrice | undefined) =>
          Effect.sync(() => {
            for (const [skuId, d] of deferreds) {
              inFlight.delete(`${storeId}/${skuId}`)
              Deferred.unsafeDone(d, Exit.succeed(value(skuId)))
            }
          })
        return yield* Effect.gen(function*() {
          const fresh = yield* evaluateMany(storeId, skuIds, at)
          const entries = [...fresh].map(([skuId, result]) => ({ key: { storeId, skuId }, value: toCached(result, at) }))
          yield* cache.setMany(entries)
          const byId = new Map(entries.map((e) => [e.key.skuId, e.value]))
          yield* settle((skuId) => byId.get(skuId))
          return byId
        }).pipe(Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : settle(() => undefined))))
      })

    const quote = (storeId: string, skuIds: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const at = yield* Clock.currentTimeMillis
        const keys = skuIds.map((skuId) => ({ storeId, skuId }))
        const cached = yield* cache.getMany(keys, at)
        const out = new Map<string, QuotedPrice>()
        const mine: Array<string> = []
        const theirs: Array<[string, Deferred.Deferred<CachedPrice | undefined>]> = []
        const ageing: Array<string> = []
        cached.forEach((value, i) => {
          const skuId = skuIds[i]
          if (value) {
            if (at - value.computedAt > refreshAheadFraction * priceTtlMs(value, value.computedAt)) ageing.push(skuId)
            return out.set(skuId, quoted(value))
          }
          const pending = inFlight.get(`${storeId}/${skuId}`)
          if (pending) theirs.push([skuId, pending])
          else mine.push(skuId)
        })
        if (mine.length > 0) {
          for (const [skuId, value] of yield* compute(storeId, mine, at)) out.set(skuId, quoted(value))
        }
        // Refresh-ahead: entries late in their TTL are recomputed in the background while
        // still served, so a steady browse load does not meet a wall of expiries.
        const stale = ageing.filter((skuId) => !inFlight.has(`${storeId}/${skuId}`))
        if (stale.length > 0) yield* Effect.forkDaemon(Effect.ignore(compute(storeId, stale, at)))
        // A computation joined here may have started at an earlier instant (a refresh-ahead
        // just before a rule boundary) or failed: then compute for this instant.
        const again: Array<string> = []
        for (const [skuId, pending] of theirs) {
          const value = yield* Deferred.await(pending)
          if (value && servable(value, at)) out.set(skuId, quoted(value))
          else again.push(skuId)
        }
        if (again.length > 0) {
          for (const [skuId, value] of yield* compute(storeId, again, at)) out.set(skuId, quoted(value))
        }
        return out as ReadonlyMap<string, QuotedPrice>
      })

    return PriceResolver.of({
      resolve: (storeId, skuId, at) =>
        Effect.map(resolveMany(storeId, [skuId], at), (prices) => prices.get(skuId)!),
      resolveMany,
      quote,
      explain: (storeId, skuId, at) =>
        Effect.flatMap(evaluateMany(storeId, [skuId], at), (results) =>
          Option.match(Option.fromNullable(results.get(skuId)), {
            onNone: () => Effect.fail(new SkuNotFound({ skuId })),
            onSome: Effect.succeed
          }))
    })
  })
)
