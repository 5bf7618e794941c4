import { Schema } from "effect"
import { CategoryMarginInput, MarkdownPercentInput, PromotionId, TimeRuleInput } from "../pricing/Pricing.js"
import { eventSchema } from "./EventSchema.js"

/** A vendor promotion was stored (a replay of one already stored publishes nothing). */
export const PromotionReceived = Schema.Struct({
  rule: Schema.Literal("vendor_promotion"),
  promotionId: PromotionId,
  /** How many SKUs it prices. */
  skus: Schema.Int
})

/** Expiry markdowns were recomputed (nightly, or for one store-SKU on receipt). */
export const MarkdownsRecomputed = Schema.Struct({
  rule: Schema.Literal("expiry_markdown"),
  /** Store-SKUs whose markdown rows changed. */
  changed: Schema.Int
})

/** The competitor feed was pulled. */
export const CompetitorPricesRefreshed = Schema.Struct({
  rule: Schema.Literal("competitor_parity"),
  source: Schema.String,
  signals: Schema.Int
})

/** An admin set a time-of-day rule. */
export const TimeRuleSet = Schema.Struct({ rule: Schema.Literal("time_of_day"), ...TimeRuleInput.fields })

/** An admin set a category's margins. */
export const CategoryMarginSet = Schema.Struct({ rule: Schema.Literal("base_price"), ...CategoryMarginInput.fields })

/** An admin set a category's markdown percent (shares its `rule` with `MarkdownsRecomputed`; told apart by fields). */
export const MarkdownPercentSet = Schema.Struct({ rule: Schema.Literal("expiry_markdown"), ...MarkdownPercentInput.fields })

/**
 * A pricing rule changed. Aggregate: the scope of the change (`promotion:{id}`,
 * `markdown:all`, `markdown:{storeId}/{skuId}`, `competitor:feed`, `time-rule:{id}`,
 * `margin:{category}`, `markdown-percent:{category}`).
 */
export const PricingUpdated = eventSchema(
  "pricing.updated",
  Schema.Union(PromotionReceived, MarkdownsRecomputed, CompetitorPricesRefreshed, TimeRuleSet, CategoryMarginSet, MarkdownPercentSet)
)
export type PricingUpdated = typeof PricingUpdated.Type
