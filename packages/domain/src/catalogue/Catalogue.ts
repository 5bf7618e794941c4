import { Schema } from "effect"
import { SkuId, StoreId } from "../Ids.js"
import { maximumPrice, Paise, PriceInput } from "../Money.js"
import { safeText } from "../Text.js"

export const Pincode = safeText(6).pipe(
  Schema.pattern(/^[1-9][0-9]{5}$/, { message: () => "must be a 6-digit Indian pincode" }),
  Schema.brand("Pincode")
)
export type Pincode = typeof Pincode.Type

export const Category = Schema.Literal(
  "fresh_produce",
  "dairy",
  "packaged_food",
  "household_cleaning",
  "personal_care"
)
export type Category = typeof Category.Type

/** A dark store: where stock sits and orders are picked. */
export class Store extends Schema.Class<Store>("Store")({
  id: StoreId,
  /** The region (cluster shard group) whose runners host this store's stock and orders. */
  region: Schema.String,
  name: Schema.String,
  locality: Schema.String,
  pincodes: Schema.Array(Pincode),
  lat: Schema.Number,
  lng: Schema.Number
}) {}

/** A catalogue item; `aliases` are Hindi/Hinglish names customers type ("aloo"). */
export class Sku extends Schema.Class<Sku>("Sku")({
  id: SkuId,
  name: Schema.String,
  aliases: Schema.Array(Schema.String),
  category: Category,
  unit: Schema.String,
  brand: Schema.String,
  basePrice: Paise
}) {}

/** What an admin sends to create or change a SKU. */
export const SkuUpsert = Schema.Struct({
  name: safeText(200),
  aliases: Schema.Array(safeText(60)).pipe(Schema.maxItems(50)),
  category: Category,
  unit: safeText(40),
  brand: safeText(100),
  basePrice: PriceInput,
  /** What the vendor charges us; may be under ₹1 (a toffee), never over the price ceiling. */
  vendorCost: Schema.optional(Schema.NullOr(
    Paise.pipe(Schema.lessThanOrEqualTo(maximumPrice, { message: () => `must be at most ${maximumPrice} paise` }))
  ))
})
export type SkuUpsert = typeof SkuUpsert.Type
