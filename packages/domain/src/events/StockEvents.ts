import { Schema } from "effect"
import { SkuId, StoreId } from "../Ids.js"
import { eventSchema } from "./EventSchema.js"

/**
 * A store-SKU's counters after a commit that moved stock (a refused reservation moves
 * none and publishes nothing). Aggregate: `{storeId}/{skuId}`. Readers apply it by
 * `version`, so a repeated or late event never moves a level backwards.
 */
export const InventoryUpdated = eventSchema(
  "inventory.updated",
  Schema.Struct({
    storeId: StoreId,
    skuId: SkuId,
    onHand: Schema.Int,
    reserved: Schema.Int,
    allocated: Schema.Int,
    available: Schema.Int,
    /** Always written; absent only from events written before pricing existed. */
    reorderThreshold: Schema.optional(Schema.Int),
    version: Schema.Int,
    /** Lots received in this commit (a new batch may need an expiry markdown); absent in early events. */
    received: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
  })
)
export type InventoryUpdated = typeof InventoryUpdated.Type
