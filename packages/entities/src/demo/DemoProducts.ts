import type { Category } from "./DemoCatalogue.js"
import tables from "./DemoProducts.json" with { type: "json" }
import { productAliases, variantAliases } from "./HinglishAliases.js"

/**
 * The demo's product table (DemoProducts.json), one row per product:
 *   product:  the English name; the key of its aliases in HinglishAliases.json
 *   base:     the word in SKU names when it is not `product` (namkeen SKUs are named by variant)
 *   brands:   "Brand" | "Brand|Line" (name shows "Brand Line") | "Label@Brand" (name shows "Label")
 *   packs:    unit → reference price of the pack in rupees
 *   variants: labels; "" is the plain product, and no `variants` means only the plain product
 * Name = label + variant + base + unit, e.g. "Amul Taaza Toned Milk 500 ml".
 */
interface ProductRow {
  readonly product: string
  readonly base?: string
  readonly brands: ReadonlyArray<string>
  readonly packs: Readonly<Record<string, number>>
  readonly variants?: ReadonlyArray<string>
}

export interface Product {
  readonly product: string
  readonly base: string
  readonly aliases: ReadonlyArray<string>
  readonly brands: ReadonlyArray<string>
  readonly packs: ReadonlyArray<readonly [string, number]>
  readonly variants: ReadonlyArray<{ readonly label: string; readonly aliases: ReadonlyArray<string> }>
}

export interface CategoryProducts {
  readonly category: Category
  /** share of the requested SKU count */
  readonly share: number
  readonly products: ReadonlyArray<Product>
}

const rows: Readonly<Record<Category, { readonly share: number; readonly products: ReadonlyArray<ProductRow> }>> = tables

// The order is part of what a seed generates: each category draws from the generator in turn.
const ORDER: ReadonlyArray<Category> = ["fresh_produce", "dairy", "packaged_food", "household_cleaning", "personal_care"]

const toProduct = (row: ProductRow): Product => ({
  product: row.product,
  base: row.base ?? row.product,
  aliases: productAliases(row.product),
  brands: row.brands,
  packs: Object.entries(row.packs),
  variants: (row.variants ?? [""]).map((label) => ({ label, aliases: variantAliases(row.product, label) }))
})

export const CATEGORY_PRODUCTS: ReadonlyArray<CategoryProducts> = ORDER.map((category) => ({
  category,
  share: rows[category].share,
  products: rows[category].products.map(toProduct)
}))
