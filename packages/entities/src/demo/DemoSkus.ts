import type { Category, DemoSku } from "./DemoCatalogue.js"
import { CATEGORY_PRODUCTS, type Product } from "./DemoProducts.js"
import { hash, shuffle } from "./DemoRandom.js"

interface Candidate {
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly category: Category
  readonly unit: string
  readonly brand: string
  readonly rupees: number
}

/** Price level for a label: produce grades are fixed premiums, other brands ±12% from a hash. */
const PREMIUM: Readonly<Record<string, number>> = { Fresh: 1, Organic: 1.5, Hydroponic: 1.4, Premium: 1.3 }

const MIN_PAISE = 1_000
const MAX_PAISE = 150_000

/** Whole rupees from ₹100 up, ₹x.00 or ₹x.50 below; clamped to ₹10–₹1,500. */
const toPaise = (rupees: number): number => {
  const paise = rupees < 100 ? Math.round(rupees * 2) * 50 : Math.round(rupees) * 100
  return Math.min(MAX_PAISE, Math.max(MIN_PAISE, paise))
}

const parseBrand = (spec: string): { label: string; brand: string } => {
  const at = spec.indexOf("@")
  if (at >= 0) return { label: spec.slice(0, at), brand: spec.slice(at + 1) }
  const bar = spec.indexOf("|")
  if (bar >= 0) return { label: `${spec.slice(0, bar)} ${spec.slice(bar + 1)}`, brand: spec.slice(0, bar) }
  return { label: spec, brand: spec }
}

/** Every brand × variant × pack of one product. */
const expand = (category: Category, product: Product): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const brandSpec of product.brands) {
    const { brand, label } = parseBrand(brandSpec)
    const level = PREMIUM[label] ?? 0.88 + (hash(brand) % 1000) / 4000
    for (const variant of product.variants) {
      const aliases = [...new Set([...product.aliases, ...variant.aliases])]
      for (const [unit, rupees] of product.packs) {
        const name = [label, variant.label, product.base, unit].filter((s) => s.length > 0).join(" ")
        out.push({ name, aliases, category, unit, brand, rupees: rupees * level })
      }
    }
  }
  return out
}

/** Largest-remainder split of `total` by the category shares. */
const categoryCounts = (total: number): Array<number> => {
  const raw = CATEGORY_PRODUCTS.map(({ share }) => share * total)
  const counts = raw.map(Math.floor)
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let k = 0, left = total - counts.reduce((a, b) => a + b, 0); k < left; k++) counts[order[k]![1]]!++
  return counts
}

export const makeSkus = (rng: () => number, skuCount: number): Array<DemoSku> => {
  const counts = categoryCounts(skuCount)
  const used = new Set<string>()
  const picked: Array<Candidate> = []
  CATEGORY_PRODUCTS.forEach(({ category, products }, c) => {
    const want = counts[c]!
    const take = (candidate: Candidate): boolean => {
      if (used.has(candidate.name)) return false
      used.add(candidate.name)
      picked.push(candidate)
      return true
    }
    // One of every product first (so every alias is represented), then the rest at random.
    const pools = shuffle(rng, products.map((prod) => shuffle(rng, expand(category, prod))))
    const rest: Array<Candidate> = []
    let got = 0
    for (const [first, ...others] of pools) {
      if (first === undefined) continue
      if (got < want && take(first)) got++
      else rest.push(first)
      rest.push(...others)
    }
    shuffle(rng, rest)
    for (const candidate of rest) {
      if (got >= want) break
      if (take(candidate)) got++
    }
    // Not enough distinct products for the requested count: multipacks of what exists.
    for (let k = 2; got < want; k++) {
      for (const candidate of rest) {
        if (got >= want) break
        const multi: Candidate = {
          ...candidate,
          name: `${candidate.name} (Pack of ${k})`,
          unit: `${k} x ${candidate.unit}`,
          rupees: candidate.rupees * k * 0.95
        }
        if (take(multi)) got++
      }
    }
  })
  shuffle(rng, picked)
  return picked.map((c, i) => ({
    id: `sku-${String(i + 1).padStart(5, "0")}`,
    name: c.name,
    aliases: c.aliases,
    category: c.category,
    unit: c.unit,
    basePrice: toPaise(c.rupees * (0.94 + rng() * 0.12)),
    brand: c.brand
  }))
}
