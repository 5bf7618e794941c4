import { Schema } from "effect"
import { SkuId } from "../Ids.js"
import { eventSchema } from "./EventSchema.js"

/** A SKU was created or changed; every runner reloads its catalogue. Aggregate: the SKU id. */
export const CatalogueUpdated = eventSchema("catalogue.updated", Schema.Struct({ skuId: SkuId }))
export type CatalogueUpdated = typeof CatalogueUpdated.Type
