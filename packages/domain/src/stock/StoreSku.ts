import { Schema } from "effect"
import { DateTimeInput } from "../DateTimeInput.js"
import { AdjustmentId, ReceiptId, ReservationId, SkuId, StoreId } from "../Ids.js"
import { safeText } from "../Text.js"
import { ReservationTtl } from "./ReservationTtl.js"

/** Whole units; a quantity of zero or a fraction is a client mistake. */
export const Quantity = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1), Schema.lessThanOrEqualTo(100_000))

/** A lot received at the store; stock leaves first-expiry-first-out. */
export class Batch extends Schema.Class<Batch>("Batch")({
  lot: Schema.String,
  qty: Schema.Int,
  bestBefore: Schema.DateTimeUtc
}) {}

/**
 * The stock of one SKU at one store.
 * `onHand = available + reserved + allocated`, each ≥ 0.
 */
export class StoreSkuSnapshot extends Schema.Class<StoreSkuSnapshot>("StoreSkuSnapshot")({
  storeId: StoreId,
  skuId: SkuId,
  onHand: Schema.Int,
  reserved: Schema.Int,
  allocated: Schema.Int,
  available: Schema.Int,
  reorderThreshold: Schema.Int,
  belowReorderThreshold: Schema.Boolean,
  batches: Schema.Array(Batch),
  /** Number of ledger movements applied so far. */
  version: Schema.Int
}) {}

/** `rejected` records a Reserve that found too little stock, so its retry gets the same answer. */
export const ReservationStatus = Schema.Literal("reserved", "committed", "fulfilled", "released", "expired", "rejected")
export type ReservationStatus = typeof ReservationStatus.Type

export class Reservation extends Schema.Class<Reservation>("Reservation")({
  reservationId: ReservationId,
  storeId: StoreId,
  skuId: SkuId,
  qty: Schema.Int,
  status: ReservationStatus,
  expiresAt: Schema.DateTimeUtc,
  createdAt: Schema.DateTimeUtc
}) {}

export const MovementKind = Schema.Literal("receive", "adjust", "reserve", "release", "expire", "commit", "fulfil", "write_off")
export type MovementKind = typeof MovementKind.Type

/** One row of the append-only stock ledger; the deltas of all rows sum to the snapshot. */
export class LedgerEntry extends Schema.Class<LedgerEntry>("LedgerEntry")({
  seq: Schema.Int,
  kind: MovementKind,
  ref: Schema.String,
  onHandDelta: Schema.Int,
  reservedDelta: Schema.Int,
  allocatedDelta: Schema.Int,
  note: Schema.NullOr(Schema.String),
  at: Schema.DateTimeUtc
}) {}

export const AdjustmentReason = Schema.Literal("damage", "expiry", "count_correction", "theft", "other")
export type AdjustmentReason = typeof AdjustmentReason.Type

export const ReservePayload = Schema.Struct({
  reservationId: ReservationId,
  qty: Quantity,
  ttlSeconds: Schema.Int.pipe(Schema.between(1, ReservationTtl.maxSeconds))
})

export const ReceivePayload = Schema.Struct({
  receiptId: ReceiptId,
  qty: Quantity,
  lot: safeText(64),
  bestBefore: DateTimeInput
})

export const AdjustPayload = Schema.Struct({
  adjustmentId: AdjustmentId,
  delta: Schema.Int.pipe(
    Schema.between(-100_000, 100_000),
    Schema.filter((n) => n !== 0 || "delta must not be zero")
  ),
  reason: AdjustmentReason
})

export const ReservationRef = Schema.Struct({ reservationId: ReservationId })

/** Why allocated units leave the store without being delivered. */
export const WriteOffReason = Schema.Literal("short_pick", "undeliverable")
export type WriteOffReason = typeof WriteOffReason.Type

/**
 * Allocated units of a committed reservation that are gone (missing at picking, or lost with an
 * undeliverable order): they leave on-hand and the reservation keeps the rest. Once per
 * (reservation, reason); a repeat answers the first movement.
 */
export const WriteOffPayload = Schema.Struct({ reservationId: ReservationId, qty: Quantity, reason: WriteOffReason })
