/**
 * Deterministic demo catalogue: 12 Pune dark stores, ~4,200 Indian-grocery SKUs
 * and per-store batch stock. Pure: no I/O, no clock, no Math.random — the same
 * `seed` and `now` always give a deep-equal result. The tables are data: DemoStores.json,
 * DemoProducts.json and the customers' words for each product, HinglishAliases.json.
 */
import { mulberry32 } from "./DemoRandom.js"
import { makeSkus } from "./DemoSkus.js"
import { makeStock } from "./DemoStock.js"
import storeRows from "./DemoStores.json" with { type: "json" }

export type Category = "fresh_produce" | "dairy" | "packaged_food" | "household_cleaning" | "personal_care"

export interface DemoStore {
  id: string
  /** The cluster region (shard group) whose runners host this store's entities. */
  region: string
  name: string
  locality: string
  pincodes: ReadonlyArray<string>
  lat: number
  lng: number
}

export interface DemoSku {
  id: string
  name: string
  aliases: ReadonlyArray<string>
  category: Category
  unit: string
  /** integer paise */
  basePrice: number
  brand: string
}

export interface DemoBatch {
  lot: string
  qty: number
  /** epoch millis */
  bestBefore: number
}

export interface DemoStock {
  storeId: string
  skuId: string
  /** sorted by bestBefore, earliest first (FEFO) */
  batches: ReadonlyArray<DemoBatch>
  reorderThreshold: number
}

export interface DemoCatalogue {
  stores: ReadonlyArray<DemoStore>
  skus: ReadonlyArray<DemoSku>
  stock: ReadonlyArray<DemoStock>
}

export const DEMO_DEFAULT_SEED = 20261121
export const DEMO_DEFAULT_SKU_COUNT = 4200

/**
 * DemoStores.json. Order matters: for a pincode served by several stores, the first store in
 * that list is its primary. Overlaps: 411045, 411021, 411057 (three stores), 411033, 411014,
 * 411036, 411006, 411047.
 */
interface StoreSeed extends DemoStore {
  /** three-letter code used in lot ids */
  readonly short: string
}

/** The demo's store ids: only these get demo staff and riders (a store an admin opens gets real ones). */
export const demoStoreIds: ReadonlyArray<string> = storeRows.map((s) => `pune-${s.slug}`)

const STORES: ReadonlyArray<StoreSeed> = storeRows.map(({ short, slug, region, locality, pincodes, lat, lng }) => ({
  short,
  id: `pune-${slug}`,
  region,
  name: `${locality} Dark Store`,
  locality,
  pincodes,
  lat,
  lng
}))

/** pincode → store ids serving it, primary first (store list order). */
export const storesByPincode = (stores: ReadonlyArray<DemoStore>): ReadonlyMap<string, ReadonlyArray<string>> => {
  const out = new Map<string, Array<string>>()
  for (const store of stores) {
    for (const pin of store.pincodes) {
      const ids = out.get(pin)
      if (ids) ids.push(store.id)
      else out.set(pin, [store.id])
    }
  }
  return out
}

/**
 * Builds the demo catalogue. `now` anchors every best-before date; `seed`
 * (default 20261121) drives every other choice. `skuCount` (default 4,200) must
 * be an integer in 1–99,999. Throws RangeError on bad options.
 */
export const makeDemoCatalogue = (options: {
  readonly seed?: number | undefined
  readonly now: number
  readonly skuCount?: number | undefined
}): DemoCatalogue => {
  const seed = options.seed ?? DEMO_DEFAULT_SEED
  const skuCount = options.skuCount ?? DEMO_DEFAULT_SKU_COUNT
  if (!Number.isFinite(options.now)) throw new RangeError(`now must be finite epoch millis, got ${options.now}`)
  if (!Number.isInteger(skuCount) || skuCount < 1 || skuCount > 99_999) {
    throw new RangeError(`skuCount must be an integer in 1..99999, got ${skuCount}`)
  }
  const rng = mulberry32(seed)
  const skus = makeSkus(rng, skuCount)
  const stock = makeStock(rng, options.now, STORES, skus)
  const stores = STORES.map(({ short: _short, ...store }) => ({ ...store, pincodes: [...store.pincodes] }))
  return { stores, skus, stock }
}
