import { describe, expect, it } from "@effect/vitest"
import { CATEGORY_PRODUCTS } from "@qc/entities/demo/DemoProducts"
import { aliasedProducts, aliasedVariants } from "@qc/entities/demo/HinglishAliases"

// The alias list and the product table are joined by product name: a typo on either side would
// silently leave a product without the words customers search for.
describe("HinglishAliases", () => {
  const products = CATEGORY_PRODUCTS.flatMap((c) => c.products)

  it("gives every product at least one alias", () => {
    for (const p of products) expect(p.aliases, p.product).not.toHaveLength(0)
  })

  it("names only products and variants of the product table", () => {
    const byName = new Map(products.map((p) => [p.product, p]))
    expect(aliasedProducts().filter((name) => !byName.has(name))).toEqual([])
    for (const [product, variant] of aliasedVariants()) {
      expect(byName.get(product)?.variants.map((v) => v.label), `${variant} ${product}`).toContain(variant)
    }
  })
})
