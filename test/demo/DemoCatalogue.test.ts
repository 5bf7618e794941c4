import { describe, expect, it } from "@effect/vitest"
import { makeDemoCatalogue, storesByPincode } from "@qc/entities/demo/DemoCatalogue"

const now = Date.UTC(2026, 10, 21, 4, 30) // 10:00 IST
const HOUR = 3_600_000
const catalogue = makeDemoCatalogue({ now })
const { skus, stock, stores } = catalogue
const skuById = new Map(skus.map((s) => [s.id, s]))

describe("makeDemoCatalogue", () => {
  it("has 12 Pune stores and 4,200 SKUs with unique ids and names", () => {
    expect(stores).toHaveLength(12)
    expect(new Set(stores.map((s) => s.id)).size).toBe(12)
    for (const s of stores) {
      expect(s.id).toMatch(/^pune-[a-z-]+$/)
      expect(s.name).toBe(`${s.locality} Dark Store`)
      expect(s.pincodes.length).toBeGreaterThanOrEqual(1)
      expect(s.pincodes.length).toBeLessThanOrEqual(4)
      for (const pin of s.pincodes) expect(pin).toMatch(/^4[01]\d{4}$/)
      expect(s.lat).toBeGreaterThan(18.4)
      expect(s.lat).toBeLessThan(18.7)
      expect(s.lng).toBeGreaterThan(73.7)
      expect(s.lng).toBeLessThan(74.0)
    }
    expect(skus).toHaveLength(4200)
    expect(skus[0]!.id).toBe("sku-00001")
    expect(skus[4199]!.id).toBe("sku-04200")
    expect(new Set(skus.map((s) => s.id)).size).toBe(4200)
    expect(new Set(skus.map((s) => s.name)).size).toBe(4200)
  })

  it("is deterministic for a seed and differs across seeds", () => {
    // JSON comparison: same as a deep-equal for this plain data, and much faster than toEqual on 60k batches
    const json = JSON.stringify(catalogue)
    expect(JSON.stringify(makeDemoCatalogue({ now }))).toBe(json)
    expect(JSON.stringify(makeDemoCatalogue({ now, seed: 20261121 }))).toBe(json)
    const other = makeDemoCatalogue({ now, seed: 7 })
    expect(JSON.stringify(other.skus)).not.toBe(JSON.stringify(skus))
    expect(JSON.stringify(other.stock)).not.toBe(JSON.stringify(stock))
    expect(other.stores).toEqual(stores)
  })

  it("honours skuCount", () => {
    const small = makeDemoCatalogue({ now, skuCount: 250 })
    expect(small.skus).toHaveLength(250)
    expect(small.skus[249]!.id).toBe("sku-00250")
    expect(() => makeDemoCatalogue({ now, skuCount: 0 })).toThrow(RangeError)
  })

  it("spreads SKUs over the five categories roughly by the planned shares", () => {
    const counts = new Map<string, number>()
    for (const s of skus) counts.set(s.category, (counts.get(s.category) ?? 0) + 1)
    expect(Object.fromEntries(counts)).toEqual({
      fresh_produce: 504,
      dairy: 420,
      packaged_food: 1890,
      household_cleaning: 630,
      personal_care: 756
    })
  })

  it("prices are integer paise between ₹10 and ₹1,500, in whole rupees or ₹x.50", () => {
    const bad = skus.filter(
      (s) =>
        !Number.isInteger(s.basePrice) || s.basePrice < 1_000 || s.basePrice > 150_000 || s.basePrice % 50 !== 0 ||
        s.unit.length === 0 || s.brand.length === 0 || !s.name.endsWith(s.unit)
    )
    expect(bad).toEqual([])
  })

  it("gives Hindi/Hinglish aliases that resolve to the right products", () => {
    const find = (alias: string, word: string) =>
      skus.filter((s) => s.aliases.includes(alias) && s.name.includes(word))
    const expected: ReadonlyArray<readonly [string, string]> = [
      ["aloo", "Potato"],
      ["pyaz", "Onion"],
      ["pyaaz", "Onion"],
      ["kanda", "Onion"],
      ["tamatar", "Tomato"],
      ["dhaniya", "Coriander"],
      ["doodh", "Milk"],
      ["dahi", "Curd"],
      ["atta", "Atta"],
      ["chawal", "Rice"],
      ["adrak", "Ginger"],
      ["lehsun", "Garlic"],
      ["mirchi", "Chilli"],
      ["bhindi", "Lady Finger"],
      ["gobi", "Cauliflower"],
      ["palak", "Spinach"],
      ["paneer", "Paneer"],
      ["ghee", "Ghee"],
      ["makhan", "Butter"],
      ["chai", "Tea"],
      ["chai patti", "Tea"],
      ["cheeni", "Sugar"],
      ["shakkar", "Sugar"],
      ["namak", "Salt"],
      ["dal", "Toor Dal"],
      ["dal", "Moong Dal"],
      ["dal", "Chana Dal"],
      ["besan", "Besan"],
      ["haldi", "Turmeric"],
      ["jeera", "Cumin"],
      ["sabun", "Soap"],
      ["nimbu", "Lemon"],
      ["kela", "Banana"],
      ["aam", "Mango"],
      ["seb", "Apple"],
      ["anda", "Eggs"],
      ["biscut", "Biscuits"],
      ["biskut", "Biscuits"],
      ["maida", "Maida"],
      ["sooji", "Rava"],
      ["rava", "Rava"],
      ["poha", "Poha"],
      ["methi", "Fenugreek"]
    ]
    for (const [alias, word] of expected) expect(find(alias, word).length, `${alias} → ${word}`).toBeGreaterThan(0)
    const bad = skus.filter(
      (s) => s.aliases.some((a) => a !== a.toLowerCase()) || (s.category === "fresh_produce" && s.aliases.length === 0)
    )
    expect(bad).toEqual([])
  })

  it("every pincode has a store and several are served by two or more", () => {
    const index = storesByPincode(stores)
    for (const s of stores) for (const pin of s.pincodes) expect(index.get(pin)).toContain(s.id)
    const shared = [...index].filter(([, ids]) => ids.length >= 2)
    expect(shared.length).toBeGreaterThanOrEqual(3)
    // primary is the first store listed for the pincode
    expect(index.get("411057")![0]).toBe("pune-wakad")
  })

  it("each store carries 60–90% of SKUs, once each", () => {
    const perStore = new Map<string, Set<string>>()
    const problems: Array<string> = []
    for (const row of stock) {
      const set = perStore.get(row.storeId) ?? new Set<string>()
      if (set.has(row.skuId)) problems.push(`duplicate ${row.storeId}/${row.skuId}`)
      if (!skuById.has(row.skuId)) problems.push(`unknown ${row.skuId}`)
      set.add(row.skuId)
      perStore.set(row.storeId, set)
    }
    expect(problems).toEqual([])
    expect(perStore.size).toBe(12)
    const shares = [...perStore.values()].map((s) => s.size / skus.length)
    for (const share of shares) {
      expect(share).toBeGreaterThanOrEqual(0.6)
      expect(share).toBeLessThanOrEqual(0.9)
    }
    expect(new Set(shares.map((s) => s.toFixed(2))).size).toBeGreaterThan(1)
  })

  it("batches: 1–3 per store-SKU, unique lots, integer qty 0–120, a few out of stock", () => {
    let outOfStock = 0
    const lots = new Set<string>()
    const problems: Array<string> = []
    for (const row of stock) {
      const where = `${row.storeId}/${row.skuId}`
      if (row.batches.length < 1 || row.batches.length > 3) problems.push(`${where}: ${row.batches.length} batches`)
      if (!Number.isInteger(row.reorderThreshold) || row.reorderThreshold < 5 || row.reorderThreshold > 20) {
        problems.push(`${where}: reorderThreshold ${row.reorderThreshold}`)
      }
      for (const b of row.batches) {
        if (!Number.isInteger(b.qty) || b.qty < 0 || b.qty > 120) problems.push(`${where}: qty ${b.qty}`)
        if (!/^L-[A-Z]{3}-\d{5}-[1-3]$/.test(b.lot)) problems.push(`${where}: lot ${b.lot}`)
        if (lots.has(b.lot)) problems.push(`${where}: duplicate lot ${b.lot}`)
        lots.add(b.lot)
        if (b.bestBefore <= now) problems.push(`${where}: already expired`)
      }
      if (row.batches.every((b) => b.qty === 0)) outOfStock++
    }
    expect(problems).toEqual([])
    expect(outOfStock).toBeGreaterThan(0)
    expect(outOfStock / stock.length).toBeLessThanOrEqual(0.05)
  })

  it("best-before dates follow the category and some fresh/dairy batches are within 48 h", () => {
    const day = 24 * HOUR
    const range = {
      fresh_produce: [1, 6],
      dairy: [1, 10],
      packaged_food: [30, 365],
      household_cleaning: [180, 720],
      personal_care: [180, 720]
    } as const
    let freshDairy = 0
    let near = 0
    let nearFresh = 0
    const problems: Array<string> = []
    for (const row of stock) {
      const sku = skuById.get(row.skuId)!
      const [lo, hi] = range[sku.category]
      row.batches.forEach((b, i) => {
        const days = (b.bestBefore - now) / day
        if (days < lo || days > hi) problems.push(`${row.storeId}/${row.skuId} (${sku.category}): ${days.toFixed(2)} days`)
        if (i > 0 && b.bestBefore < row.batches[i - 1]!.bestBefore) problems.push(`${row.storeId}/${row.skuId}: not FEFO order`)
        if (sku.category === "fresh_produce" || sku.category === "dairy") {
          freshDairy++
          if (b.bestBefore - now <= 48 * HOUR) {
            near++
            if (sku.category === "fresh_produce") nearFresh++
          }
        }
      })
    }
    expect(problems).toEqual([])
    expect(nearFresh).toBeGreaterThan(0)
    expect(near / freshDairy).toBeGreaterThan(0.01)
    expect(near / freshDairy).toBeLessThan(0.1)
  })

  it("is fast", () => {
    const started = performance.now()
    makeDemoCatalogue({ now, seed: 42 })
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})
