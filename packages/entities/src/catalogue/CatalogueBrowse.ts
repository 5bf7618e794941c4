import type { BrowseSort, CatalogueItem, CataloguePage, SearchResults } from "@qc/domain/catalogue/Browse"
import { InvalidCursor } from "@qc/domain/catalogue/Browse"
import type { Category, Pincode, Sku } from "@qc/domain/catalogue/Catalogue"
import { SkuNotFound } from "@qc/domain/Errors"
import type { StoreId } from "@qc/domain/Ids"
import { NotServiceable } from "@qc/domain/orders/Order"
import { Clock, Effect, Either, Schema } from "effect"
import { CatalogueRepo } from "./CatalogueRepo.js"
import { PriceCacheProbe } from "../pricing/PriceCache.js"
import { PriceResolver } from "../pricing/PriceResolver.js"
import type { QuotedPrice } from "../pricing/PriceResolver.js"
import { SearchIndex } from "./SearchIndex.js"
import { StockAvailability } from "../stock/StockAvailability.js"
import { chooseStore } from "../stores/StoreRouting.js"

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

/** The first index of a sorted list whose item is after the cursor (binary search). */
const firstAfter = <A>(sorted: ReadonlyArray<A>, isAfter: (a: A) => boolean): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (isAfter(sorted[mid])) hi = mid
    else lo = mid + 1
  }
  return lo
}

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
    const probe = yield* PriceCacheProbe
    const compare = (ak: string | number, aid: string, bk: string | number, bid: string) =>
      ak < bk ? -1 : ak > bk ? 1 : aid < bid ? -1 : aid > bid ? 1 : 0
    const staticKey = (sort: "name" | "popularity", sku: Sku): string | number =>
      sort === "name" ? sku.name : -catalogue.popularity(sku.id)

    /** The search index and fixed orders, rebuilt when the catalogue changes (any runner's edit). */
    const derive = () => {
      const index = SearchIndex.build(
        [...catalogue.skus()].map((s) => ({ skuId: s.id, name: s.name, aliases: s.aliases, category: s.category, brand: s.brand }))
      )
      const byCategory = new Map<string, Array<Sku>>()
      for (const sku of catalogue.skus()) {
        const list = byCategory.get(sku.category)
        if (list) list.push(sku)
        else byCategory.set(sku.category, [sku])
      }
      /** Name and popularity orders do not depend on the pincode: sorted once, per category and for all. */
      const sortedOnce = new Map<string, Array<{ readonly sku: Sku; readonly k: string | number }>>()
      for (const sort of ["name", "popularity"] as const) {
        for (const [category, skus] of [...byCategory, ["*", [...catalogue.skus()]] as const]) {
          sortedOnce.set(
            `${sort}:${category}`,
            skus.map((sku) => ({ sku, k: staticKey(sort, sku) })).sort((a, b) => compare(a.k, a.sku.id, b.k, b.sku.id))
          )
        }
      }
      return { version: catalogue.version(), index, byCategory, sortedOnce }
    }
    let derived = derive()
    const current = () => {
      if (derived.version !== catalogue.version()) {
        derived = derive()
        priceOrders.clear()
      }
      return derived
    }

    /** Browse routes by the rule checkout uses, over the stores open now. */
    const storesFor = (pincode: Pincode) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const stores = catalogue.openStoresForPincode(pincode, now).map((s) => s.id as string)
        return stores.length === 0 ? Effect.fail(new NotServiceable({ pincode })) : Effect.succeed(stores)
      })

    /** The store checkout would route one unit to (the shared rule), so the price shown is the price charged. */
    const servingStore = (stores: ReadonlyArray<string>, skuId: string): string | undefined =>
      chooseStore(stores, 1, (storeId) => stock.available(storeId, skuId))?.storeId

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
        for (const c of items) {
          const list = byStore.get(c.storeId)
          if (list) list.push(c.sku.id)
          else byStore.set(c.storeId, [c.sku.id])
        }
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

    /**
     * Price order needs every candidate's price. Kept per pincode and category for at
     * most a second, and dropped at once when a price is invalidated or a price it
     * holds stops being valid (a time window edge).
     */
    type PriceOrder = {
      readonly expiresAt: number
      readonly generation: number
      readonly items: ReadonlyArray<{ readonly c: Candidate; readonly k: number }>
      readonly quotes: Map<string, QuotedPrice>
    }
    const priceOrders = new Map<string, PriceOrder>()
    /** Orders being built now: concurrent requests for one wait for it instead of building it again. */
    const building = new Map<string, Effect.Effect<PriceOrder>>()
    const byPrice = (pincode: string, stores: ReadonlyArray<string>, category: Category | undefined) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const generation = yield* probe.invalidationsApplied
        const key = `${pincode}|${category ?? "*"}`
        const held = priceOrders.get(key)
        if (held && held.generation === generation && now < held.expiresAt) return held
        const pending = building.get(key)
        if (pending) return yield* pending
        const build = Effect.gen(function*() {
          const all = candidates(stores, category ? current().byCategory.get(category) ?? [] : catalogue.skus())
          const quotes = yield* priced(all)
          let expiresAt = now + 1_000
          const items = all.map((c) => {
            const q = quotes.get(c.sku.id)
            if (q?.validUntil != null && q.validUntil < expiresAt) expiresAt = q.validUntil
            return { c, k: q?.price ?? c.sku.basePrice }
          }).sort((a, b) => compare(a.k, a.c.sku.id, b.k, b.c.sku.id))
          const built: PriceOrder = { expiresAt, generation, items, quotes }
          priceOrders.set(key, built)
          return built
        }).pipe(Effect.ensuring(Effect.sync(() => building.delete(key))))
        const shared = yield* Effect.cached(build)
        building.set(key, shared)
        return yield* shared
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
      let after: { readonly k: string | number; readonly id: string } | undefined
      if (query.cursor !== undefined) {
        const cursor = decodeCursor(query.cursor)
        if (Either.isLeft(cursor) || cursor.right.s !== sort || cursor.right.c !== (query.category ?? null)) {
          return yield* Effect.fail(new InvalidCursor({ message: "cursor does not belong to this sort and category" }))
        }
        after = cursor.right
      }
      // Keyset paging: the page starts strictly after the last item shown, wherever items moved since.
      const isAfter = (k: string | number, id: string) => after === undefined || compare(k, id, after.k, after.id) > 0
      const page: Array<{ c: Candidate; k: string | number }> = []
      let more = false
      let quotes = new Map<string, QuotedPrice>()
      if (sort === "price") {
        const keyed = yield* byPrice(query.pincode, stores, query.category)
        quotes = keyed.quotes
        const lo = firstAfter(keyed.items, (x) => isAfter(x.k, x.c.sku.id))
        page.push(...keyed.items.slice(lo, lo + limit))
        more = keyed.items.length > lo + limit
      } else {
        const sorted = current().sortedOnce.get(`${sort}:${query.category ?? "*"}`) ?? []
        const lo = firstAfter(sorted, (x) => isAfter(x.k, x.sku.id))
        for (let i = lo; i < sorted.length; i++) {
          const storeId = servingStore(stores, sorted[i].sku.id)
          if (storeId === undefined) continue
          if (page.length === limit) {
            more = true
            break
          }
          page.push({ c: { sku: sorted[i].sku, storeId }, k: sorted[i].k })
        }
        quotes = yield* priced(page.map((x) => x.c))
      }
      const last = page[page.length - 1]
      return {
        pincode: query.pincode,
        items: page.map((x) => item(x.c, quotes.get(x.c.sku.id))),
        nextCursor: last && more ? encodeCursor({ s: sort, c: query.category ?? null, k: last.k, id: last.c.sku.id }) : null
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
      const hits = current().index.search(q, {
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
          skuCount: current().byCategory.get(id)?.length ?? 0
        }))
      ),
      browse,
      product,
      search
    } as const
  })
}) {}
