import { describe, expect, it } from "@effect/vitest"
import { makeDemoCatalogue } from "@qc/entities/DemoCatalogue"
import { type SearchDoc, type SearchOptions, SearchIndex, tokenize } from "@qc/entities/SearchIndex"
import relevance from "./fixtures/search-relevance.json" with { type: "json" }

const doc = (skuId: string, name: string, aliases: ReadonlyArray<string> = [], brand = "Acme", category = "fresh_produce"): SearchDoc => ({
  skuId,
  name,
  aliases,
  category,
  brand
})

const everything: SearchOptions = { limit: 50, accept: () => true, inStock: () => true, popularity: () => 0 }
const ids = (index: SearchIndex, query: string, options: Partial<SearchOptions> = {}): ReadonlyArray<string> =>
  index.search(query, { ...everything, ...options }).map((h) => h.skuId)

const produce = SearchIndex.build([
  doc("tomato", "Fresh Tomato 1 kg", ["tamatar", "tomato"], "Farm Fresh"),
  doc("ketchup", "Kissan Tomato Ketchup 500 g", ["ketchup", "tomato sauce"], "Kissan", "packaged_food"),
  doc("potato", "Fresh Potato 1 kg", ["aloo", "batata", "potato"], "Farm Fresh"),
  doc("bhujia", "Haldiram's Aloo Bhujia 400 g", ["namkeen", "aloo bhujia"], "Haldiram's", "packaged_food"),
  doc("chilli", "Fresh Green Chilli 100 g", ["mirchi", "hari mirchi", "chilli"], "Farm Fresh"),
  doc("powder", "Everest Red Chilli Powder 100 g", ["lal mirchi", "mirchi"], "Everest", "packaged_food"),
  doc("coriander", "Fresh Coriander Leaves 100 g", ["dhaniya", "धनिया"], "Farm Fresh"),
  doc("onion", "Fresh Onion 1 kg", ["pyaz", "kanda"], "Farm Fresh")
])

describe("tokenize", () => {
  it("lower-cases, strips accents and punctuation, splits sizes from units", () => {
    expect(tokenize("Lay's Crème Brûlée 1kg, Amul-Taaza (500 ml)")).toEqual(["lays", "creme", "brulee", "1", "kg", "amul", "taaza", "500", "ml"])
    expect(tokenize("fresh_produce")).toEqual(["fresh", "produce"])
    expect(tokenize("  \t,.!  ")).toEqual([])
  })

  it("keeps Devanagari letters with their vowel signs", () => {
    expect(tokenize("आलू, टमाटर")).toEqual(["आलू", "टमाटर"])
    expect(ids(produce, "धनिया")).toEqual(["coriander"])
  })
})

