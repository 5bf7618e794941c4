import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/** The order is not in a state that allows this (e.g. picked up before it was packed); nothing changed. */
export class OrderStateConflict extends Schema.TaggedError<OrderStateConflict>()(
  "OrderStateConflict",
  { orderId: Schema.String, status: Schema.String, attempted: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** Another picker holds this order, or it is no longer waiting to be picked. */
export class PickConflict extends Schema.TaggedError<PickConflict>()(
  "PickConflict",
  { orderId: Schema.String, status: Schema.String, pickerId: Schema.NullOr(Schema.String) },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** A picker must be on shift to claim. */
export class NotOnShift extends Schema.TaggedError<NotOnShift>()(
  "NotOnShift",
  { staffId: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** A store with this id exists already. */
export class StoreExists extends Schema.TaggedError<StoreExists>()(
  "StoreExists",
  { storeId: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** The packed report names a SKU that is not on the order at this store, or more than was ordered. */
/** The line is not one of the task's, or the count is more than the line's quantity. */
export class PickLineInvalid extends Schema.TaggedError<PickLineInvalid>()(
  "PickLineInvalid",
  { lineNo: Schema.Int, message: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {}

export class PackedReportInvalid extends Schema.TaggedError<PackedReportInvalid>()(
  "PackedReportInvalid",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {}
