import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Category, Pincode } from "./Catalogue.js"
import { SkuId, StoreId } from "../Ids.js"
import { Paise } from "../Money.js"
import { PricingRule } from "../pricing/Pricing.js"

/** What browse shows of stock; exact counts stay with the store. */
export const Availability = Schema.Literal("in_stock", "low", "out_of_stock")
export type Availability = typeof Availability.Type

export const PriceSummary = Schema.Struct({
  rule: PricingRule,
  ruleId: Schema.NullOr(Schema.String),
  reason: Schema.String
})

/** A SKU as a customer at a pincode sees it: from the store that would deliver it, at its price now. */
export const CatalogueItem = Schema.Struct({
  skuId: SkuId,
  name: Schema.String,
  brand: Schema.String,
  unit: Schema.String,
  category: Category,
  storeId: StoreId,
  price: Paise,
  pricing: PriceSummary,
  availability: Availability,
  popularity: Schema.Int
})
export type CatalogueItem = typeof CatalogueItem.Type

export const CataloguePage = Schema.Struct({
  pincode: Pincode,
  items: Schema.Array(CatalogueItem),
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: Schema.NullOr(Schema.String)
})
export type CataloguePage = typeof CataloguePage.Type

export const CategorySummary = Schema.Struct({ id: Category, name: Schema.String, skuCount: Schema.Int })

export const BrowseSort = Schema.Literal("name", "price", "popularity")
export type BrowseSort = typeof BrowseSort.Type

export const MatchedTerm = Schema.Struct({
  query: Schema.String,
  term: Schema.String,
  field: Schema.Literal("name", "alias", "brand", "category"),
  kind: Schema.Literal("exact", "prefix", "fuzzy"),
  distance: Schema.Int
})

export const SearchResultItem = Schema.Struct({
  ...CatalogueItem.fields,
  match: Schema.Literal("exact", "alias", "name", "prefix", "fuzzy"),
  matchedTerms: Schema.Array(MatchedTerm)
})

export const SearchResults = Schema.Struct({
  query: Schema.String,
  pincode: Pincode,
  items: Schema.Array(SearchResultItem)
})
export type SearchResults = typeof SearchResults.Type

/** The cursor did not come from this listing (other sort or category) or is damaged. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()(
  "InvalidCursor",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}