describe("SearchIndex", () => {
  it("counts its documents and answers an empty query with nothing", () => {
    expect(produce.size).toBe(8)
    expect(produce.search("", everything)).toEqual([])
    expect(produce.search("  - ", everything)).toEqual([])
    expect(produce.search("tomato", { ...everything, limit: 0 })).toEqual([])
  })

  it("requires every query token to match (AND)", () => {
    expect(ids(produce, "mirchi")).toEqual(["chilli", "powder"])
    expect(ids(produce, "hari mirchi")).toEqual(["chilli"])
    expect(ids(produce, "tomato potato")).toEqual([])
    expect(ids(produce, "fresh kg")).toEqual(["onion", "potato", "tomato"])
  })

  it("ranks exact name > alias > prefix > fuzzy, ahead of stock and popularity", () => {
    const index = SearchIndex.build([
      doc("fuzzy", "Kala Namak 1 kg"),
      doc("prefix", "Kelambakkam Rice 1 kg"),
      doc("alias", "Banana 6 pcs", ["kela"]),
      doc("exact", "Kela Chips 200 g")
    ])
    const popularity: Record<string, number> = { fuzzy: 100, prefix: 50, alias: 10, exact: 0 }
    const hits = index.search("kela", { ...everything, inStock: (id) => id !== "exact", popularity: (id) => popularity[id]! })
    expect(hits.map((h) => [h.skuId, h.match])).toEqual([
      ["exact", "exact"],
      ["alias", "alias"],
      ["prefix", "prefix"],
      ["fuzzy", "fuzzy"]
    ])
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a))
    // a hit's tier is its worst token: "fresh" exact in the name, "tom" only a prefix
    expect(produce.search("fresh tom", everything).map((h) => [h.skuId, h.match])).toEqual([["tomato", "prefix"]])
  })

  it("puts in-stock first within a tier, then popularity, then the shorter name, then skuId", () => {
    const index = SearchIndex.build([
      doc("b", "Amul Butter 500 g"),
      doc("a", "Amul Butter 100 g"),
      doc("c", "Amul Garlic Butter 100 g"),
      doc("d", "Amul Butter 1 kg"),
      doc("e", "Amul Unsalted Butter 100 g")
    ])
    expect(ids(index, "amul butter")).toEqual(["d", "a", "b", "c", "e"])
    expect(ids(index, "amul butter", { inStock: (id) => id !== "d" && id !== "a" })).toEqual(["b", "c", "e", "d", "a"])
    const popular: Record<string, number> = { e: 9, c: 5, b: 5 }
    const hits = index.search("amul butter", { ...everything, popularity: (id) => popular[id] ?? 0, inStock: (id) => id !== "e" })
    expect(hits.map((h) => h.skuId)).toEqual(["b", "c", "d", "a", "e"])
    expect(hits.map((h) => h.inStock)).toEqual([true, true, true, true, false])
    expect(hits[0]!.score).toBeGreaterThan(hits[2]!.score)
    expect(hits[3]!.score).toBeGreaterThan(hits[4]!.score)
  })

  it("only returns SKUs the store accepts, up to the limit", () => {
    expect(ids(produce, "tomato")).toEqual(["tomato", "ketchup"])
    expect(ids(produce, "tomato", { accept: (id) => id !== "tomato" })).toEqual(["ketchup"])
    expect(ids(produce, "fresh", { limit: 2 })).toEqual(["onion", "potato"])
  })

  it("reports what each query token matched", () => {
    const [chilli] = produce.search("hari mirchi", everything)
    expect(chilli!.matchedTerms).toEqual([
      { query: "hari", term: "hari mirchi", field: "alias", kind: "exact", distance: 0 },
      { query: "mirchi", term: "hari mirchi", field: "alias", kind: "exact", distance: 0 }
    ])
    expect(produce.search("fresh tamatr", everything)[0]!.matchedTerms).toEqual([
      { query: "fresh", term: "fresh", field: "name", kind: "exact", distance: 0 },
      { query: "tamatr", term: "tamatar", field: "alias", kind: "fuzzy", distance: 1 }
    ])
    expect(produce.search("kissan tom", everything)[0]!.matchedTerms).toEqual([
      { query: "kissan", term: "kissan", field: "name", kind: "exact", distance: 0 },
      { query: "tom", term: "tomato", field: "name", kind: "prefix", distance: 0 }
    ])
    const [farm] = produce.search("farm", everything)
    expect(farm!.match).toBe("alias")
    expect(farm!.matchedTerms).toEqual([{ query: "farm", term: "farm", field: "brand", kind: "exact", distance: 0 }])
    // a brand word is alias-tier; the brand phrase is preferred, a name word keeps the exact tier
    const [onion, ...others] = produce.search("farm fresh onion", everything)
    expect([onion!.skuId, onion!.match, others]).toEqual(["onion", "alias", []])
    expect(onion!.matchedTerms.map((m) => [m.term, m.field, m.kind])).toEqual([
      ["farm fresh", "brand", "exact"],
      ["fresh", "name", "exact"],
      ["onion", "name", "exact"]
    ])
    expect(produce.search("harimirchi", everything).map((h) => [h.skuId, h.match])).toEqual([["chilli", "alias"]])
  })

  it("allows 0 edits up to 3 letters, 1 up to 7, 2 from 8; a transposition is one edit", () => {
    const index = SearchIndex.build([doc("pan", "Pan Masala"), doc("cor", "Coriander Leaves"), doc("tom", "Tomato", ["tamatar"])])
    expect(ids(index, "pna")).toEqual([])
    expect(ids(index, "pna masala")).toEqual([])
    expect(ids(index, "masla")).toEqual(["pan"])
    expect(ids(index, "tamatr")).toEqual(["tom"])
    expect(ids(index, "tmatr")).toEqual([])
    expect(ids(index, "tomaot")).toEqual(["tom"])
    expect(ids(index, "tomoat")).toEqual([])
    expect(ids(index, "corriandr")).toEqual(["cor"])
    expect(ids(index, "koriandr")).toEqual(["cor"])
    expect(ids(index, "crrindr")).toEqual([])
    // only the last token may be a prefix, and only from two letters
    expect(ids(index, "t")).toEqual([])
    expect(ids(index, "to")).toEqual(["tom"])
    expect(ids(index, "cori leaves")).toEqual([])
  })

  it("gives the same answers whatever order the documents come in", () => {
    const { skus } = makeDemoCatalogue({ now: 0, skuCount: 600 })
    const docs = skus.map((s): SearchDoc => ({ skuId: s.id, name: s.name, aliases: s.aliases, category: s.category, brand: s.brand }))
    const forward = SearchIndex.build(docs)
    const backward = SearchIndex.build([...docs].reverse())
    const options: SearchOptions = { ...everything, limit: 30, inStock: (id) => id.endsWith("3") === false, popularity: (id) => Number(id.slice(-2)) % 7 }
    for (const q of ["milk", "amul", "tamatr", "fresh", "dal", "cho", "hari mirchi", "soap 100 g"]) {
      expect(backward.search(q, options)).toEqual(forward.search(q, options))
      expect(forward.search(q, options)).toEqual(forward.search(q, options))
    }
  })
})

