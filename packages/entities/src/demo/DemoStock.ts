import type { Category, DemoSku, DemoStock, DemoStore } from "./DemoCatalogue.js"
import { randInt } from "./DemoRandom.js"

const HOUR = 3_600_000
const OUT_OF_STOCK_RATE = 0.03
const NEAR_EXPIRY_RATE = 0.05

/** Hours until best-before for one batch. Fresh/dairy: a few percent land within 24–47 h. */
const shelfLifeHours = (rng: () => number, category: Category): number => {
  switch (category) {
    case "fresh_produce":
      return rng() < NEAR_EXPIRY_RATE ? randInt(rng, 24, 47) : randInt(rng, 49, 6 * 24)
    case "dairy":
      return rng() < NEAR_EXPIRY_RATE ? randInt(rng, 24, 47) : randInt(rng, 49, 10 * 24)
    case "packaged_food":
      return randInt(rng, 30, 365) * 24
    case "household_cleaning":
    case "personal_care":
      return randInt(rng, 180, 720) * 24
  }
}

/** Each store carries 60–90% of the SKUs, in 1–3 batches; `short` is the store's code in lot ids. */
export const makeStock = (
  rng: () => number,
  now: number,
  stores: ReadonlyArray<Pick<DemoStore, "id"> & { readonly short: string }>,
  skus: ReadonlyArray<DemoSku>
): Array<DemoStock> => {
  const n = skus.length
  const lo = Math.ceil(0.6 * n)
  const hi = Math.floor(0.9 * n)
  const stock: Array<DemoStock> = []
  const index = new Int32Array(n)
  for (const store of stores) {
    const carried = Math.min(hi, Math.max(lo, Math.round((0.6 + rng() * 0.3) * n)))
    for (let i = 0; i < n; i++) index[i] = i
    for (let i = 0; i < carried; i++) {
      const j = i + Math.floor(rng() * (n - i))
      const t = index[i]!
      index[i] = index[j]!
      index[j] = t
    }
    const chosen = Array.from(index.subarray(0, carried)).sort((a, b) => a - b)
    for (const k of chosen) {
      const sku = skus[k]!
      const out = rng() < OUT_OF_STOCK_RATE
      const r = rng()
      const count = r < 0.5 ? 1 : r < 0.85 ? 2 : 3
      const expiries: Array<number> = []
      for (let b = 0; b < count; b++) expiries.push(now + shelfLifeHours(rng, sku.category) * HOUR)
      expiries.sort((a, b) => a - b)
      const skuNo = sku.id.slice(4)
      stock.push({
        storeId: store.id,
        skuId: sku.id,
        batches: expiries.map((bestBefore, b) => ({
          lot: `L-${store.short}-${skuNo}-${b + 1}`,
          qty: out ? 0 : randInt(rng, 1, 120),
          bestBefore
        })),
        reorderThreshold: randInt(rng, 5, 20)
      })
    }
  }
  return stock
}
