import type { SkuNotFound } from "@qc/domain/Errors"
import type { Store } from "@qc/domain/catalogue/Catalogue"
import { storeSkuEntityId } from "@qc/domain/Ids"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import type { Paise } from "@qc/domain/Money"
import { NotServiceable } from "@qc/domain/orders/Order"
import type { PricingContext } from "@qc/domain/orders/Order"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { Effect } from "effect"
import { CatalogueRepo } from "../catalogue/CatalogueRepo.js"
import { PriceResolver } from "../pricing/PriceResolver.js"
import { chooseStore } from "../stores/StoreRouting.js"

/** One line as checkout would take it now: the store that would pick it, its units there, its price and why. */
export interface QuotedLine {
  readonly skuId: SkuId
  readonly qty: number
  readonly storeId: StoreId
  /** Units available at that store (0 when no store serving the pincode has any). */
  readonly available: number
  readonly unitPrice: Paise
  readonly pricingContext: PricingContext
}

export interface Quoted {
  /** The open stores serving the pincode, primary first. */
  readonly stores: ReadonlyArray<Store>
  readonly lines: ReadonlyArray<QuotedLine>
  /** Sum of unit price × qty over every line: what checkout would charge. */
  readonly total: Paise
}

/**
 * Routing and pricing of a list of lines for a pincode at an instant: the part of checkout
 * that the cart view shares, so the cart shows the store and the price checkout will use.
 */
export class Quote extends Effect.Service<Quote>()("Quote", {
  effect: Effect.gen(function*() {
    const catalogue = yield* CatalogueRepo
    const pricing = yield* PriceResolver
    const storeSku = yield* StoreSkuEntity.client

    const snapshot = (storeId: StoreId, skuId: SkuId) =>
      storeSku(storeSkuEntityId(storeId, skuId)).Snapshot().pipe(
        Effect.map((s) => s.available),
        Effect.catchTag("StoreSkuNotFound", () => Effect.succeed(-1)),
        Effect.orDie
      )

    /**
     * The store for a line, by the rule browse uses (`chooseStore`), on the entities' own
     * answers (authoritative, where browse reads the availability read model).
     */
    const route = (stores: ReadonlyArray<{ readonly id: StoreId }>, skuId: SkuId, qty: number) =>
      Effect.gen(function*() {
        // Asked in preference order, stopping at the first store that fills the line: the rule
        // would pick it whatever the stores after it hold, so they cost no message.
        const levels = new Map<StoreId, number>()
        for (const store of stores) {
          const available = yield* snapshot(store.id, skuId)
          levels.set(store.id, available)
          if (available >= qty) break
        }
        return chooseStore([...levels.keys()], qty, (id) => {
          const available = levels.get(id) ?? -1
          return available < 0 ? undefined : available
        }) ?? { storeId: stores[0].id, available: 0 }
      })

    /** The stores taking orders for the pincode at `nowMs`, primary first; none: NotServiceable. */
    const openStores = (pincode: string, nowMs: number) => {
      const stores = catalogue.openStoresForPincode(pincode, nowMs)
      return stores.length === 0 ? Effect.fail(new NotServiceable({ pincode })) : Effect.succeed(stores)
    }

    const quote = Effect.fn("Quote.quote")(function*(
      pincode: string,
      items: ReadonlyArray<{ readonly skuId: SkuId; readonly qty: number }>,
      nowMs: number
    ): Effect.fn.Return<Quoted, NotServiceable | SkuNotFound> {
      const stores = yield* openStores(pincode, nowMs)
      const routes = yield* Effect.forEach(items, (item) => route(stores, item.skuId, item.qty), { concurrency: 8 }).pipe(
        Effect.withSpan("checkout.route")
      )
      // One chain evaluation per store for all its lines (two queries), fresh from the rules.
      const byStore = new Map<StoreId, Array<SkuId>>()
      items.forEach((item, i) => byStore.set(routes[i].storeId, [...(byStore.get(routes[i].storeId) ?? []), item.skuId]))
      const prices = new Map<string, { readonly price: Paise; readonly pricingContext: PricingContext }>()
      yield* Effect.forEach([...byStore], ([storeId, skuIds]) =>
        Effect.map(pricing.resolveMany(storeId, skuIds, nowMs), (found) => {
          for (const [skuId, p] of found) prices.set(`${storeId}/${skuId}`, p)
        }), { discard: true }).pipe(Effect.withSpan("checkout.price"))
      const lines = items.map((item, i): QuotedLine => {
        const { price, pricingContext } = prices.get(`${routes[i].storeId}/${item.skuId}`)!
        return {
          skuId: item.skuId,
          qty: item.qty,
          storeId: routes[i].storeId,
          available: routes[i].available,
          unitPrice: price,
          pricingContext
        }
      })
      const total = lines.reduce((sum, l) => sum + l.unitPrice * l.qty, 0) as Paise
      return { stores, lines, total }
    })

    return { openStores, quote } as const
  })
}) {}
