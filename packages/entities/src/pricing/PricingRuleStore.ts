import { SqlClient } from "@effect/sql"
import { Unauthorized } from "@qc/domain/Errors"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import type { PricingUpdated } from "@qc/domain/events/PricingEvents"
import type { CategoryMarginInput, MarkdownPercentInput, TimeRuleInput } from "@qc/domain/pricing/Pricing"
import { InvalidPromotion, PromotionConflict, UnknownPromotionTargets, VendorPromotion } from "@qc/domain/pricing/Pricing"
import { Clock, Context, DateTime, Effect, Either, Layer, Option, ParseResult, Redacted, Schema } from "effect"
import { createHash } from "node:crypto"
import { CatalogueRepo } from "../catalogue/CatalogueRepo.js"
import { CompetitorPrices } from "./CompetitorPrices.js"
import { DomainEvents } from "../platform/DomainEvents.js"
import { PriceCache } from "./PriceCache.js"
import type { Invalidation, PriceKey } from "./PriceCache.js"
import { PricingRepo } from "./PricingRepo.js"
import { configuredOrKeptSecret } from "../platform/Secrets.js"
import { hmacSha256Hex, signatureMatches } from "../platform/Signatures.js"

/** The HMAC key vendors sign promotion webhooks with. */
export class VendorWebhookSecret extends Context.Tag("VendorWebhookSecret")<VendorWebhookSecret, Redacted.Redacted<string>>() {}

/** `VENDOR_WEBHOOK_SECRET`, or else a random one kept in `DATA_DIR/vendor-webhook-secret` (never logged). */
export const VendorWebhookSecretFromConfig = Layer.effect(
  VendorWebhookSecret,
  Effect.map(configuredOrKeptSecret("VENDOR_WEBHOOK_SECRET", "vendor-webhook-secret"), ({ secret }) => secret)
)

/** What a vendor sends as `x-vendor-signature`. */
export const signVendorBody = (secret: string, body: Uint8Array | string): string => hmacSha256Hex(secret, body)

const decodePromotion = Schema.decodeUnknownEither(Schema.parseJson(VendorPromotion), { errors: "all" })

/** Batches this close to best-before get a markdown row; the nightly run covers the next day as well. */
export const markdownHorizonMs = 72 * 3_600_000

export type PromotionResult = { readonly status: "created" | "duplicate"; readonly promotionId: string }

/**
 * Every change to the pricing rules: written with a `pricing.updated` event in
 * one transaction, then the affected cache keys invalidated on every runner.
 */
