/**
 * Pure in-memory product search: built once from the catalogue, queried per
 * request. Tokens are ANDed; the last token may be a prefix; typos are matched
 * through a deletion neighbourhood so a query never scans every document.
 *
 * Tiers, best first, the first three with every token matched exactly: `exact`
 * — name/brand words covering the core name (the name but its leading brand
 * words and sizes); `alias` — a whole alias or category ("aloo" → potato);
 * `name` — only part of the name ("aloo" → Aloo Bhujia) or of a longer alias;
 * then `prefix`, `fuzzy`. Within a tier: in stock, popularity, shorter name.
 */
import { deletions, editDistance, maxDistance } from "./TypoTolerance.js"

export interface SearchDoc {
  readonly skuId: string
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly category: string
  readonly brand: string
}

export type MatchKind = "exact" | "alias" | "name" | "prefix" | "fuzzy"

export interface MatchedTerm {
  readonly query: string
  readonly term: string
  readonly field: "name" | "alias" | "brand" | "category"
  readonly kind: "exact" | "prefix" | "fuzzy"
  readonly distance: number
}

export interface SearchHit {
  readonly skuId: string
  readonly match: MatchKind
  readonly score: number
  readonly inStock: boolean
  readonly matchedTerms: ReadonlyArray<MatchedTerm>
}

export interface SearchOptions {
  readonly limit: number
  /** only SKUs this returns true for are candidates (what the pincode's store carries) */
  readonly accept: (skuId: string) => boolean
  readonly inStock: (skuId: string) => boolean
  readonly popularity: (skuId: string) => number
}

/** Field bits in a posting; the order is also the preference when a term sits in several fields. */
const FIELDS: ReadonlyArray<MatchedTerm["field"]> = ["name", "alias", "brand", "category"]
/** rank → match kind; within alias and name, hits whose every token is a name/brand word rank first */
const TIERS: ReadonlyArray<MatchKind> = ["exact", "alias", "alias", "name", "name", "prefix", "fuzzy"]
const [EXACT, ALIAS, NAME, PREFIX, FUZZY] = [0, 1, 3, 5, 6] as const
const WHOLE = 1 << FIELDS.length // posting bit: the term is a whole alias or category, not one word of a longer one
const NAMED = 0b0101 // name or brand bit
/** sizes, never part of the core name */
const UNITS = new Set(["g", "mg", "kg", "ml", "l", "ltr", "litre", "pc", "pcs", "pack", "packs", "x", "m", "bunch", "sticks", "rolls", "pulls", "pair"])

