import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { ReservationId, SkuId, StoreId } from "./Ids.js"

/** The store-SKU has fewer units available than were asked for; nothing was reserved. */
export class InsufficientStock extends Schema.TaggedError<InsufficientStock>()(
  "InsufficientStock",
  { storeId: StoreId, skuId: SkuId, requested: Schema.Int, available: Schema.Int },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** The store does not exist. */
export class StoreNotFound extends Schema.TaggedError<StoreNotFound>()(
  "StoreNotFound",
  { storeId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** The SKU does not exist in the catalogue. */
export class SkuNotFound extends Schema.TaggedError<SkuNotFound>()(
  "SkuNotFound",
  { skuId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** The store exists but does not carry this SKU (it was never received there). */
export class StoreSkuNotFound extends Schema.TaggedError<StoreSkuNotFound>()(
  "StoreSkuNotFound",
  { storeId: StoreId, skuId: SkuId },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class ReservationNotFound extends Schema.TaggedError<ReservationNotFound>()(
  "ReservationNotFound",
  { reservationId: ReservationId },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** The operation does not fit the reservation's state, e.g. committing an expired reservation. */
export class ReservationStateConflict extends Schema.TaggedError<ReservationStateConflict>()(
  "ReservationStateConflict",
  { reservationId: ReservationId, state: Schema.String, attempted: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** An operation id was reused with a different payload than its first use. */
export class OperationIdReused extends Schema.TaggedError<OperationIdReused>()(
  "OperationIdReused",
  { operationId: Schema.String, firstUse: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** An adjustment would take on-hand below what is reserved or allocated (or below zero). */
export class StockWouldGoNegative extends Schema.TaggedError<StockWouldGoNegative>()(
  "StockWouldGoNegative",
  { delta: Schema.Int, available: Schema.Int },
  HttpApiSchema.annotations({ status: 409 })
) {}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {}

/**
 * The request passed validation but holds something the database cannot store (caught as a
 * data exception at commit time); nothing was changed. Edge schemas should refuse such input first.
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()(
  "InvalidInput",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}

/**
 * A dependency (database, cluster) failed while handling the request; nothing was applied.
 * A retry with the same operation id (reservation, receipt, Idempotency-Key) is safe.
 */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {}

/**
 * Too many requests from this customer or address: refused before any route ran, so nothing
 * was changed. The same request may be sent again after `retryAfterSeconds` (also the
 * `Retry-After` header).
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()(
  "RateLimited",
  { message: Schema.String, retryAfterSeconds: Schema.Int.pipe(Schema.positive()) },
  HttpApiSchema.annotations({ status: 429 })
) {}

/** The token is valid but its role or store may not do this (a customer on a staff endpoint, another store's staff). */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}