describe("SearchIndex over the demo catalogue", () => {
  const { skus } = makeDemoCatalogue({ now: 0 })
  const started = performance.now()
  const index = SearchIndex.build(skus.map((s) => ({ skuId: s.id, name: s.name, aliases: s.aliases, category: s.category, brand: s.brand })))
  const buildMs = performance.now() - started
  const nameOf = new Map(skus.map((s) => [s.id, s.name]))

  it("puts the expected product first for every relevance case", () => {
    expect(relevance.length).toBeGreaterThanOrEqual(45)
    const failures: Array<string> = []
    for (const { q, expect: want } of relevance) {
      const top = index.search(q, { ...everything, limit: 1 })[0]
      const name = top === undefined ? "(nothing)" : nameOf.get(top.skuId)!
      if (!name.toLowerCase().includes(want.toLowerCase())) failures.push(`${q} → ${name} (wanted "${want}")`)
    }
    console.log(`search relevance: ${relevance.length - failures.length}/${relevance.length} cases pass; index of ${index.size} built in ${buildMs.toFixed(0)} ms`)
    expect(failures).toEqual([])
  })

  it("finds potato for aloo, right after products named Aloo", () => {
    const hits = index.search("aloo", { ...everything, limit: 40 })
    const firstPotato = hits.findIndex((h) => nameOf.get(h.skuId)!.endsWith(" kg") && /Potato \d/.test(nameOf.get(h.skuId)!))
    expect(firstPotato).toBeGreaterThan(0)
    expect(hits.slice(0, firstPotato).every((h) => h.match === "exact" && /aloo/i.test(nameOf.get(h.skuId)!))).toBe(true)
    expect(hits[firstPotato]!.match).toBe("alias")
  })

  it("keeps scores in rank order and searches fast (timing printed, not asserted)", () => {
    const stock = (id: string) => Number(id.slice(-3)) % 11 !== 0
    const popularity = (id: string) => (Number(id.slice(-4)) * 7919) % 1000
    const options: SearchOptions = { limit: 20, accept: (id) => Number(id.slice(-2)) % 4 !== 0, inStock: stock, popularity }
    const queries = [...relevance.map((c) => c.q), "ma", "fresh", "g", "organic fresh", "detergnt powdr", "packaged food", "milk 500 ml", "co", "shampo", "chocolat"]
    for (const q of queries) index.search(q, options) // warm up the JIT
    const times: Array<number> = []
    for (let i = 0; i < 2_000; i++) {
      const q = queries[i % queries.length]!
      const t = performance.now()
      const hits = index.search(q, options)
      times.push(performance.now() - t)
      if (i < queries.length) {
        for (let k = 1; k < hits.length; k++) expect(hits[k]!.score).toBeLessThanOrEqual(hits[k - 1]!.score)
      }
    }
    times.sort((a, b) => a - b)
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3)
    console.log(`search over ${index.size} docs, ${times.length} mixed queries: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`)
  })
})
