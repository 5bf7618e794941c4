import type { BrowseSort, CatalogueItem, CataloguePage, SearchResults } from "@qc/domain/Browse"
import { InvalidCursor } from "@qc/domain/Browse"
import type { Category, Pincode, Sku } from "@qc/domain/Catalogue"
import { SkuNotFound } from "@qc/domain/Errors"
import type { StoreId } from "@qc/domain/Ids"
import { NotServiceable } from "@qc/domain/Order"
import { Effect, Either, Schema } from "effect"
import { CatalogueRepo } from "./CatalogueRepo.js"
import { PriceResolver } from "./PriceResolver.js"
import type { QuotedPrice } from "./PriceResolver.js"
import { SearchIndex } from "./SearchIndex.js"
import { StockAvailability } from "./StockAvailability.js"

const categoryNames: Record<Category, string> = {
  fresh_produce: "Fruits & vegetables",
  dairy: "Dairy, bread & eggs",
  packaged_food: "Staples & packaged food",
  household_cleaning: "Cleaning & household",
  personal_care: "Personal care"
}

const Cursor = Schema.parseJson(Schema.Struct({
  s: Schema.Literal("name", "price", "popularity"),
  c: Schema.NullOr(Schema.String),
  k: Schema.Union(Schema.String, Schema.Number),
  id: Schema.String
}))
const encodeCursor = (c: typeof Cursor.Type) => Buffer.from(Schema.encodeSync(Cursor)(c)).toString("base64url")
const decodeCursor = (text: string) => Schema.decodeUnknownEither(Cursor)(Buffer.from(text, "base64url").toString("utf8"))

interface Candidate {
  readonly sku: Sku
  readonly storeId: string
}

/**
 * What a pincode can order: each SKU from the first store serving the pincode
 * that has it in stock (else the first that carries it), which is where checkout
 * routes it too; prices from the cache-backed quote, stock from the read model.
 */
