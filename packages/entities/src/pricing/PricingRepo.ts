import { SqlClient } from "@effect/sql"
import { Category } from "@qc/domain/catalogue/Catalogue"
import type { CategoryMarginInput, MarkdownPercentInput, TimeRuleInput, VendorPromotion } from "@qc/domain/pricing/Pricing"
import { Clock, DateTime, Effect, Schema } from "effect"
import { CatalogueRepo } from "../catalogue/CatalogueRepo.js"
import type { ChainInputs } from "./PricingChain.js"

/**
 * The rule rows the chain reads, as Postgres' json_agg builds them: decoded at the
 * repository boundary, so a changed query or a bad row fails here, not in a price.
 */
const RuleRows = {
  margins: Schema.Array(Schema.Struct({ category: Category, targetPercent: Schema.NullOr(Schema.Number), minPercent: Schema.Number })),
  timeRules: Schema.Array(Schema.Struct({ ruleId: Schema.String, category: Category, from: Schema.String, until: Schema.String, percent: Schema.Number })),
  promotions: Schema.Array(Schema.Struct({
    promotionId: Schema.String,
    vendor: Schema.String,
    price: Schema.Number,
    startsAt: Schema.Number,
    endsAt: Schema.Number
  })),
  markdowns: Schema.Array(Schema.Struct({ lot: Schema.String, bestBefore: Schema.Number, percent: Schema.Number, qty: Schema.Number })),
  signals: Schema.Array(Schema.Struct({ competitor: Schema.String, price: Schema.Number, observedAt: Schema.Number }))
}

/** `pg` parses json columns; PGlite may hand them over as text. */
const jsonRows = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownSync(schema)
  return (value: unknown): A => decode(typeof value === "string" ? JSON.parse(value) : value)
}
const decodeRows = {
  margins: jsonRows(RuleRows.margins),
  timeRules: jsonRows(RuleRows.timeRules),
  promotions: jsonRows(RuleRows.promotions),
  markdowns: jsonRows(RuleRows.markdowns),
  signals: jsonRows(RuleRows.signals)
}
const iso = (ms: number) => new Date(ms).toISOString()

interface SkuRuleRow {
  readonly sku_id: string
  readonly promotions: unknown
  readonly markdowns: unknown
  readonly signals: unknown
}

/** Promotions that ended more than this long ago no longer appear in an explanation. */
const endedPromotionHorizonMs = 7 * 24 * 3_600_000

/**
 * Pricing rules in Postgres: what the chain reads for a store and a set of SKUs
 * (two queries whatever the number of SKUs), and the admin and feed writes.
 */
