import aliases from "./HinglishAliases.json" with { type: "json" }

/**
 * The words customers type for a demo product: Hindi, Hinglish and Marathi names next to the
 * English one, lower-case ("aloo", "batata" → Potato). `products` is keyed by the product name
 * in DemoProducts.json; `variants` adds words that only fit one variant ("hapus" → Alphonso Mango).
 */
const table: {
  readonly products: Readonly<Record<string, ReadonlyArray<string>>>
  readonly variants: Readonly<Record<string, Readonly<Record<string, ReadonlyArray<string>>>>>
} = aliases

const byProduct = new Map(Object.entries(table.products))
const byVariant = new Map(Object.entries(table.variants).map(([product, variants]) => [product, new Map(Object.entries(variants))]))

/** Aliases of every SKU of the product; none for a product missing from the list. */
export const productAliases = (product: string): ReadonlyArray<string> => byProduct.get(product) ?? []

/** Extra aliases of one variant (`""` is the plain product, which has none of its own). */
export const variantAliases = (product: string, variant: string): ReadonlyArray<string> =>
  byVariant.get(product)?.get(variant) ?? []

/** The product names the list covers, for checking it against the product table. */
export const aliasedProducts = (): ReadonlyArray<string> => [...byProduct.keys()]

/** Every variant with aliases of its own, as [product, variant] pairs. */
export const aliasedVariants = (): ReadonlyArray<readonly [string, string]> =>
  [...byVariant].flatMap(([product, variants]) => [...variants.keys()].map((variant) => [product, variant] as const))
