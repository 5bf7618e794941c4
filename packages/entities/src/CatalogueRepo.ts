import { SqlClient } from "@effect/sql"
import { Sku, Store } from "@qc/domain/Catalogue"
import type { Category, Pincode } from "@qc/domain/Catalogue"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import type { Paise } from "@qc/domain/Money"
import { Effect, Option } from "effect"

/**
 * Stores and SKUs, held in memory: the catalogue is small (a few thousand rows)
 * and read on every request, so lookups must not cost a query.
 */
export class CatalogueRepo extends Effect.Service<CatalogueRepo>()("CatalogueRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const storeRows = yield* sql<{ id: StoreId; name: string; locality: string; pincodes: Array<Pincode>; lat: number; lng: number }>`
      SELECT id, name, locality, pincodes, lat, lng FROM stores ORDER BY position NULLS LAST, id`.pipe(Effect.orDie)
    const skuRows = yield* sql<{
      id: SkuId
      name: string
      aliases: Array<string>
      category: Category
      unit: string
      brand: string
      base_price: Paise
      vendor_cost: number | null
      popularity: number
    }>`SELECT id, name, aliases, category, unit, brand, base_price, vendor_cost, popularity FROM skus ORDER BY id`.pipe(
      Effect.orDie
    )
    const stores = storeRows.map((r) => new Store(r))
    const skus = new Map(skuRows.map((r) => [r.id as string, new Sku({ ...r, basePrice: r.base_price })]))
    const vendorCosts = new Map(skuRows.map((r) => [r.id as string, r.vendor_cost]))
    const popularity = new Map(skuRows.map((r) => [r.id as string, r.popularity]))
    const storesById = new Map(stores.map((s) => [s.id as string, s]))
    const byPincode = new Map<string, Array<Store>>()
    for (const store of stores) {
      for (const pincode of store.pincodes) byPincode.set(pincode, [...(byPincode.get(pincode) ?? []), store])
    }
    return {
      stores,
      /** The stores delivering to a pincode, primary first. */
      storesForPincode: (pincode: string): ReadonlyArray<Store> => byPincode.get(pincode) ?? [],
      store: (id: string) => Option.fromNullable(storesById.get(id)),
      sku: (id: string) => Option.fromNullable(skus.get(id)),
      skus: (): Iterable<Sku> => skus.values(),
      /** What the vendor charges us, if known. */
      vendorCost: (id: string): number | null => vendorCosts.get(id) ?? null,
      popularity: (id: string): number => popularity.get(id) ?? 0,
      skuCount: skus.size
    } as const
  })
}) {}
