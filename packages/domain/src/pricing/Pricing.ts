import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Category } from "../catalogue/Catalogue.js"
import { DateTimeInput } from "../DateTimeInput.js"
import { SkuId, StoreId } from "../Ids.js"
import { Paise, PriceInput } from "../Money.js"
import { identifier, safeText } from "../Text.js"

/** The pricing chain, highest priority first: the first rule that matches sets the price. */
export const PricingRule = Schema.Literal(
  "vendor_promotion",
  "expiry_markdown",
  "time_of_day",
  "competitor_parity",
  "base_price"
)
export type PricingRule = typeof PricingRule.Type

export const PromotionId = identifier(64).pipe(Schema.brand("PromotionId"))
export type PromotionId = typeof PromotionId.Type

/** `HH:MM` on the Asia/Kolkata wall clock; `24:00` only as a window's end. */
export const WallClockTime = Schema.String.pipe(
  Schema.pattern(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, { message: () => "expected HH:MM (00:00–24:00)" })
)

const Percent = Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThan(100))

/**
 * A vendor's time-bounded price, as its webhook sends it. Idempotent on `promotionId`.
 * Every store and SKU it names must exist (else 422 UnknownPromotionTargets), and its price
 * is at least ₹1 (`minimumPrice`): a "free" unit cannot be paid for.
 */
export class VendorPromotion extends Schema.Class<VendorPromotion>("VendorPromotion")({
  promotionId: PromotionId,
  vendor: safeText(100),
  /** `null`: every store. */
  storeIds: Schema.NullOr(Schema.Array(StoreId).pipe(Schema.minItems(1), Schema.maxItems(500))),
  skuIds: Schema.Array(SkuId).pipe(Schema.minItems(1), Schema.maxItems(1000)),
  price: PriceInput,
  startsAt: DateTimeInput,
  endsAt: DateTimeInput
}) {}

/** A per-category discount window on the IST wall clock, e.g. fresh produce −20% from 18:00. */
export const TimeRuleInput = Schema.Struct({
  ruleId: identifier(64),
  category: Category,
  /** Inclusive. */
  from: WallClockTime,
  /** Exclusive; earlier than `from` means the window crosses midnight. */
  until: WallClockTime,
  percent: Percent,
  /** `false` switches the rule off without deleting it. */
  active: Schema.optionalWith(Schema.Boolean, { default: () => true })
})
export type TimeRuleInput = typeof TimeRuleInput.Type

/** Base price = vendor cost × (1 + targetPercent); competitor parity never goes below cost × (1 + minPercent). */
export const CategoryMarginInput = Schema.Struct({
  category: Category,
  targetPercent: Schema.NullOr(Schema.Number.pipe(Schema.between(0, 500))),
  minPercent: Schema.Number.pipe(Schema.between(0, 500))
})
export type CategoryMarginInput = typeof CategoryMarginInput.Type

/** The expiry markdown for a category: batches within 48 h of best-before sell at −percent. */
export const MarkdownPercentInput = Schema.Struct({
  category: Category,
  percent: Percent
})
export type MarkdownPercentInput = typeof MarkdownPercentInput.Type

export const CompetitorSignal = Schema.Struct({
  skuId: SkuId,
  competitor: safeText(64),
  price: PriceInput,
  observedAt: DateTimeInput
})
export type CompetitorSignal = typeof CompetitorSignal.Type

/** One rule's verdict in an explanation: matched or not, and why. */
export const RuleVerdict = Schema.Struct({
  rule: PricingRule,
  ruleId: Schema.NullOr(Schema.String),
  matched: Schema.Boolean,
  /** The first matched rule is the one applied. */
  applied: Schema.Boolean,
  /** What this rule would charge when matched. */
  price: Schema.NullOr(Schema.Int),
  reason: Schema.String,
  inputs: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})
export type RuleVerdict = typeof RuleVerdict.Type

export const PriceExplanation = Schema.Struct({
  storeId: StoreId,
  skuId: SkuId,
  at: Schema.DateTimeUtc,
  price: Paise,
  rule: PricingRule,
  /** Until when this answer holds if no rule changes (the next window edge, expiry or staleness). */
  validUntil: Schema.NullOr(Schema.DateTimeUtc),
  chain: Schema.Array(RuleVerdict)
})
export type PriceExplanation = typeof PriceExplanation.Type

/** The promotion id was used before with a different body; the stored promotion stands. */
export class PromotionConflict extends Schema.TaggedError<PromotionConflict>()(
  "PromotionConflict",
  { promotionId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** The webhook body is signed correctly but is not a valid promotion. */
export class InvalidPromotion extends Schema.TaggedError<InvalidPromotion>()(
  "InvalidPromotion",
  { message: Schema.String, issues: Schema.Array(Schema.Struct({ path: Schema.Array(Schema.String), message: Schema.String })) },
  HttpApiSchema.annotations({ status: 400 })
) {}

/** The promotion names stores or SKUs we do not have; nothing was stored. */
export class UnknownPromotionTargets extends Schema.TaggedError<UnknownPromotionTargets>()(
  "UnknownPromotionTargets",
  {
    promotionId: Schema.String,
    message: Schema.String,
    unknownStoreIds: Schema.Array(Schema.String),
    unknownSkuIds: Schema.Array(Schema.String)
  },
  HttpApiSchema.annotations({ status: 422 })
) {}
