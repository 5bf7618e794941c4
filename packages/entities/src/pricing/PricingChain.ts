import type { Category } from "@qc/domain/catalogue/Catalogue"
import { minimumPrice } from "@qc/domain/Money"
import type { PricingContext } from "@qc/domain/orders/Order"
import type { PricingRule, RuleVerdict } from "@qc/domain/pricing/Pricing"

/** Everything the chain needs about one SKU at one store; gathered by the caller, evaluated here without I/O. */
export interface ChainInputs {
  readonly storeId: string
  readonly skuId: string
  readonly category: Category
  /** Integer paise. */
  readonly catalogueBasePrice: number
  /** Integer paise; `null` if unknown. */
  readonly vendorCost: number | null
  /** The category's margins. */
  readonly margin: { readonly targetPercent: number | null; readonly minPercent: number } | null
  /** Already filtered to this store and SKU, any time window. */
  readonly promotions: ReadonlyArray<{
    readonly promotionId: string
    readonly vendor: string
    readonly price: number
    readonly startsAt: number
    readonly endsAt: number
  }>
  /** Computed markdowns of batches; `qty` is the units left in that batch now. */
  readonly markdowns: ReadonlyArray<{ readonly lot: string; readonly bestBefore: number; readonly percent: number; readonly qty: number }>
  /** The category's active rules, `HH:MM` on the IST wall clock. */
  readonly timeRules: ReadonlyArray<{ readonly ruleId: string; readonly from: string; readonly until: string; readonly percent: number }>
  readonly signals: ReadonlyArray<{ readonly competitor: string; readonly price: number; readonly observedAt: number }>
}

export interface ChainSettings {
  readonly markdownWindowMs: number
  readonly competitorFreshMs: number
  /** Used when the category has no margin row. */
  readonly defaultMinMarginPercent: number
}

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000
const IST_OFFSET = 330 * MINUTE

export const defaultChainSettings: ChainSettings = {
  markdownWindowMs: 48 * HOUR,
  competitorFreshMs: 2 * HOUR,
  defaultMinMarginPercent: 5
}

/**
 * No rule prices a unit under this (₹1): Razorpay refuses an order below it, so a cheaper
 * unit (a promotion at 0 paise, a deep markdown of a cheap item) could only fail at checkout.
 * Promotions under it are refused when they arrive; this keeps rows stored before that rule,
 * and percentages of small prices, from ever charging less.
 */
export const minimumUnitPrice: number = minimumPrice

export interface ChainResult {
  /** Integer paise, >= `minimumUnitPrice`. */
  readonly price: number
  readonly rule: PricingRule
  readonly pricingContext: PricingContext
  /** The first instant after `at` at which a rule's match or chosen candidate can change; `null` if none. */
  readonly validUntil: number | null
  /** The applied rule is vendor_promotion, expiry_markdown or time_of_day. */
  readonly timeSensitive: boolean
  /** All five rules, in priority order. */
  readonly chain: ReadonlyArray<RuleVerdict>
}

type Verdict = Omit<RuleVerdict, "applied">
interface Outcome {
  readonly verdict: Verdict
  /** Instants at which this rule's verdict may change. */
  readonly changes: ReadonlyArray<number>
}

const mod = (n: number, m: number) => ((n % m) + m) % m
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const best = <A>(xs: ReadonlyArray<A>, order: (a: A, b: A) => number): A | undefined => [...xs].sort(order)[0]
const iso = (ms: number) => new Date(ms).toISOString()
const pad = (n: number) => String(n).padStart(2, "0")
const wallClock = (minute: number) => `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`
const toMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
// (100 − p) / 100 rather than 1 − p/100: the integer product keeps Math.round/ceil exact (100 × 1.1 = 110.00000000000001).
const percentOff = (price: number, percent: number) => Math.max(0, Math.round((price * (100 - percent)) / 100))

/** Minutes since midnight on the Asia/Kolkata wall clock (UTC+05:30, no DST). */
export const istMinuteOfDay = (at: number): number => Math.floor(mod(at + IST_OFFSET, DAY) / MINUTE)

const nextIstMinute = (at: number, minute: number) => {
  const delta = mod(minute * MINUTE - mod(at + IST_OFFSET, DAY), DAY)
  return at + (delta === 0 ? DAY : delta)
}

const matched = (rule: PricingRule, ruleId: string | null, price: number, reason: string, inputs: Verdict["inputs"]): Verdict =>
  ({ rule, ruleId, matched: true, price, reason, inputs })
const missed = (rule: PricingRule, reason: string, inputs: Verdict["inputs"]): Verdict =>
  ({ rule, ruleId: null, matched: false, price: null, reason, inputs })

