import { SkuNotFound } from "@qc/domain/Errors"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import type { Paise } from "@qc/domain/Money"
import type { PricingContext } from "@qc/domain/Order"
import type { PricingRule } from "@qc/domain/Pricing"
import { Clock, Context, Effect, Layer, Option } from "effect"
import { PriceCache } from "./PriceCache.js"
import type { CachedPrice } from "./PriceCache.js"
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

    const quote = (storeId: string, skuIds: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const at = yield* Clock.currentTimeMillis
        const keys = skuIds.map((skuId) => ({ storeId, skuId }))
        const cached = yield* cache.getMany(keys, at)
        const out = new Map<string, QuotedPrice>()
        const misses: Array<string> = []
        cached.forEach((value, i) => {
          if (value) out.set(skuIds[i], quoted(value))
          else misses.push(skuIds[i])
        })
        if (misses.length > 0) {
          const fresh = yield* evaluateMany(storeId, misses, at)
          const entries = [...fresh].map(([skuId, result]) => ({ key: { storeId, skuId }, value: toCached(result, at) }))
          for (const entry of entries) out.set(entry.key.skuId, quoted(entry.value))
          yield* cache.setMany(entries)
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
