import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { StoreId } from "../Ids.js"
import { OrderId } from "../orders/Order.js"
import { identifier, safeText } from "../Text.js"
import { PackedReport } from "./StoreOps.js"

/** What every WMS event has: its kind. Events other than `order.packed` are acknowledged and ignored. */
export const WmsEventEnvelope = Schema.Struct({ event: safeText(64) })

/**
 * `POST /v1/webhooks/wms` with `event: "order.packed"`: the warehouse-management system packed
 * a store's part of an order. The shape is the WMS vendor's, not ours; `eventId` is unique per
 * event and repeated on its redeliveries. A line left out was packed in full.
 */
export const WmsPackedEvent = Schema.Struct({
  eventId: identifier(128),
  event: Schema.Literal("order.packed"),
  orderId: OrderId,
  storeId: StoreId,
  packedAt: Schema.DateTimeUtc,
  lines: PackedReport.fields.lines
})
export type WmsPackedEvent = typeof WmsPackedEvent.Type

/** A signed WMS event whose body we cannot read; `issues` name the fields. Redelivering it changes nothing. */
export class InvalidWmsEvent extends Schema.TaggedError<InvalidWmsEvent>()(
  "InvalidWmsEvent",
  { message: Schema.String, issues: Schema.Array(Schema.Struct({ path: Schema.Array(Schema.String), message: Schema.String })) },
  HttpApiSchema.annotations({ status: 400 })
) {}