const basePriceRule = ({ catalogueBasePrice, margin, vendorCost }: ChainInputs): Outcome => {
  const targetPercent = margin?.targetPercent ?? null
  const inputs = (source: string) => ({ source, vendorCost, targetPercent, catalogueBasePrice })
  const verdict = vendorCost !== null && targetPercent !== null
    ? matched(
      "base_price",
      null,
      Math.round((vendorCost * (100 + targetPercent)) / 100),
      `vendor cost ${vendorCost} plus the category's ${targetPercent}% target margin`,
      inputs("vendor_cost_margin")
    )
    : matched(
      "base_price",
      null,
      catalogueBasePrice,
      vendorCost === null ? "catalogue base price; vendor cost unknown" : "catalogue base price; no target margin for the category",
      inputs("catalogue")
    )
  return { verdict, changes: [] }
}

const vendorPromotion = (promotions: ChainInputs["promotions"], basePrice: number, at: number): Outcome => {
  const changes = promotions.flatMap((p) => [p.startsAt, p.endsAt])
  const live = best(
    promotions.filter((p) => p.startsAt <= at && at < p.endsAt),
    (a, b) => a.price - b.price || byString(a.promotionId, b.promotionId)
  )
  if (live !== undefined) {
    const inputs = { vendor: live.vendor, promotionPrice: live.price, startsAt: iso(live.startsAt), endsAt: iso(live.endsAt), basePrice }
    const reason = `vendor ${live.vendor} promotion ${live.promotionId} runs until ${iso(live.endsAt)}`
    return { verdict: matched("vendor_promotion", live.promotionId, live.price, reason, inputs), changes }
  }
  const upcoming = best(promotions.filter((p) => p.startsAt > at), (a, b) => a.startsAt - b.startsAt)
  const ended = best(promotions, (a, b) => b.endsAt - a.endsAt)
  const reason = upcoming !== undefined
    ? `promotion ${upcoming.promotionId} starts at ${iso(upcoming.startsAt)}`
    : ended !== undefined
    ? `promotion ${ended.promotionId} ended at ${iso(ended.endsAt)}`
    : "no promotion for this SKU at this store"
  return { verdict: missed("vendor_promotion", reason, { basePrice }), changes }
}

const expiryMarkdown = (markdowns: ChainInputs["markdowns"], basePrice: number, at: number, windowMs: number): Outcome => {
  const inWindow = (m: ChainInputs["markdowns"][number]) => m.bestBefore - windowMs <= at && at < m.bestBefore
  const stocked = markdowns.filter((m) => m.qty > 0)
  const changes = stocked.flatMap((m) => [m.bestBefore - windowMs, m.bestBefore])
  const live = best(
    stocked.filter(inWindow),
    (a, b) => b.percent - a.percent || a.bestBefore - b.bestBefore || byString(a.lot, b.lot)
  )
  if (live !== undefined) {
    const hoursLeft = Math.round((live.bestBefore - at) / HOUR * 10) / 10
    const inputs = { batch: live.lot, bestBefore: iso(live.bestBefore), percent: live.percent, basePrice, hoursLeft }
    const reason = `batch ${live.lot} is ${hoursLeft} h from best-before: −${live.percent}%`
    return { verdict: matched("expiry_markdown", live.lot, percentOff(basePrice, live.percent), reason, inputs), changes }
  }
  const soldOutNearExpiry = markdowns.find((m) => m.qty <= 0 && inWindow(m))
  const soldOut = markdowns.find((m) => m.qty <= 0)
  const upcoming = best(stocked.filter((m) => m.bestBefore - windowMs > at), (a, b) => a.bestBefore - b.bestBefore)
  const passed = best(stocked.filter((m) => m.bestBefore <= at), (a, b) => b.bestBefore - a.bestBefore)
  const reason = soldOutNearExpiry !== undefined
    ? `batch ${soldOutNearExpiry.lot} is near expiry but sold out`
    : upcoming !== undefined
    ? `batch ${upcoming.lot} markdown window opens at ${iso(upcoming.bestBefore - windowMs)}`
    : passed !== undefined
    ? `batch ${passed.lot} best-before passed at ${iso(passed.bestBefore)}`
    : soldOut !== undefined
    ? `batch ${soldOut.lot} sold out`
    : "no near-expiry batch"
  return { verdict: missed("expiry_markdown", reason, { basePrice }), changes }
}

const timeOfDay = (rules: ChainInputs["timeRules"], basePrice: number, at: number): Outcome => {
  const minute = istMinuteOfDay(at)
  const localTime = wallClock(minute)
  // from == until is an empty window: it never matches, so its edges change nothing.
  const windows = rules.map((r) => ({ ...r, start: toMinute(r.from), end: toMinute(r.until) })).filter((r) => r.start !== r.end)
  const changes = windows.flatMap((r) => [nextIstMinute(at, r.start), nextIstMinute(at, r.end)])
  const live = best(
    windows.filter((r) => r.start < r.end ? r.start <= minute && minute < r.end : minute >= r.start || minute < r.end),
    (a, b) => b.percent - a.percent || byString(a.ruleId, b.ruleId)
  )
  if (live !== undefined) {
    const inputs = { from: live.from, until: live.until, percent: live.percent, timezone: "Asia/Kolkata", basePrice, localTime }
    const reason = `${localTime} IST is within ${live.from}–${live.until}: −${live.percent}%`
    return { verdict: matched("time_of_day", live.ruleId, percentOff(basePrice, live.percent), reason, inputs), changes }
  }
  const reason = rules.length === 0
    ? "no time-of-day rule for this category"
    : `${localTime} IST is outside ${rules.map((r) => `${r.from}–${r.until}`).join(", ")}`
  return { verdict: missed("time_of_day", reason, { timezone: "Asia/Kolkata", basePrice, localTime }), changes }
}

