import { ClusterCron } from "@effect/cluster"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import { PricingRuleStore } from "@qc/entities/pricing/PricingRuleStore"
import { Cron, Effect, Layer } from "effect"

/** Every 30 minutes, once per cluster: the competitor feed into `competitor_prices`. */
export const CompetitorPricesCron = ClusterCron.make({
  name: "competitor-prices",
  cron: Cron.unsafeParse("*/30 * * * *", "UTC"),
  execute: Effect.flatMap(PricingRuleStore, (rules) => rules.refreshCompetitorPrices()).pipe(
    Effect.tap((n) => Effect.logInfo(`competitor prices refreshed: ${n} signal(s)`))
  )
})

/** Nightly at 00:30 IST, once per cluster: markdowns for batches nearing best-before. */
export const ExpiryMarkdownsCron = ClusterCron.make({
  name: "expiry-markdowns",
  cron: Cron.unsafeParse("30 0 * * *", "Asia/Kolkata"),
  execute: Effect.flatMap(PricingRuleStore, (rules) => rules.recomputeMarkdowns()).pipe(
    Effect.tap((n) => Effect.logInfo(`expiry markdowns recomputed: ${n} store-SKU(s) changed`))
  )
})

/**
 * A new batch may be near best-before already: its store-SKU's markdown is
 * recomputed as soon as the receipt's `inventory.updated` is seen.
 */
export const MarkdownOnReceipt = Layer.effectDiscard(
  Effect.gen(function*() {
    const events = yield* DomainEvents
    const rules = yield* PricingRuleStore
    yield* events.subscribe("expiry-markdowns-on-receipt", (event) => {
      if (event.type !== "inventory.updated") return Effect.void
      const { received, skuId, storeId } = event.payload
      if (received.length === 0) return Effect.void
      return rules.recomputeMarkdowns({ storeId, skuId }).pipe(
        Effect.catchAllCause((cause) => Effect.logWarning("markdown on receipt failed", cause))
      )
    })
  })
)

/** At start: markdowns and competitor prices as of now, so a fresh server prices right before the first cron run. */
export const PricingWarmup = Layer.effectDiscard(
  Effect.gen(function*() {
    const rules = yield* PricingRuleStore
    const markdowns = yield* rules.recomputeMarkdowns()
    const signals = yield* rules.refreshCompetitorPrices().pipe(
      Effect.catchTag("CompetitorFeedError", (e) => Effect.as(Effect.logWarning(`competitor feed: ${e.message}`), 0))
    )
    yield* Effect.logInfo(`pricing ready: ${markdowns} store-SKU(s) with markdown changes, ${signals} competitor signal(s)`)
  })
)

export const PricingJobsLive = Layer.mergeAll(CompetitorPricesCron, ExpiryMarkdownsCron, MarkdownOnReceipt, PricingWarmup)
