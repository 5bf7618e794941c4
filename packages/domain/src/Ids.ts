import { Schema } from "effect"
import { identifier as slug } from "./Text.js"

/** A dark store, e.g. `pune-baner`. */
export const StoreId = slug(64).pipe(Schema.brand("StoreId"))
export type StoreId = typeof StoreId.Type

/** A catalogue item, e.g. `sku-00042`. */
export const SkuId = slug(64).pipe(Schema.brand("SkuId"))
export type SkuId = typeof SkuId.Type

/** Chosen by the caller (the order saga) so a retried Reserve is recognised. */
export const ReservationId = slug(128).pipe(Schema.brand("ReservationId"))
export type ReservationId = typeof ReservationId.Type

/** A goods receipt (GRN) at a store; makes a repeated Receive harmless. */
export const ReceiptId = slug(128).pipe(Schema.brand("ReceiptId"))
export type ReceiptId = typeof ReceiptId.Type

/** A stock adjustment (damage, count correction); makes a repeated Adjust harmless. */
export const AdjustmentId = slug(128).pipe(Schema.brand("AdjustmentId"))
export type AdjustmentId = typeof AdjustmentId.Type

/** Entity id of a StoreSku: `{storeId}/{skuId}`. */
export const storeSkuEntityId = (storeId: StoreId, skuId: SkuId): string => `${storeId}/${skuId}`

export const parseStoreSkuEntityId = (entityId: string): { storeId: StoreId; skuId: SkuId } => {
  const slash = entityId.indexOf("/")
  return {
    storeId: StoreId.make(entityId.slice(0, slash)),
    skuId: SkuId.make(entityId.slice(slash + 1))
  }
}