const competitorParity = (inputs: ChainInputs, basePrice: number, at: number, settings: ChainSettings): Outcome => {
  const { competitorFreshMs } = settings
  const changes = inputs.signals.flatMap((s) => [s.observedAt, s.observedAt + competitorFreshMs + 1])
  const lowest = best(
    inputs.signals.filter((s) => s.observedAt <= at && at - s.observedAt <= competitorFreshMs),
    (a, b) => a.price - b.price || byString(a.competitor, b.competitor) || b.observedAt - a.observedAt
  )
  const { vendorCost } = inputs
  const minPercent = inputs.margin?.minPercent ?? settings.defaultMinMarginPercent
  if (lowest === undefined) {
    return { verdict: missed("competitor_parity", "no fresh competitor price", { basePrice }), changes }
  }
  const floor = vendorCost === null ? null : Math.ceil((vendorCost * (100 + minPercent)) / 100)
  const facts = {
    competitor: lowest.competitor,
    competitorPrice: lowest.price,
    observedAt: iso(lowest.observedAt),
    floor,
    vendorCost,
    minPercent,
    basePrice
  }
  const miss = (reason: string): Outcome => ({ verdict: missed("competitor_parity", reason, facts), changes })
  if (lowest.price >= basePrice) return miss(`lowest competitor price ${lowest.price} (${lowest.competitor}) is not below base ${basePrice}`)
  if (floor === null) return miss("vendor cost unknown, so no margin floor can be set")
  const price = Math.max(lowest.price, floor, minimumUnitPrice)
  if (floor >= basePrice) return miss(`margin floor ${floor} is at or above base ${basePrice}`)
  if (price >= basePrice) return miss(`the minimum price ${minimumUnitPrice} is at or above base ${basePrice}`)
  const reason = price === floor
    ? `${lowest.competitor} sells at ${lowest.price}; matched down to the margin floor ${floor}`
    : price === minimumUnitPrice && lowest.price < price
    ? `${lowest.competitor} sells at ${lowest.price}; matched down to the minimum price ${minimumUnitPrice}`
    : `${lowest.competitor} sells at ${lowest.price}; matched`
  return { verdict: matched("competitor_parity", lowest.competitor, price, reason, facts), changes }
}

const timeSensitiveRules: ReadonlyArray<PricingRule> = ["vendor_promotion", "expiry_markdown", "time_of_day"]

/** A matched verdict under the minimum is raised to it, and says so. */
const atLeastMinimum = ({ verdict, changes }: Outcome): Outcome =>
  verdict.price === null || verdict.price >= minimumUnitPrice ? { verdict, changes } : {
    verdict: {
      ...verdict,
      price: minimumUnitPrice,
      reason: `${verdict.reason}; raised to the minimum price of ${minimumUnitPrice} paise`,
      inputs: { ...verdict.inputs, rulePrice: verdict.price, minimumPrice: minimumUnitPrice }
    },
    changes
  }

/** Runs the pricing chain at `at` (epoch ms): the first matched rule sets the price. Pure. */
export const evaluate = (inputs: ChainInputs, at: number, settings: ChainSettings = defaultChainSettings): ChainResult => {
  const base = atLeastMinimum(basePriceRule(inputs))
  const basePrice = base.verdict.price ?? inputs.catalogueBasePrice
  const outcomes = [
    vendorPromotion(inputs.promotions, basePrice, at),
    expiryMarkdown(inputs.markdowns, basePrice, at, settings.markdownWindowMs),
    timeOfDay(inputs.timeRules, basePrice, at),
    competitorParity(inputs, basePrice, at, settings),
    base
  ].map(atLeastMinimum)
  const appliedAt = outcomes.findIndex((o) => o.verdict.matched)
  const chain = outcomes.map((o, i): RuleVerdict => ({ ...o.verdict, applied: i === appliedAt }))
  const applied = chain[appliedAt]
  const validUntil = outcomes
    .flatMap((o) => o.changes)
    .reduce<number | null>((min, t) => (t > at && (min === null || t < min) ? t : min), null)
  return {
    price: applied.price ?? basePrice,
    rule: applied.rule,
    pricingContext: { rule: applied.rule, ruleId: applied.ruleId, reason: applied.reason, inputs: applied.inputs },
    validUntil,
    timeSensitive: timeSensitiveRules.includes(applied.rule),
    chain
  }
}