/** lower-case, strip accents/punctuation, split on non-alphanumerics (keep Devanagari letters too) */
export const tokenize = (text: string): ReadonlyArray<string> =>
  text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .normalize("NFC")
    .toLowerCase()
    // "Lay's" → "lays", not "lay" + "s"
    .replace(/['’`]/g, "")
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    // "1kg" → "1", "kg", as the names spell "1 kg"
    .flatMap((t) => t.split(/(?<=\p{N})(?=\p{L})|(?<=\p{L})(?=\p{N})/u))
    .filter((t) => t.length > 0)

/** doc index → OR of field bits, in doc order */
type Postings = Map<number, number>

interface Best {
  readonly tier: number // EXACT, PREFIX or FUZZY for one token
  readonly bits: number // an exact match's posting bits, phrases included
  readonly matched: MatchedTerm
}

/** Lower tier, then closer, then the earlier field; a longer exact term (a phrase) and a shorter completion win. */
const isBetter = (a: Best, b: Best): boolean => {
  if (a.tier !== b.tier) return a.tier < b.tier
  const x = a.matched
  const y = b.matched
  if (x.distance !== y.distance) return x.distance < y.distance
  if (x.field !== y.field) return FIELDS.indexOf(x.field) < FIELDS.indexOf(y.field)
  if (x.term.length !== y.term.length) return a.tier === PREFIX ? x.term.length < y.term.length : x.term.length > y.term.length
  return x.term < y.term
}

/** popularity squashed into [0, 0.9] so the score keeps tier > stock > popularity */
const popularityScore = (p: number): number => 0.45 + (Math.atan(p) / Math.PI) * 0.9

const addPosting = <K>(map: Map<K, Postings>, key: K, doc: number, bit: number): void => {
  let postings = map.get(key)
  if (postings === undefined) map.set(key, (postings = new Map()))
  postings.set(doc, (postings.get(doc) ?? 0) | bit)
}

export class SearchIndex {
  private constructor(
    private readonly skuIds: ReadonlyArray<string>,
    private readonly nameLengths: ReadonlyArray<number>,
    /** name words a query must contain to be an exact match: no leading brand words, no sizes */
    private readonly cores: ReadonlyArray<ReadonlyArray<string>>,
    /** single words, and multi-word aliases/brands/categories written as one word ("phoolgobi") */
    private readonly terms: ReadonlyMap<string, Postings>,
    /** multi-word aliases/brands/categories, words joined by one space ("hari mirchi") */
    private readonly phrases: ReadonlyMap<string, Postings>,
    private readonly longestPhrase: number,
    private readonly sortedTerms: ReadonlyArray<string>,
    /** deletion neighbourhood → the terms that produce it */
    private readonly neighbours: ReadonlyMap<string, ReadonlyArray<string>>,
    private readonly longestTerm: number
  ) {
    this.size = skuIds.length
  }

  readonly size: number

  static build(docs: Iterable<SearchDoc>): SearchIndex {
    const skuIds: Array<string> = []
    const nameLengths: Array<number> = []
    const cores: Array<ReadonlyArray<string>> = []
    const terms = new Map<string, Postings>()
    const phrases = new Map<string, Postings>()
    let longestPhrase = 1
    for (const doc of docs) {
      const i = skuIds.length
      skuIds.push(doc.skuId)
      nameLengths.push(doc.name.length)
      const name = tokenize(doc.name)
      const brand = new Set(tokenize(doc.brand))
      const lead = name.findIndex((w) => !brand.has(w)) // "Fresh" of brand "Farm Fresh" leads "Fresh Potato 1 kg"
      cores.push(lead < 0 ? [] : name.slice(lead).filter((w) => !UNITS.has(w) && !/^\p{N}+$/u.test(w)))
      const fields: ReadonlyArray<ReadonlyArray<string>> = [[doc.name], doc.aliases, [doc.brand], [doc.category]]
      for (const [f, texts] of fields.entries()) {
        const bit = 1 << f
        const whole = FIELDS[f] === "alias" || FIELDS[f] === "category" ? bit | WHOLE : bit
        for (const text of texts) {
          const words = tokenize(text)
          for (const w of words) addPosting(terms, w, i, words.length === 1 ? whole : bit)
          if (f === 0 || words.length < 2) continue
          addPosting(terms, words.join(""), i, whole)
          addPosting(phrases, words.join(" "), i, whole)
          longestPhrase = Math.max(longestPhrase, words.length)
        }
      }
    }
    const sortedTerms = [...terms.keys()].sort()
    const neighbours = new Map<string, Array<string>>()
    for (const term of sortedTerms) {
      // a 4-letter query with one typo can reach a 3-letter term; sizes are never fuzzy
      if (term.length < 3 || /\p{N}/u.test(term)) continue
      for (const d of deletions(term, term.length >= 6 ? 2 : 1)) {
        const list = neighbours.get(d)
        if (list === undefined) neighbours.set(d, [term])
        else list.push(term)
      }
    }
    const longestTerm = sortedTerms.reduce((n, t) => Math.max(n, t.length), 0)
    return new SearchIndex(skuIds, nameLengths, cores, terms, phrases, longestPhrase, sortedTerms, neighbours, longestTerm)
  }

  search(query: string, options: SearchOptions): ReadonlyArray<SearchHit> {
    const tokens = tokenize(query)
    if (tokens.length === 0 || !(options.limit > 0)) return []
    const perToken: Array<Map<number, Best>> = []
    for (let t = 0; t < tokens.length; t++) {
      const matches = this.matchToken(tokens[t]!, t === tokens.length - 1)
      if (matches.size === 0) return []
      perToken.push(matches)
    }
    this.matchPhrases(tokens, perToken)

    const [smallest, ...rest] = [...perToken].sort((a, b) => a.size - b.size)
    const byTier: Array<Array<number>> = TIERS.map(() => [])
    const queried = new Set(tokens)
    for (const doc of smallest!.keys()) {
      if (!rest.every((m) => m.has(doc)) || !options.accept(this.skuIds[doc]!)) continue
      // every token a name/brand word; some token a whole alias/category; some token only a word of a longer one
      let tier: number = EXACT, named = true, whole = false, part = false
      for (const m of perToken) {
        const { tier: t, bits } = m.get(doc)!
        tier = Math.max(tier, t)
        named &&= (bits & NAMED) !== 0
        whole ||= (bits & WHOLE) !== 0
        part ||= (bits & (NAMED | WHOLE)) === 0
      }
      if (tier === EXACT) tier = named && this.cores[doc]!.every((w) => queried.has(w)) ? EXACT : (whole && !part ? ALIAS : NAME) + (named ? 0 : 1)
      byTier[tier]!.push(doc)
    }

    const hits: Array<SearchHit> = []
    // Stock and popularity are only asked for the tiers that can reach the page.
    for (let tier = 0; tier < byTier.length && hits.length < options.limit; tier++) {
      const ranked = byTier[tier]!.map((doc) => {
        const skuId = this.skuIds[doc]!
        const popularity = options.popularity(skuId)
        return { doc, skuId, inStock: options.inStock(skuId), popularity: Number.isNaN(popularity) ? 0 : popularity }
      })
      ranked.sort((a, b) =>
        a.inStock !== b.inStock ? (a.inStock ? -1 : 1)
        : a.popularity !== b.popularity ? (a.popularity > b.popularity ? -1 : 1)
        : this.nameLengths[a.doc]! - this.nameLengths[b.doc]! || (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0)
      )
      for (const r of ranked.slice(0, options.limit - hits.length)) {
        hits.push({
          skuId: r.skuId,
          match: TIERS[tier]!,
          score: (TIERS.length - 1 - tier) * 2 + (r.inStock ? 1 : 0) + popularityScore(r.popularity),
          inStock: r.inStock,
          matchedTerms: perToken.map((m) => m.get(r.doc)!.matched)
        })
      }
    }
    return hits
  }

  /** Every document one query token matches, with its best match per document. */
  private matchToken(token: string, isLast: boolean): Map<number, Best> {
    const out = new Map<number, Best>()
    const collect = (term: string, kind: MatchedTerm["kind"], distance: number): void => {
      const made: Array<Best | undefined> = []
      const tier = kind === "exact" ? EXACT : kind === "prefix" ? PREFIX : FUZZY
      for (const [doc, bits] of this.terms.get(term)!) {
        const field = FIELDS.find((_, k) => (bits & (1 << k)) !== 0)!
        const best = (made[bits] ??= { tier, bits, matched: { query: token, term, field, kind, distance } })
        const current = out.get(doc)
        if (current === undefined || isBetter(best, current)) out.set(doc, best)
      }
    }
    if (this.terms.has(token)) collect(token, "exact", 0)
    if (isLast && token.length >= 2) {
      for (let i = this.lowerBound(token); i < this.sortedTerms.length; i++) {
        const term = this.sortedTerms[i]!
        if (!term.startsWith(token)) break
        if (term !== token) collect(term, "prefix", 0)
      }
    }
    const max = maxDistance(token)
    if (max > 0 && token.length <= this.longestTerm + max) {
      const seen = new Set<string>([token])
      for (const d of deletions(token, max)) {
        for (const term of this.neighbours.get(d) ?? []) {
          if (seen.has(term)) continue
          seen.add(term)
          const distance = editDistance(token, term, max)
          if (distance <= max) collect(term, "fuzzy", distance)
        }
      }
    }
    return out
  }

  /** Adjacent query tokens that spell a multi-word alias ("hari mirchi") match it as one phrase (and gain WHOLE). */
  private matchPhrases(tokens: ReadonlyArray<string>, perToken: Array<Map<number, Best>>): void {
    for (let start = 0; start < tokens.length; start++) {
      for (let end = start + 2; end <= Math.min(tokens.length, start + this.longestPhrase); end++) {
        const phrase = tokens.slice(start, end).join(" ")
        // a Best is shared between documents, and so is its upgrade (per posting bits)
        const upgraded = new Map<number, Map<Best, Best>>()
        for (const [doc, bits] of this.phrases.get(phrase) ?? []) {
          const memo = upgraded.get(bits) ?? upgraded.set(bits, new Map()).get(bits)!
          for (let t = start; t < end; t++) {
            const current = perToken[t]!.get(doc)
            if (current === undefined) continue
            let best = memo.get(current)
            if (best === undefined) {
              const field = FIELDS.find((_, k) => (bits & (1 << k)) !== 0)!
              best = { tier: EXACT, bits: current.bits | bits, matched: { query: tokens[t]!, term: phrase, field, kind: "exact", distance: 0 } }
              memo.set(current, (best = isBetter(best, current) ? best : { ...current, bits: best.bits }))
            }
            perToken[t]!.set(doc, best)
          }
        }
      }
    }
  }

  private lowerBound(prefix: string): number {
    let lo = 0
    let hi = this.sortedTerms.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.sortedTerms[mid]! < prefix) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
