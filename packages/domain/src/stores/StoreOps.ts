import { Schema } from "effect"
import { Pincode } from "../catalogue/Catalogue.js"
import { SkuId, StoreId } from "../Ids.js"
import { OrderId, OrderStatus } from "../orders/Order.js"
import { identifier, safeText } from "../Text.js"
import { regionPattern } from "./Regions.js"

/** A member of a store's staff, e.g. `pune-baner-picker-1`. */
export const StaffId = identifier(64).pipe(Schema.brand("StaffId"))
export type StaffId = typeof StaffId.Type

/** A delivery rider, e.g. `rider-pune-baner-1`. */
export const RiderId = identifier(64).pipe(Schema.brand("RiderId"))
export type RiderId = typeof RiderId.Type

export const StaffRole = Schema.Literal("picker", "store_manager")
export type StaffRole = typeof StaffRole.Type

/** Every role a bearer token can carry; a token without one is a customer's. */
export const TokenRole = Schema.Literal("customer", "picker", "store_manager", "rider")
export type TokenRole = typeof TokenRole.Type

/** A time of day on the IST clock, `HH:MM`, from `00:00` to `24:00`. */
export const ClockTime = Schema.String.pipe(
  Schema.pattern(/^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, { message: () => "must be a time of day HH:MM (00:00 to 24:00, IST)" })
)

/**
 * When a store takes orders, on the IST clock. `closes` before `opens` runs past midnight
 * (`07:00`–`01:00`); equal times are refused (say `00:00`–`24:00` for all day).
 */
export const OpeningHours = Schema.Struct({ opens: ClockTime, closes: ClockTime }).pipe(
  Schema.filter((h) => h.opens !== h.closes || "opens and closes must differ (00:00 to 24:00 is all day)"),
  Schema.filter((h) => h.opens !== "24:00" || "opens must be 00:00 to 23:59 (24:00 is only a closing time)")
)
export type OpeningHours = typeof OpeningHours.Type

/** What an admin may change on a store; absent fields stay as they are. */
export const StoreSettingsUpdate = Schema.Struct({
  name: Schema.optional(safeText(200)),
  pincodes: Schema.optional(Schema.Array(Pincode).pipe(Schema.minItems(1), Schema.maxItems(100))),
  /** null: open all day. */
  hours: Schema.optional(Schema.NullOr(OpeningHours)),
  /** The manager's switch: false stops new orders being routed here. */
  accepting: Schema.optional(Schema.Boolean)
})
export type StoreSettingsUpdate = typeof StoreSettingsUpdate.Type

/** A new dark store (its stock arrives by receipts). */
export const NewStore = Schema.Struct({
  id: StoreId,
  name: safeText(200),
  locality: safeText(200),
  /** A region the runners already host (a new region needs its runners started first). */
  region: Schema.String.pipe(Schema.pattern(regionPattern, { message: () => "must be a region name (lowercase, digits, -)" })),
  pincodes: Schema.Array(Pincode).pipe(Schema.minItems(1), Schema.maxItems(100)),
  lat: Schema.Number.pipe(Schema.between(-90, 90)),
  lng: Schema.Number.pipe(Schema.between(-180, 180)),
  hours: Schema.optional(Schema.NullOr(OpeningHours)),
  accepting: Schema.optional(Schema.Boolean)
})
export type NewStore = typeof NewStore.Type

/** A store's operating settings as its Store entity holds them. */
export class StoreSettings extends Schema.Class<StoreSettings>("StoreSettings")({
  storeId: StoreId,
  name: Schema.String,
  region: Schema.String,
  pincodes: Schema.Array(Schema.String),
  lat: Schema.Number,
  lng: Schema.Number,
  hours: Schema.NullOr(OpeningHours),
  accepting: Schema.Boolean,
  /** Open now: accepting and inside its hours. */
  openNow: Schema.Boolean
}) {}

