import { Schema } from "effect"

/** One store's part of an order (its lines at that store) on the way to packed. */
export const FulfilmentPart = Schema.Struct({
  storeId: Schema.String,
  status: Schema.Literal("queued", "picking", "packed", "cancelled"),
  pickerId: Schema.NullOr(Schema.String),
  packedAt: Schema.NullOr(Schema.Number)
})
export type FulfilmentPart = typeof FulfilmentPart.Type

export const AssignedRider = Schema.Struct({
  riderId: Schema.String,
  name: Schema.String,
  phone: Schema.String,
  assignedAt: Schema.Number,
  etaAt: Schema.Number
})
export type AssignedRider = typeof AssignedRider.Type

/**
 * What happened to a paid order after CONFIRMED, as its entity holds it (times in epoch ms):
 * the store parts, what was packed, the rider, the timers (SLA, rider retries, delivery wait),
 * and `settled`: the status whose entry steps (queue, write-offs, refunds, stock) are all done.
 */
export const Fulfilment = Schema.Struct({
  confirmedAt: Schema.Number,
  slaDueAt: Schema.Number,
  slaBreachedAt: Schema.NullOr(Schema.Number),
  parts: Schema.Array(FulfilmentPart),
  /** Units packed per order line (`lineNo`); absent until its store packed. */
  packed: Schema.Array(Schema.Struct({ lineNo: Schema.Int, packedQty: Schema.Int })),
  /** Paise refunded for units missing at packing. */
  shortRefund: Schema.Int,
  packedAt: Schema.NullOr(Schema.Number),
  rider: Schema.NullOr(AssignedRider),
  riderAttempts: Schema.Int,
  nextRiderAttemptAt: Schema.NullOr(Schema.Number),
  riderEscalatedAt: Schema.NullOr(Schema.Number),
  pickedUpAt: Schema.NullOr(Schema.Number),
  deliveryDueAt: Schema.NullOr(Schema.Number),
  deliveryEscalatedAt: Schema.NullOr(Schema.Number),
  deliveredAt: Schema.NullOr(Schema.Number),
  undeliverable: Schema.NullOr(Schema.Struct({ reason: Schema.String, stock: Schema.Literal("restock", "write_off") })),
  settled: Schema.NullOr(Schema.String)
})
export type Fulfilment = typeof Fulfilment.Type

/** Loyalty points for what the customer paid: 1 per ₹100 (10,000 paise), whole points. */
export const loyaltyPointsFor = (paidPaise: number): number => Math.floor(Math.max(0, paidPaise) / 10_000)
