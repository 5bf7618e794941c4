import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { SkuNotFound, StoreNotFound } from "@qc/domain/Errors"
import { CatalogueBrowse } from "@qc/entities/catalogue/CatalogueBrowse"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import type { Paise } from "@qc/domain/Money"
import { PriceResolver } from "@qc/entities/pricing/PriceResolver"
import { PricingRepo } from "@qc/entities/pricing/PricingRepo"
import { PricingRuleStore } from "@qc/entities/pricing/PricingRuleStore"
import { Clock, DateTime, Effect, Layer, Option } from "effect"

export const CatalogHttpLive = HttpApiBuilder.group(Api, "catalog", (handlers) =>
  Effect.map(CatalogueBrowse, (browse) =>
    handlers
      .handle("categories", () => browse.categories)
      .handle("browse", ({ urlParams }) => browse.browse(urlParams))
      .handle("product", ({ path, urlParams }) => browse.product(path.skuId, urlParams.pincode))
      .handle("search", ({ urlParams }) => browse.search(urlParams.q, urlParams.pincode, urlParams.limit ?? 20))))

export const CatalogAdminHttpLive = HttpApiBuilder.group(Api, "catalogAdmin", (handlers) =>
  Effect.gen(function*() {
    const catalogue = yield* CatalogueRepo
    const rules = yield* PricingRuleStore
    return handlers.handle("upsertSku", ({ path, payload }) =>
      Effect.gen(function*() {
        yield* catalogue.upsertSku(path.skuId, payload)
        // A new base price or cost changes the chain's answer at every store.
        yield* rules.skuChanged(path.skuId)
        return Option.getOrThrow(catalogue.sku(path.skuId))
      }))
  }))

export const PricingAdminHttpLive = HttpApiBuilder.group(Api, "pricingAdmin", (handlers) =>
  Effect.gen(function*() {
    const rules = yield* PricingRuleStore
    const repo = yield* PricingRepo
    const prices = yield* PriceResolver
    const catalogue = yield* CatalogueRepo
    const updated = { status: "updated" as const }
    return handlers
      .handle("timeRules", () => repo.timeRules)
      .handle("setTimeRule", ({ payload }) => Effect.as(rules.setTimeRule(payload), updated))
      .handle("categoryMargins", () => repo.categoryMargins)
      .handle("setCategoryMargin", ({ payload }) => Effect.as(rules.setCategoryMargin(payload), updated))
      .handle("markdownPercents", () => repo.markdownPercents)
      .handle("setMarkdownPercent", ({ payload }) =>
        Effect.map(rules.setMarkdownPercent(payload), (markdownsChanged) => ({ ...updated, markdownsChanged })))
      .handle("recomputeMarkdowns", () => Effect.map(rules.recomputeMarkdowns(), (markdownsChanged) => ({ markdownsChanged })))
      .handle("refreshCompetitors", () =>
        rules.refreshCompetitorPrices().pipe(
          Effect.map((signals) => ({ signals })),
          // The feed is an upstream of ours: its failure is a 5xx with the reason logged.
          Effect.orDie
        ))
      .handle("explain", ({ path, urlParams }) =>
        Effect.gen(function*() {
          if (Option.isNone(catalogue.store(path.storeId))) return yield* Effect.fail(new StoreNotFound({ storeId: path.storeId }))
          if (Option.isNone(catalogue.sku(path.skuId))) return yield* Effect.fail(new SkuNotFound({ skuId: path.skuId }))
          const at = urlParams.at ? DateTime.toEpochMillis(urlParams.at) : yield* Clock.currentTimeMillis
          const result = yield* prices.explain(path.storeId, path.skuId, at)
          return {
            storeId: path.storeId,
            skuId: path.skuId,
            at: DateTime.unsafeMake(at),
            price: result.price as Paise,
            rule: result.rule,
            validUntil: result.validUntil === null ? null : DateTime.unsafeMake(result.validUntil),
            chain: result.chain
          }
        }))
  }))

export const VendorWebhooksHttpLive = HttpApiBuilder.group(Api, "vendorWebhooks", (handlers) =>
  Effect.map(PricingRuleStore, (rules) =>
    handlers.handleRaw("promotion", ({ request }) =>
      Effect.gen(function*() {
        // The signature covers the exact bytes the vendor sent: verify before parsing.
        const body = new Uint8Array(yield* Effect.orDie(request.arrayBuffer))
        const result = yield* rules.receivePromotion(body, request.headers["x-vendor-signature"])
        return yield* HttpServerResponse.json(result, { status: result.status === "created" ? 201 : 200 })
      }).pipe(
        Effect.catchTags({
          Unauthorized: (e) => HttpServerResponse.json({ _tag: e._tag, message: e.message }, { status: 401 }),
          InvalidPromotion: (e) => HttpServerResponse.json({ _tag: e._tag, message: e.message, issues: e.issues }, { status: 400 }),
          UnknownPromotionTargets: (e) =>
            HttpServerResponse.json({
              _tag: e._tag,
              promotionId: e.promotionId,
              message: e.message,
              unknownStoreIds: e.unknownStoreIds,
              unknownSkuIds: e.unknownSkuIds
            }, { status: 422 }),
          PromotionConflict: (e) => HttpServerResponse.json({ _tag: e._tag, promotionId: e.promotionId, message: e.message }, { status: 409 })
        }),
        Effect.orDie
      ))))

export const CatalogueApiLive = Layer.mergeAll(CatalogHttpLive, CatalogAdminHttpLive, PricingAdminHttpLive, VendorWebhooksHttpLive)