/** One order line to pick; `picked` is the picker's running count (0 until they report one). */
export const PickLine = Schema.Struct({
  lineNo: Schema.Int,
  skuId: SkuId,
  qty: Schema.Int,
  picked: Schema.optionalWith(Schema.Int, { default: () => 0 })
})
export type PickLine = typeof PickLine.Type

export const PickTaskStatus = Schema.Literal("queued", "picking", "packed", "cancelled")
export type PickTaskStatus = typeof PickTaskStatus.Type

/** One order's lines at one store, in the store's pick queue. */
export class PickTask extends Schema.Class<PickTask>("PickTask")({
  orderId: OrderId,
  storeId: StoreId,
  status: PickTaskStatus,
  pickerId: Schema.NullOr(StaffId),
  lines: Schema.Array(PickLine),
  placedAt: Schema.DateTimeUtc,
  confirmedAt: Schema.DateTimeUtc,
  slaDueAt: Schema.DateTimeUtc,
  breachedAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** A pick task as the store app lists it: with the SLA time left (negative once breached). */
export const QueuedTask = Schema.Struct({
  ...PickTask.fields,
  slaSecondsLeft: Schema.Int
})

export const PickQueue = Schema.Struct({ storeId: StoreId, items: Schema.Array(QueuedTask) })

/**
 * How many units of a line the picker has in the tote so far (a running count, not an
 * increment: a retried report changes nothing). Progress for the store app and the dashboard;
 * the packed report stays what settles the order.
 */
export const PickedReport = Schema.Struct({ picked: Schema.Int.pipe(Schema.between(0, 100_000)) })

/** What the picker (or the WMS) packed; a line left out was packed in full. */
export const PackedReport = Schema.Struct({
  lines: Schema.Array(Schema.Struct({ skuId: SkuId, packedQty: Schema.Int.pipe(Schema.between(0, 100_000)) })).pipe(
    Schema.maxItems(50),
    Schema.filter((lines) => new Set(lines.map((l) => l.skuId)).size === lines.length || "each skuId at most once")
  )
})
export type PackedReport = typeof PackedReport.Type

/** The store manager's page: `/v1/ops/stores/{storeId}/dashboard`. */
export const StoreDashboard = Schema.Struct({
  store: StoreSettings,
  now: Schema.DateTimeUtc,
  packingSlaSeconds: Schema.Int,
  /** Active orders at this store (not delivered, failed or cancelled), oldest placement first. */
  orders: Schema.Array(Schema.Struct({
    orderId: OrderId,
    status: OrderStatus,
    placedAt: Schema.DateTimeUtc,
    slaDueAt: Schema.DateTimeUtc,
    /** Packed (or still open) after its SLA. */
    slaBreached: Schema.Boolean,
    picker: Schema.NullOr(Schema.Struct({ id: Schema.String, name: Schema.String })),
    rider: Schema.NullOr(Schema.Struct({ id: Schema.String, name: Schema.String })),
    units: Schema.Int,
    /** Units the picker has counted into the tote so far. */
    picked: Schema.Int
  })),
  alerts: Schema.Array(Schema.Struct({ orderId: OrderId, kind: Schema.Literal("sla_breached"), at: Schema.DateTimeUtc })),
  riders: Schema.Array(Schema.Struct({
    id: Schema.String,
    name: Schema.String,
    online: Schema.Boolean,
    lat: Schema.Number,
    lng: Schema.Number,
    activeOrderIds: Schema.Array(Schema.String)
  })),
  lowStock: Schema.Array(Schema.Struct({ skuId: Schema.String, name: Schema.String, available: Schema.Int, reorderThreshold: Schema.Int })),
  expiringBatches: Schema.Array(Schema.Struct({
    skuId: Schema.String,
    name: Schema.String,
    lot: Schema.String,
    qty: Schema.Int,
    bestBefore: Schema.DateTimeUtc
  }))
})
export type StoreDashboard = typeof StoreDashboard.Type
