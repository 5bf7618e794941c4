import { Schema } from "effect"
import { SkuId, StoreId } from "./Ids.js"
import { Paise } from "./Money.js"

export const Pincode = Schema.String.pipe(Schema.pattern(/^[1-9][0-9]{5}$/), Schema.brand("Pincode"))
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
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  aliases: Schema.Array(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(60))).pipe(Schema.maxItems(50)),
  category: Category,
  unit: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(40)),
  brand: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100)),
  basePrice: Paise,
  vendorCost: Schema.optional(Schema.NullOr(Paise))
})
export type SkuUpsert = typeof SkuUpsert.Type