export class CatalogueBrowse extends Effect.Service<CatalogueBrowse>()("CatalogueBrowse", {
  effect: Effect.gen(function*() {
    const catalogue = yield* CatalogueRepo
    const stock = yield* StockAvailability
    const prices = yield* PriceResolver
    const index = SearchIndex.build(
      [...catalogue.skus()].map((s) => ({ skuId: s.id, name: s.name, aliases: s.aliases, category: s.category, brand: s.brand }))
    )
    const byCategory = new Map<string, Array<Sku>>()
    for (const sku of catalogue.skus()) byCategory.set(sku.category, [...(byCategory.get(sku.category) ?? []), sku])

    const storesFor = (pincode: Pincode) => {
      const stores = catalogue.storesForPincode(pincode).map((s) => s.id as string)
      return stores.length === 0 ? Effect.fail(new NotServiceable({ pincode })) : Effect.succeed(stores)
    }

    const servingStore = (stores: ReadonlyArray<string>, skuId: string): string | undefined => {
      let carrier: string | undefined
      for (const storeId of stores) {
        const available = stock.available(storeId, skuId)
        if (available === undefined) continue
        if (available > 0) return storeId
        carrier ??= storeId
      }
      return carrier
    }

    const candidates = (stores: ReadonlyArray<string>, skus: Iterable<Sku>): Array<Candidate> => {
      const out: Array<Candidate> = []
      for (const sku of skus) {
        const storeId = servingStore(stores, sku.id)
        if (storeId !== undefined) out.push({ sku, storeId })
      }
      return out
    }

    /** Prices for candidates, one cache round per store. */
    const priced = (items: ReadonlyArray<Candidate>) =>
      Effect.gen(function*() {
        const byStore = new Map<string, Array<string>>()
        for (const c of items) byStore.set(c.storeId, [...(byStore.get(c.storeId) ?? []), c.sku.id])
        const quotes = new Map<string, QuotedPrice>()
        yield* Effect.forEach([...byStore], ([storeId, skuIds]) =>
          Effect.map(prices.quote(storeId, skuIds), (found) => {
            for (const [skuId, q] of found) quotes.set(skuId, q)
          }), { discard: true })
        return quotes
      })

    const item = (c: Candidate, quote: QuotedPrice | undefined): CatalogueItem => ({
      skuId: c.sku.id,
      name: c.sku.name,
      brand: c.sku.brand,
      unit: c.sku.unit,
      category: c.sku.category,
      storeId: c.storeId as StoreId,
      price: quote?.price ?? c.sku.basePrice,
      pricing: quote
        ? { rule: quote.rule, ruleId: quote.pricingContext.ruleId, reason: quote.pricingContext.reason }
        : { rule: "base_price", ruleId: null, reason: "catalogue base price" },
      availability: stock.availability(c.storeId, c.sku.id),
      popularity: catalogue.popularity(c.sku.id)
    })

    const browse = Effect.fn("CatalogueBrowse.browse")(function*(query: {
      readonly pincode: Pincode
      readonly category?: Category | undefined
      readonly sort?: BrowseSort | undefined
      readonly cursor?: string | undefined
      readonly limit?: number | undefined
    }): Effect.fn.Return<CataloguePage, NotServiceable | InvalidCursor> {
      const sort = query.sort ?? "popularity"
      const limit = query.limit ?? 20
      const stores = yield* storesFor(query.pincode)
      const all = candidates(stores, query.category ? byCategory.get(query.category) ?? [] : catalogue.skus())
      const quotes = sort === "price" ? yield* priced(all) : new Map<string, QuotedPrice>()
      const key = (c: Candidate): string | number =>
        sort === "name" ? c.sku.name : sort === "price" ? quotes.get(c.sku.id)?.price ?? c.sku.basePrice : -catalogue.popularity(c.sku.id)
      const compare = (ak: string | number, aid: string, bk: string | number, bid: string) =>
        ak < bk ? -1 : ak > bk ? 1 : aid < bid ? -1 : aid > bid ? 1 : 0
      const keyed = all.map((c) => ({ c, k: key(c) })).sort((a, b) => compare(a.k, a.c.sku.id, b.k, b.c.sku.id))
      let start = 0
      if (query.cursor !== undefined) {
        const cursor = decodeCursor(query.cursor)
        if (Either.isLeft(cursor) || cursor.right.s !== sort || cursor.right.c !== (query.category ?? null)) {
          return yield* Effect.fail(new InvalidCursor({ message: "cursor does not belong to this sort and category" }))
        }
        const after = cursor.right
        // Keyset: the first item strictly after the last one shown, wherever items moved since.
        start = keyed.findIndex((x) => compare(x.k, x.c.sku.id, after.k, after.id) > 0)
        if (start < 0) start = keyed.length
      }
      const page = keyed.slice(start, start + limit)
      const pageQuotes = sort === "price" ? quotes : yield* priced(page.map((x) => x.c))
      const last = page[page.length - 1]
      return {
        pincode: query.pincode,
        items: page.map((x) => item(x.c, pageQuotes.get(x.c.sku.id))),
        nextCursor: last && start + limit < keyed.length
          ? encodeCursor({ s: sort, c: query.category ?? null, k: last.k, id: last.c.sku.id })
          : null
      }
    })

    const product = Effect.fn("CatalogueBrowse.product")(function*(skuId: string, pincode: Pincode) {
      const stores = yield* storesFor(pincode)
      const sku = catalogue.sku(skuId)
      if (sku._tag === "None") return yield* Effect.fail(new SkuNotFound({ skuId }))
      const storeId = servingStore(stores, skuId)
      if (storeId === undefined) return yield* Effect.fail(new SkuNotFound({ skuId }))
      const candidate = { sku: sku.value, storeId }
      return item(candidate, (yield* priced([candidate])).get(skuId))
    })

    const search = Effect.fn("CatalogueBrowse.search")(function*(q: string, pincode: Pincode, limit = 20) {
      const stores = yield* storesFor(pincode)
      const serving = new Map<string, string | undefined>()
      const storeOf = (skuId: string) => {
        if (!serving.has(skuId)) serving.set(skuId, servingStore(stores, skuId))
        return serving.get(skuId)
      }
      const hits = index.search(q, {
        limit,
        accept: (skuId) => storeOf(skuId) !== undefined,
        inStock: (skuId) => (stock.available(storeOf(skuId)!, skuId) ?? 0) > 0,
        popularity: catalogue.popularity
      })
      const found = hits.flatMap((h) => {
        const sku = catalogue.sku(h.skuId)
        return sku._tag === "Some" ? [{ hit: h, c: { sku: sku.value, storeId: storeOf(h.skuId)! } }] : []
      })
      const quotes = yield* priced(found.map((f) => f.c))
      return {
        query: q,
        pincode,
        items: found.map(({ c, hit }) => ({ ...item(c, quotes.get(c.sku.id)), match: hit.match, matchedTerms: hit.matchedTerms }))
      } satisfies SearchResults
    })

    return {
      categories: Effect.sync(() =>
        (Object.keys(categoryNames) as Array<Category>).map((id) => ({
          id,
          name: categoryNames[id],
          skuCount: byCategory.get(id)?.length ?? 0
        }))
      ),
      browse,
      product,
      search
    } as const
  })
}) {}
