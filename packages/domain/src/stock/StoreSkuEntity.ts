import { ClusterSchema, Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { Schema } from "effect"
import {
  InsufficientStock,
  InvalidInput,
  OperationIdReused,
  ReservationNotFound,
  ReservationStateConflict,
  StockWouldGoNegative,
  ServiceUnavailable,
  StoreSkuNotFound
} from "../Errors.js"
import {
  AdjustPayload,
  LedgerEntry,
  ReceivePayload,
  Reservation,
  ReservationRef,
  ReservePayload,
  StoreSkuSnapshot,
  WriteOffPayload
} from "./StoreSku.js"
import { storeSkuShardGroup } from "../stores/Regions.js"

/**
 * A message whose change could not be committed fails alone with one of these (400 when
 * the database refused the value, 503 otherwise); the entity keeps serving the others.
 */
const NotCommitted = [InvalidInput, ServiceUnavailable] as const

/** Release (reserved or allocated → released), Commit (reserved → allocated), Fulfil (allocated → gone). */
const reservationTransition = <const Tag extends string>(tag: Tag) =>
  Rpc.make(tag, {
    payload: ReservationRef.fields,
    success: Reservation,
    error: Schema.Union(ReservationNotFound, ReservationStateConflict, StoreSkuNotFound, ...NotCommitted)
  })

/**
 * The only writer of one store-SKU's stock; entity id `{storeId}/{skuId}`.
 *
 * Messages are volatile on purpose: a persisted cluster message costs a database
 * round trip before the entity sees it, which would undo group commit. Durability
 * and at-most-once come from the entity itself: every change is committed to
 * Postgres before its reply, and every operation carries a caller-chosen id
 * (reservation, receipt, adjustment) so a retried message gets the first answer.
 *
 * Its shard group is its store's region: it runs only on runners hosting that region.
 */
export const StoreSkuEntity = Entity.make("StoreSku", [
  Rpc.make("Reserve", {
    payload: ReservePayload.fields,
    success: Reservation,
    error: Schema.Union(InsufficientStock, StoreSkuNotFound, OperationIdReused, ...NotCommitted)
  }),
  reservationTransition("Release"),
  reservationTransition("Commit"),
  reservationTransition("Fulfil"),
  /** Allocated units gone before delivery (short pick, undeliverable); answers the ledger movement (the same when repeated). */
  Rpc.make("WriteOff", {
    payload: WriteOffPayload.fields,
    success: LedgerEntry,
    error: Schema.Union(ReservationNotFound, ReservationStateConflict, StoreSkuNotFound, ...NotCommitted)
  }),
  /** Answers the ledger movement it made (the same one when repeated). */
  Rpc.make("Receive", {
    payload: ReceivePayload.fields,
    success: LedgerEntry,
    error: Schema.Union(StoreSkuNotFound, OperationIdReused, ...NotCommitted)
  }),
  Rpc.make("Adjust", {
    payload: AdjustPayload.fields,
    success: LedgerEntry,
    error: Schema.Union(StoreSkuNotFound, StockWouldGoNegative, OperationIdReused, ...NotCommitted)
  }),
  Rpc.make("Snapshot", { success: StoreSkuSnapshot, error: Schema.Union(StoreSkuNotFound, ...NotCommitted) }),
  Rpc.make("Ledger", {
    payload: { limit: Schema.Int.pipe(Schema.between(1, 1000)) },
    success: Schema.Array(LedgerEntry),
    error: Schema.Union(StoreSkuNotFound, ...NotCommitted)
  }),
  /** Sent by the expiry sweeper: release every reservation whose TTL has passed. */
  Rpc.make("ExpireDue", { success: Schema.Int, error: Schema.Union(...NotCommitted) })
]).annotate(ClusterSchema.ShardGroup, storeSkuShardGroup)
