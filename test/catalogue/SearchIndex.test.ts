import { describe, expect, it } from "@effect/vitest"
import { makeDemoCatalogue } from "@qc/entities/demo/DemoCatalogue"
import { type SearchDoc, type SearchOptions, SearchIndex, tokenize } from "@qc/entities/catalogue/SearchIndex"
import relevance from "../fixtures/search-relevance.json" with { type: "json" }

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

  it("ranks exact > alias > name > prefix > fuzzy, ahead of stock and popularity", () => {
    const index = SearchIndex.build([
      doc("fuzzy", "Kala Namak 1 kg"),
      doc("prefix", "Kelambakkam Rice 1 kg"),
      doc("part", "Plantain 1 kg", ["kacha kela"]),
      doc("name", "Kela Chips 200 g"),
      doc("alias", "Banana 6 pcs", ["kela"]),
      doc("named alias", "Kela Wafers 100 g", ["kela", "chips"]),
      doc("exact", "Acme Kela 6 pcs")
    ])
    const popularity: Record<string, number> = { fuzzy: 100, prefix: 50, part: 40, name: 30, alias: 20, "named alias": 10, exact: 0 }
    const hits = index.search("kela", { ...everything, inStock: (id) => id !== "exact", popularity: (id) => popularity[id]! })
    expect(hits.map((h) => [h.skuId, h.match])).toEqual([
      ["exact", "exact"],
      // a whole alias; first where the token is also a word of the name
      ["named alias", "alias"],
      ["alias", "alias"],
      // only part of the name or of a longer alias; first the name
      ["name", "name"],
      ["part", "name"],
      ["prefix", "prefix"],
      ["fuzzy", "fuzzy"]
    ])
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a))
    // a hit's tier is its worst token: "fresh" exact in the name, "tom" only a prefix
    expect(produce.search("fresh tom", everything).map((h) => [h.skuId, h.match])).toEqual([["tomato", "prefix"]])
  })

  it("is exact only when the query covers the name but its leading brand words and sizes", () => {
    const index = SearchIndex.build([
      doc("plain", "Fresh Potato 1 kg", ["aloo", "potato"], "Farm Fresh"),
      doc("baby", "Fresh Baby Potato 500 g", ["aloo", "potato"], "Farm Fresh"),
      doc("organic", "Organic Potato 1 kg", ["aloo", "potato"], "Pro Nature"),
      doc("bhujia", "Haldiram's Aloo Bhujia 200 g", ["namkeen", "aloo bhujia"], "Haldiram's", "packaged_food"),
      doc("chips", "Lay's Potato Chips 50 g", ["chips"], "Lay's", "packaged_food"),
      doc("tea", "Tata Tea Gold Tea 500 g", ["chai"], "Tata Tea", "packaged_food")
    ])
    const ranked = (query: string) => index.search(query, everything).map((h) => [h.skuId, h.match])
    expect(ranked("potato")).toEqual([["plain", "exact"], ["organic", "alias"], ["baby", "alias"], ["chips", "name"]])
    expect(ranked("aloo")).toEqual([["plain", "alias"], ["organic", "alias"], ["baby", "alias"], ["bhujia", "name"]])
    expect(ranked("baby potato")).toEqual([["baby", "exact"]])
    expect(ranked("aloo bhujia")).toEqual([["bhujia", "exact"]])
    expect(ranked("haldirams aloo bhujia 200 g")).toEqual([["bhujia", "exact"]])
    // "fresh" is only one word of Organic Potato's category, "fresh_produce"
    expect(ranked("fresh potato 1 kg")).toEqual([["plain", "exact"], ["organic", "name"]])
    expect(ranked("farm fresh")).toEqual([["plain", "name"], ["baby", "name"]])
    // only the brand words that lead the name are left out: "Tea" after "Gold" is the product
    expect(ranked("gold tea")).toEqual([["tea", "exact"]])
    expect(ranked("tata tea")).toEqual([["tea", "name"]])
    expect(ranked("gold")).toEqual([["tea", "name"]])
  })

  it("puts in-stock first within a tier, then popularity, then the shorter name, then skuId", () => {
    const index = SearchIndex.build([
      doc("b", "Amul Butter 500 g"),
      doc("a", "Amul Butter 100 g"),
      doc("c", "Amul Garlic Butter 100 g"),
      doc("d", "Amul Butter 1 kg"),
      doc("e", "Amul Unsalted Butter 100 g")
    ])
    // "butter" is one word of each name: all are in the name tier
    expect(index.search("butter", everything).every((h) => h.match === "name")).toBe(true)
    expect(ids(index, "butter")).toEqual(["d", "a", "b", "c", "e"])
    expect(ids(index, "butter", { inStock: (id) => id !== "d" && id !== "a" })).toEqual(["b", "c", "e", "d", "a"])
    const popular: Record<string, number> = { e: 9, c: 5, b: 5 }
    const hits = index.search("butter", { ...everything, popularity: (id) => popular[id] ?? 0, inStock: (id) => id !== "e" })
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
    expect(farm!.match).toBe("name")
    expect(farm!.matchedTerms).toEqual([{ query: "farm", term: "farm", field: "brand", kind: "exact", distance: 0 }])
    // brand words count as the name; the brand phrase is preferred to a brand word, a name word to the brand phrase
    const [onion, ...others] = produce.search("farm fresh onion", everything)
    expect([onion!.skuId, onion!.match, others]).toEqual(["onion", "exact", []])
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

  it("finds potato for aloo and spinach for palak before the products named Aloo… or Palak…", () => {
    for (const [query, product, named] of [["aloo", /^\w+( Baby| New)? Potato \d/, /Aloo/], ["palak", /^\w+ Spinach \d/, /Palak/]] as const) {
      const hits = index.search(query, { ...everything, limit: 100 }).map((h) => ({ name: nameOf.get(h.skuId)!, match: h.match }))
      const firstNamed = hits.findIndex((h) => named.test(h.name))
      expect(firstNamed).toBeGreaterThan(0)
      expect(hits.slice(0, firstNamed).every((h) => h.match === "alias" && product.test(h.name))).toBe(true)
      expect(hits.filter((h) => named.test(h.name)).every((h) => h.match === "name")).toBe(true)
    }
    // "potato": the plain potatoes are exact; a variant ("Baby Potato") or another product ("Potato Chips") is not
    const potato = index.search("potato", { ...everything, limit: 100 })
    const exact = potato.filter((h) => h.match === "exact").map((h) => nameOf.get(h.skuId)!)
    expect(exact.length).toBeGreaterThan(0)
    expect(exact.every((name) => /^Fresh Potato \d/.test(name))).toBe(true)
    expect(potato.filter((h) => /Chips/.test(nameOf.get(h.skuId)!)).every((h) => h.match === "name")).toBe(true)
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
