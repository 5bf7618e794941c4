import { SkuId, StoreId } from "@qc/domain/Ids"
import { OrderId, OrderStatus } from "@qc/domain/orders/Order"
import { OpeningHours, PickLine, PickTaskStatus } from "@qc/domain/stores/StoreOps"
import { Schema } from "effect"
import { DateTimeFromTimestamp, EpochMillisFromTimestamp, JsonColumn } from "../platform/SqlValues.js"

/**
 * The rows of the dashboard's queries, decoded at the repository boundary: a changed query or
 * a bad row fails here, not in the page. Counts are cast to `int` in SQL (`pg` hands a bigint
 * over as text).
 */
export const StoreRow = Schema.Struct({
  id: StoreId,
  name: Schema.String,
  region: Schema.String,
  pincodes: Schema.Array(Schema.String),
  lat: Schema.Number,
  lng: Schema.Number,
  hours: JsonColumn(Schema.NullOr(OpeningHours)),
  accepting: Schema.Boolean
})

export const ActiveOrderRow = Schema.Struct({
  order_id: OrderId,
  status: OrderStatus,
  task_status: PickTaskStatus,
  lines: JsonColumn(Schema.Array(PickLine)),
  placed_at: DateTimeFromTimestamp,
  sla_due_at: EpochMillisFromTimestamp,
  breached_at: Schema.NullOr(EpochMillisFromTimestamp),
  picker_id: Schema.NullOr(Schema.String),
  picker_name: Schema.NullOr(Schema.String),
  rider_id: Schema.NullOr(Schema.String),
  rider_name: Schema.NullOr(Schema.String)
})
export type ActiveOrderRow = typeof ActiveOrderRow.Type

export const AlertRow = Schema.Struct({ order_id: OrderId, breached_at: DateTimeFromTimestamp })

export const RiderRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  online: Schema.Boolean,
  lat: Schema.Number,
  lng: Schema.Number,
  order_ids: Schema.Array(Schema.String)
})

export const LowStockRow = Schema.Struct({
  sku_id: SkuId,
  name: Schema.String,
  available: Schema.Int,
  reorder_threshold: Schema.Int
})

export const ExpiringBatchRow = Schema.Struct({
  sku_id: SkuId,
  name: Schema.String,
  lot: Schema.String,
  qty: Schema.Int,
  best_before: DateTimeFromTimestamp
})

/**
 * Whether a pick task is past its packing SLA at `nowMs`: the store's entity stamped the breach,
 * or the task is still queued or being picked at or after its due time (the stamp may lag by a
 * timer tick; the page must not show a late order as on time meanwhile).
 */
export const packingSlaBreached = (
  task: { readonly taskStatus: PickTaskStatus; readonly slaDueAt: number; readonly breachedAt: number | null },
  nowMs: number
): boolean => task.breachedAt !== null || ((task.taskStatus === "queued" || task.taskStatus === "picking") && nowMs >= task.slaDueAt)