export class PricingRepo extends Effect.Service<PricingRepo>()("PricingRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const catalogue = yield* CatalogueRepo

    const settings = sql<{ margins: unknown; time_rules: unknown }>`
      SELECT
        (SELECT coalesce(json_agg(json_build_object('category', category, 'targetPercent', target_percent,
                                                    'minPercent', min_percent)), '[]')
           FROM category_margins) AS margins,
        (SELECT coalesce(json_agg(json_build_object('ruleId', rule_id, 'category', category, 'from', from_time,
                                                    'until', until_time, 'percent', percent) ORDER BY rule_id), '[]')
           FROM pricing_time_rules WHERE active) AS time_rules`

    /** Everything the chain needs for these SKUs at this store, keyed by SKU; unknown SKUs are left out. */
    const inputs = (storeId: string, skuIds: ReadonlyArray<string>, at: number) =>
      Effect.gen(function*() {
        const known = skuIds.filter((id) => catalogue.sku(id)._tag === "Some")
        if (known.length === 0) return new Map<string, ChainInputs>()
        const [[config], rows] = yield* Effect.all([
          settings,
          sql<SkuRuleRow>`
            SELECT s.sku_id,
              (SELECT coalesce(json_agg(json_build_object(
                        'promotionId', p.promotion_id, 'vendor', p.vendor, 'price', p.price,
                        'startsAt', extract(epoch FROM p.starts_at) * 1000, 'endsAt', extract(epoch FROM p.ends_at) * 1000)), '[]')
                 FROM vendor_promotion_skus ps JOIN vendor_promotions p ON p.promotion_id = ps.promotion_id
                WHERE ps.sku_id = s.sku_id AND (p.store_ids IS NULL OR ${storeId} = ANY(p.store_ids))
                  AND p.ends_at > ${iso(at - endedPromotionHorizonMs)}::timestamptz) AS promotions,
              (SELECT coalesce(json_agg(json_build_object(
                        'lot', m.lot, 'bestBefore', extract(epoch FROM m.best_before) * 1000, 'percent', m.percent,
                        'qty', coalesce(b.qty, 0))), '[]')
                 FROM expiry_markdowns m
                 LEFT JOIN stock_batches b ON b.store_id = m.store_id AND b.sku_id = m.sku_id AND b.lot = m.lot
                WHERE m.store_id = ${storeId} AND m.sku_id = s.sku_id) AS markdowns,
              (SELECT coalesce(json_agg(json_build_object(
                        'competitor', c.competitor, 'price', c.price, 'observedAt', extract(epoch FROM c.observed_at) * 1000)), '[]')
                 FROM competitor_prices c WHERE c.sku_id = s.sku_id) AS signals
            FROM unnest(${known}::text[]) AS s(sku_id)`
        ], { concurrency: 2 })
        const margins = decodeRows.margins(config.margins)
        const timeRules = decodeRows.timeRules(config.time_rules)
        const out = new Map<string, ChainInputs>()
        for (const row of rows) {
          const sku = catalogue.sku(row.sku_id)
          if (sku._tag === "None") continue
          const category = sku.value.category
          const margin = margins.find((m) => m.category === category)
          out.set(row.sku_id, {
            storeId,
            skuId: row.sku_id,
            category,
            catalogueBasePrice: sku.value.basePrice,
            vendorCost: catalogue.vendorCost(row.sku_id),
            margin: margin ? { targetPercent: margin.targetPercent, minPercent: margin.minPercent } : null,
            promotions: decodeRows.promotions(row.promotions),
            markdowns: decodeRows.markdowns(row.markdowns),
            timeRules: timeRules.filter((r) => r.category === category),
            signals: decodeRows.signals(row.signals)
          })
        }
        return out
      }).pipe(Effect.orDie)

    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

    /** Stores the promotion; `false` if the same id was stored before (the stored one stands). */
    const insertPromotion = (promotion: VendorPromotion, digest: string) =>
      Effect.gen(function*() {
        const receivedAt = yield* now
        const inserted = yield* sql<{ promotion_id: string }>`
          INSERT INTO vendor_promotions (promotion_id, vendor, store_ids, sku_ids, price, starts_at, ends_at, body_digest, received_at)
          VALUES (${promotion.promotionId}, ${promotion.vendor}, ${promotion.storeIds ? [...promotion.storeIds] : null},
                  ${[...promotion.skuIds]}, ${promotion.price}, ${DateTime.formatIso(promotion.startsAt)},
                  ${DateTime.formatIso(promotion.endsAt)}, ${digest}, ${receivedAt})
          ON CONFLICT (promotion_id) DO NOTHING
          RETURNING promotion_id`
        if (inserted.length === 0) return false
        yield* sql`INSERT INTO vendor_promotion_skus (sku_id, promotion_id)
          SELECT DISTINCT unnest(${[...promotion.skuIds]}::text[]), ${promotion.promotionId}`
        return true
      }).pipe(Effect.orDie)

    const promotionDigest = (promotionId: string) =>
      sql<{ body_digest: string }>`SELECT body_digest FROM vendor_promotions WHERE promotion_id = ${promotionId}`.pipe(
        Effect.map((rows) => rows[0]?.body_digest),
        Effect.orDie
      )

    const upsertTimeRule = (rule: TimeRuleInput) =>
      Effect.flatMap(now, (at) =>
        sql`INSERT INTO pricing_time_rules (rule_id, category, from_time, until_time, percent, active, updated_at)
          VALUES (${rule.ruleId}, ${rule.category}, ${rule.from}, ${rule.until}, ${rule.percent}, ${rule.active}, ${at})
          ON CONFLICT (rule_id) DO UPDATE SET category = EXCLUDED.category, from_time = EXCLUDED.from_time,
            until_time = EXCLUDED.until_time, percent = EXCLUDED.percent, active = EXCLUDED.active,
            updated_at = EXCLUDED.updated_at`).pipe(Effect.asVoid, Effect.orDie)

    const timeRules = sql<{ rule_id: string; category: Category; from_time: string; until_time: string; percent: number; active: boolean }>`
      SELECT rule_id, category, from_time, until_time, percent, active FROM pricing_time_rules ORDER BY rule_id`.pipe(
      Effect.map((rows) =>
        rows.map((r) => ({ ruleId: r.rule_id, category: r.category, from: r.from_time, until: r.until_time, percent: r.percent, active: r.active }))
      ),
      Effect.orDie
    )

    const upsertCategoryMargin = (margin: CategoryMarginInput) =>
      Effect.flatMap(now, (at) =>
        sql`INSERT INTO category_margins (category, target_percent, min_percent, updated_at)
          VALUES (${margin.category}, ${margin.targetPercent}, ${margin.minPercent}, ${at})
          ON CONFLICT (category) DO UPDATE SET target_percent = EXCLUDED.target_percent,
            min_percent = EXCLUDED.min_percent, updated_at = EXCLUDED.updated_at`).pipe(Effect.asVoid, Effect.orDie)

    const categoryMargins = sql<{ category: Category; target_percent: number | null; min_percent: number }>`
      SELECT category, target_percent, min_percent FROM category_margins ORDER BY category`.pipe(
      Effect.map((rows) => rows.map((r) => ({ category: r.category, targetPercent: r.target_percent, minPercent: r.min_percent }))),
      Effect.orDie
    )

    const upsertMarkdownPercent = (markdown: MarkdownPercentInput) =>
      Effect.flatMap(now, (at) =>
        sql`INSERT INTO markdown_percents (category, percent, updated_at) VALUES (${markdown.category}, ${markdown.percent}, ${at})
          ON CONFLICT (category) DO UPDATE SET percent = EXCLUDED.percent, updated_at = EXCLUDED.updated_at`).pipe(
          Effect.asVoid,
          Effect.orDie
        )

    const markdownPercents = sql<{ category: Category; percent: number }>`
      SELECT category, percent FROM markdown_percents ORDER BY category`.pipe(Effect.orDie)

    return {
      inputs,
      insertPromotion,
      promotionDigest,
      upsertTimeRule,
      timeRules,
      upsertCategoryMargin,
      categoryMargins,
      upsertMarkdownPercent,
      markdownPercents
    } as const
  })
}) {}
