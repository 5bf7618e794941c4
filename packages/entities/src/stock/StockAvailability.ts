import { SqlClient } from "@effect/sql"
import type { Availability } from "@qc/domain/catalogue/Browse"
import { Effect } from "effect"
import { DomainEvents } from "../platform/DomainEvents.js"

interface Level {
  available: number
  reorderThreshold: number
  version: number
}

/**
 * Browse's view of stock, in memory on every runner: the committed counters at
 * start, then every `inventory.updated` (followed within ~100 ms). Applied by
 * version, so a repeated or late event never moves a level backwards. Checkout
 * never reads this: it asks the StoreSku entity.
 */
export class StockAvailability extends Effect.Service<StockAvailability>()("StockAvailability", {
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents
    const levels = new Map<string, Map<string, Level>>()
    let applied = 0

    const apply = (storeId: string, skuId: string, level: Level) => {
      let store = levels.get(storeId)
      if (!store) levels.set(storeId, store = new Map())
      const known = store.get(skuId)
      if (known && known.version >= level.version) return
      store.set(skuId, level)
      applied++
    }

    // Follow first, then load: an event committed in between is applied either way.
    yield* events.follow((batch) =>
      Effect.sync(() => {
        for (const e of batch) {
          if (e.type !== "inventory.updated") continue
          const p = e.payload
          const known = levels.get(p.storeId)?.get(p.skuId)
          apply(p.storeId, p.skuId, {
            available: p.available,
            reorderThreshold: p.reorderThreshold ?? known?.reorderThreshold ?? 0,
            version: p.version
          })
        }
      })
    )
    const rows = yield* sql<{ store_id: string; sku_id: string; available: number; reorder_threshold: number; version: number }>`
      SELECT store_id, sku_id, on_hand - reserved - allocated AS available, reorder_threshold, version FROM store_skus`.pipe(
      Effect.orDie
    )
    for (const r of rows) apply(r.store_id, r.sku_id, { available: r.available, reorderThreshold: r.reorder_threshold, version: r.version })

    const level = (storeId: string, skuId: string): Level | undefined => levels.get(storeId)?.get(skuId)
    return {
      /** Units free to sell, or undefined if the store does not carry the SKU. */
      available: (storeId: string, skuId: string): number | undefined => level(storeId, skuId)?.available,
      availability: (storeId: string, skuId: string): Availability => {
        const l = level(storeId, skuId)
        if (!l || l.available <= 0) return "out_of_stock"
        return l.available <= l.reorderThreshold ? "low" : "in_stock"
      },
      carries: (storeId: string, skuId: string): boolean => level(storeId, skuId) !== undefined,
      /** SKU ids a store carries. */
      carried: (storeId: string): Iterable<string> => levels.get(storeId)?.keys() ?? [],
      /** How many changes were applied so far (tests wait on it). */
      applied: Effect.sync(() => applied)
    } as const
  })
}) {}