export class PricingRuleStore extends Effect.Service<PricingRuleStore>()("PricingRuleStore", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* PricingRepo
    const events = yield* DomainEvents
    const cache = yield* PriceCache
    const catalogue = yield* CatalogueRepo
    const competitors = yield* CompetitorPrices
    const secret = yield* VendorWebhookSecret

    // Read per change: a store opened since start has cached prices too.
    const keysFor = (storeIds: ReadonlyArray<string> | null, skuIds: ReadonlyArray<string>): Array<PriceKey> =>
      (storeIds ?? catalogue.stores().map((s) => s.id as string)).flatMap((storeId) => skuIds.map((skuId) => ({ storeId, skuId })))

    /** Commit the change and its event, then drop the cached prices it affects. */
    const change = <A, E, R>(
      write: Effect.Effect<A, E, R>,
      /** The event the change announces; null when it changed nothing (e.g. a replayed promotion). */
      event: (a: A) => { readonly scope: string; readonly payload: PricingUpdated["payload"] } | null,
      invalidation: (a: A) => Invalidation | null
    ) =>
      Effect.gen(function*() {
        const a = yield* sql.withTransaction(Effect.tap(write, (a) => {
          const e = event(a)
          return e === null ? Effect.void : events.publish([domainEvent("pricing.updated", e.scope, e.payload)])
        }))
        const target = invalidation(a)
        const e = event(a)
        if (target && e !== null) yield* cache.invalidate(target, e.scope)
        return a
      }).pipe(Effect.catchTag("SqlError", Effect.die))

    const verify = (body: Uint8Array, signature: string | undefined) => signatureMatches(Redacted.value(secret), body, signature)

    const receivePromotion = Effect.fn("PricingRuleStore.receivePromotion")(function*(
      body: Uint8Array,
      signature: string | undefined
    ): Effect.fn.Return<PromotionResult, Unauthorized | InvalidPromotion | UnknownPromotionTargets | PromotionConflict> {
      if (!verify(body, signature)) return yield* Effect.fail(new Unauthorized({ message: "bad x-vendor-signature" }))
      const decoded = decodePromotion(new TextDecoder().decode(body))
      if (Either.isLeft(decoded)) {
        const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
        return yield* Effect.fail(new InvalidPromotion({
          message: "not a valid promotion",
          issues: issues.map((i) => ({ path: i.path.map(String), message: i.message }))
        }))
      }
      const promotion = decoded.right
      if (!DateTime.lessThan(promotion.startsAt, promotion.endsAt)) {
        return yield* Effect.fail(new InvalidPromotion({
          message: "endsAt must be after startsAt",
          issues: [{ path: ["endsAt"], message: "must be after startsAt" }]
        }))
      }
      const unknownStoreIds = [...new Set(promotion.storeIds ?? [])].filter((id) => Option.isNone(catalogue.store(id)))
      const unknownSkuIds = [...new Set(promotion.skuIds)].filter((id) => Option.isNone(catalogue.sku(id)))
      if (unknownStoreIds.length > 0 || unknownSkuIds.length > 0) {
        return yield* Effect.fail(new UnknownPromotionTargets({
          promotionId: promotion.promotionId,
          message: "the promotion names stores or SKUs we do not have; nothing was stored",
          unknownStoreIds,
          unknownSkuIds
        }))
      }
      const digest = createHash("sha256").update(Schema.encodeSync(Schema.parseJson(VendorPromotion))(promotion)).digest("hex")
      const created = yield* change(
        repo.insertPromotion(promotion, digest),
        (created) => !created ? null : ({
          scope: `promotion:${promotion.promotionId}`,
          payload: { rule: "vendor_promotion", promotionId: promotion.promotionId, skus: promotion.skuIds.length }
        }),
        (created) => (created ? { keys: keysFor(promotion.storeIds, promotion.skuIds) } : null)
      )
      if (created) return { status: "created" as const, promotionId: promotion.promotionId }
      const stored = yield* repo.promotionDigest(promotion.promotionId)
      if (stored !== digest) {
        return yield* Effect.fail(new PromotionConflict({
          promotionId: promotion.promotionId,
          message: "this promotion id was received before with a different body; send a new id to change it"
        }))
      }
      return { status: "duplicate" as const, promotionId: promotion.promotionId }
    })

    /** Recomputes the markdown rows of near-expiry batches (all, or one store-SKU on receipt). */
    const recomputeMarkdowns = Effect.fn("PricingRuleStore.recomputeMarkdowns")(function*(only?: PriceKey) {
      const now = yield* Clock.currentTimeMillis
      const at = new Date(now).toISOString()
      const horizon = new Date(now + markdownHorizonMs).toISOString()
      const scoped = only
        ? sql`AND b.store_id = ${only.storeId} AND b.sku_id = ${only.skuId}`
        : sql``
      const changed = yield* change(
        Effect.gen(function*() {
          const removed = yield* sql<{ store_id: string; sku_id: string }>`
            DELETE FROM expiry_markdowns m WHERE m.best_before <= ${at}::timestamptz
              ${only ? sql`AND m.store_id = ${only.storeId} AND m.sku_id = ${only.skuId}` : sql``}
            RETURNING m.store_id, m.sku_id`
          const written = yield* sql<{ store_id: string; sku_id: string }>`
            INSERT INTO expiry_markdowns (store_id, sku_id, lot, best_before, percent, computed_at)
            SELECT b.store_id, b.sku_id, b.lot, b.best_before, mp.percent, ${at}::timestamptz
              FROM stock_batches b
              JOIN skus s ON s.id = b.sku_id
              JOIN markdown_percents mp ON mp.category = s.category
             WHERE b.qty > 0 AND b.best_before > ${at}::timestamptz AND b.best_before <= ${horizon}::timestamptz ${scoped}
            ON CONFLICT (store_id, sku_id, lot) DO UPDATE SET percent = EXCLUDED.percent, computed_at = EXCLUDED.computed_at
              WHERE expiry_markdowns.percent <> EXCLUDED.percent OR expiry_markdowns.best_before <> EXCLUDED.best_before
            RETURNING store_id, sku_id`
          const keys = new Map<string, PriceKey>()
          for (const r of [...removed, ...written]) keys.set(`${r.store_id}/${r.sku_id}`, { storeId: r.store_id, skuId: r.sku_id })
          return [...keys.values()]
        }),
        (keys) => ({ scope: only ? `markdown:${only.storeId}/${only.skuId}` : "markdown:all", payload: { rule: "expiry_markdown", changed: keys.length } }),
        (keys) => (keys.length > 0 ? { keys } : null)
      )
      return changed.length
    })

    /** Pulls the competitor feed and stores the latest signal per SKU and competitor. */
    const refreshCompetitorPrices = Effect.fn("PricingRuleStore.refreshCompetitorPrices")(function*() {
      const signals = (yield* competitors.fetch).filter((s) => catalogue.sku(s.skuId)._tag === "Some")
      if (signals.length === 0) return 0
      const fetchedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
      const skuIds = [...new Set(signals.map((s) => s.skuId as string))]
      yield* change(
        sql`INSERT INTO competitor_prices (sku_id, competitor, price, observed_at, fetched_at)
          SELECT sku_id, competitor, price, observed_at, ${fetchedAt}::timestamptz
            FROM unnest(${signals.map((s) => s.skuId)}::text[], ${signals.map((s) => s.competitor)}::text[],
                        ${signals.map((s) => s.price)}::int[], ${signals.map((s) => DateTime.formatIso(s.observedAt))}::timestamptz[])
                 AS v(sku_id, competitor, price, observed_at)
          ON CONFLICT (sku_id, competitor) DO UPDATE SET price = EXCLUDED.price, observed_at = EXCLUDED.observed_at,
            fetched_at = EXCLUDED.fetched_at
          WHERE competitor_prices.observed_at <= EXCLUDED.observed_at`,
        () => ({ scope: "competitor:feed", payload: { rule: "competitor_parity", source: competitors.source, signals: signals.length } }),
        () => ({ keys: keysFor(null, skuIds) })
      )
      return signals.length
    })

    const everything: Invalidation = { all: true }
    const setTimeRule = (rule: TimeRuleInput) =>
      change(
        repo.upsertTimeRule(rule),
        () => ({ scope: `time-rule:${rule.ruleId}`, payload: { rule: "time_of_day", ...rule } }),
        () => everything
      )
    const setCategoryMargin = (margin: CategoryMarginInput) =>
      change(
        repo.upsertCategoryMargin(margin),
        () => ({ scope: `margin:${margin.category}`, payload: { rule: "base_price", ...margin } }),
        () => everything
      )
    const setMarkdownPercent = (markdown: MarkdownPercentInput) =>
      Effect.zipRight(
        change(
          repo.upsertMarkdownPercent(markdown),
          () => ({ scope: `markdown-percent:${markdown.category}`, payload: { rule: "expiry_markdown", ...markdown } }),
          () => null
        ),
        recomputeMarkdowns()
      )

    /** A SKU's catalogue price or cost changed: its cached prices go everywhere. */
    const skuChanged = (skuId: string) => cache.invalidate({ keys: keysFor(null, [skuId]) }, `sku:${skuId}`)

    return {
      skuChanged,
      receivePromotion,
      recomputeMarkdowns,
      refreshCompetitorPrices,
      setTimeRule,
      setCategoryMargin,
      setMarkdownPercent
    } as const
  })
}) {}
