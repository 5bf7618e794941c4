import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AdminAuth } from "../Auth.js"
import { BrowseSort, CatalogueItem, CataloguePage, CategorySummary, InvalidCursor, SearchResults } from "./Browse.js"
import { Category, Pincode, Sku, SkuUpsert } from "./Catalogue.js"
import { DateTimeInput } from "../DateTimeInput.js"
import { SkuNotFound, StoreNotFound, Unauthorized } from "../Errors.js"
import { SkuId, StoreId } from "../Ids.js"
import { NotServiceable } from "../orders/Order.js"
import {
  CategoryMarginInput,
  InvalidPromotion,
  MarkdownPercentInput,
  PriceExplanation,
  PromotionConflict,
  TimeRuleInput,
  UnknownPromotionTargets
} from "../pricing/Pricing.js"
import { safeText } from "../Text.js"

const Limit = (max: number) => Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, max)))

/** Public: what a pincode can order, at today's prices. */
export class CatalogGroup extends HttpApiGroup.make("catalog")
  .add(HttpApiEndpoint.get("categories", "/v1/catalog/categories").addSuccess(Schema.Array(CategorySummary)))
  .add(
    HttpApiEndpoint.get("browse", "/v1/catalog")
      .setUrlParams(Schema.Struct({
        pincode: Pincode,
        category: Schema.optional(Category),
        sort: Schema.optional(BrowseSort),
        cursor: Schema.optional(safeText(1_024)),
        limit: Limit(100)
      }))
      .addSuccess(CataloguePage)
      .addError(NotServiceable)
      .addError(InvalidCursor)
  )
  .add(
    HttpApiEndpoint.get("product", "/v1/products/:skuId")
      .setPath(Schema.Struct({ skuId: SkuId }))
      .setUrlParams(Schema.Struct({ pincode: Pincode }))
      .addSuccess(CatalogueItem)
      .addError(NotServiceable)
      .addError(SkuNotFound)
  )
  .add(
    HttpApiEndpoint.get("search", "/v1/search")
      .setUrlParams(Schema.Struct({
        q: Schema.Trim.pipe(Schema.compose(safeText(100))),
        pincode: Pincode,
        limit: Limit(50)
      }))
      .addSuccess(SearchResults)
      .addError(NotServiceable)
  )
  .annotate(OpenApi.Title, "Catalogue")
  .annotate(OpenApi.Description, "Browse and search by pincode, with prices and availability")
{}

const Updated = Schema.Struct({ status: Schema.Literal("updated") })

export class PricingAdminGroup extends HttpApiGroup.make("pricingAdmin")
  .add(
    HttpApiEndpoint.get("timeRules", "/v1/admin/pricing/time-rules").addSuccess(Schema.Array(TimeRuleInput))
  )
  .add(HttpApiEndpoint.post("setTimeRule", "/v1/admin/pricing/time-rules").setPayload(TimeRuleInput).addSuccess(Updated))
  .add(
    HttpApiEndpoint.get("categoryMargins", "/v1/admin/pricing/category-margins").addSuccess(Schema.Array(CategoryMarginInput))
  )
  .add(
    HttpApiEndpoint.post("setCategoryMargin", "/v1/admin/pricing/category-margins").setPayload(CategoryMarginInput).addSuccess(
      Updated
    )
  )
  .add(
    HttpApiEndpoint.get("markdownPercents", "/v1/admin/pricing/markdown-percent").addSuccess(Schema.Array(MarkdownPercentInput))
  )
  .add(
    HttpApiEndpoint.post("setMarkdownPercent", "/v1/admin/pricing/markdown-percent").setPayload(MarkdownPercentInput).addSuccess(
      Schema.Struct({ status: Schema.Literal("updated"), markdownsChanged: Schema.Int })
    )
  )
  .add(
    HttpApiEndpoint.post("recomputeMarkdowns", "/v1/admin/pricing/jobs/expiry-markdowns").addSuccess(
      Schema.Struct({ markdownsChanged: Schema.Int })
    )
  )
  .add(
    HttpApiEndpoint.post("refreshCompetitors", "/v1/admin/pricing/jobs/competitor-prices").addSuccess(
      Schema.Struct({ signals: Schema.Int })
    )
  )
  .add(
    HttpApiEndpoint.get("explain", "/v1/admin/prices/:storeId/:skuId")
      .setPath(Schema.Struct({ storeId: StoreId, skuId: SkuId }))
      .setUrlParams(Schema.Struct({ at: Schema.optional(DateTimeInput) }))
      .addSuccess(PriceExplanation)
      .addError(StoreNotFound)
      .addError(SkuNotFound)
  )
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Pricing admin")
  .annotate(OpenApi.Description, "Pricing rules, jobs, and why a price is what it is (x-admin-key)")
{}

export class CatalogAdminGroup extends HttpApiGroup.make("catalogAdmin")
  .add(
    HttpApiEndpoint.put("upsertSku", "/v1/admin/catalog/skus/:skuId")
      .setPath(Schema.Struct({ skuId: SkuId }))
      .setPayload(SkuUpsert)
      .addSuccess(Sku)
  )
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Catalogue admin")
  .annotate(OpenApi.Description, "Create or change a SKU; every runner reloads its catalogue and search index (x-admin-key)")
{}

/** Vendors call this; authenticated by `x-vendor-signature`, the HMAC-SHA256 hex of the raw body. */
export class VendorWebhooksGroup extends HttpApiGroup.make("vendorWebhooks")
  .add(
    HttpApiEndpoint.post("promotion", "/v1/webhooks/vendor-promotions")
      .addSuccess(Schema.Struct({ status: Schema.Literal("created", "duplicate"), promotionId: Schema.String }))
      .addError(Unauthorized)
      .addError(InvalidPromotion)
      .addError(UnknownPromotionTargets)
      .addError(PromotionConflict)
  )
  .annotate(OpenApi.Title, "Vendor webhooks")
{}
