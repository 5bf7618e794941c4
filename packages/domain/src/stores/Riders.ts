import { Schema } from "effect"
import { StoreId } from "../Ids.js"
import { OrderId, OrderStatus } from "../orders/Order.js"
import { RiderId } from "./StoreOps.js"

export const Latitude = Schema.Number.pipe(Schema.between(-90, 90))
export const Longitude = Schema.Number.pipe(Schema.between(-180, 180))

/** A rider going online (with where they are) or offline. */
export const RiderStatusUpdate = Schema.Struct({
  online: Schema.Boolean,
  lat: Latitude,
  lng: Longitude
})
export type RiderStatusUpdate = typeof RiderStatusUpdate.Type

export class Rider extends Schema.Class<Rider>("Rider")({
  riderId: RiderId,
  name: Schema.String,
  phone: Schema.String,
  online: Schema.Boolean,
  lat: Schema.Number,
  lng: Schema.Number,
  /** Orders assigned and not yet delivered (at most one unless batching is configured). */
  activeOrderIds: Schema.Array(OrderId)
}) {}

/** Who was sent for an order, as the dispatcher answered. */
export const RiderAssignment = Schema.Struct({
  riderId: RiderId,
  name: Schema.String,
  phone: Schema.String,
  distanceKm: Schema.Number,
  etaSeconds: Schema.Int
})
export type RiderAssignment = typeof RiderAssignment.Type

/** What the rider app shows for one assigned order. */
export const RiderJob = Schema.Struct({
  orderId: OrderId,
  status: OrderStatus,
  storeId: StoreId,
  storeName: Schema.String,
  storeLat: Schema.Number,
  storeLng: Schema.Number,
  pincode: Schema.String,
  units: Schema.Int,
  etaAt: Schema.NullOr(Schema.DateTimeUtc)
})

export const RiderJobs = Schema.Struct({ rider: Rider, jobs: Schema.Array(RiderJob) })

/** `98XXXXXX21`: enough for the customer to recognise the call, not to keep the number. */
export const maskPhone = (phone: string): string => {
  const digits = phone.replace(/\D/g, "").slice(-10)
  return digits.length < 4 ? "XXXX" : `${digits.slice(0, 2)}${"X".repeat(digits.length - 4)}${digits.slice(-2)}`
}

export const firstName = (name: string): string => name.trim().split(/\s+/)[0] ?? name
