import type { SqlClient } from "@effect/sql"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import type { InventoryUpdated } from "@qc/domain/events/StockEvents"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import { Data, Effect } from "effect"
import type { DomainEvents } from "../platform/DomainEvents.js"
import type { BatchRow, LedgerRow, ReservationRow } from "./StockRows.js"

/** Another writer moved a store-SKU since its entity loaded it (e.g. two runners during a shard move). */
export class VersionConflict extends Data.TaggedError("VersionConflict")<{ readonly rows: number }> {
  override get message() {
    return `${this.rows} store-SKU row(s) changed under their entity; the write was rolled back`
  }
}

/** What one entity's burst must write; the counters are the state after the burst. */
export interface Burst {
  readonly storeId: StoreId
  readonly skuId: SkuId
  /** The store-SKU had no row before this burst (its first receipt). */
  readonly created: boolean
  readonly fromVersion: number
  readonly version: number
  readonly onHand: number
  readonly reserved: number
  readonly allocated: number
  readonly reorderThreshold: number
  readonly reservations: ReadonlyArray<ReservationRow>
  readonly batches: ReadonlyArray<BatchRow>
  readonly ledger: ReadonlyArray<LedgerRow>
}

const iso = (ms: number) => new Date(ms).toISOString()

/** What a burst tells readers (browse, markdowns): the counters after it and the lots it received. */
export const inventoryUpdated = (b: Burst): InventoryUpdated =>
  domainEvent("inventory.updated", `${b.storeId}/${b.skuId}`, {
    storeId: b.storeId,
    skuId: b.skuId,
    onHand: b.onHand,
    reserved: b.reserved,
    allocated: b.allocated,
    available: b.onHand - b.reserved - b.allocated,
    reorderThreshold: b.reorderThreshold,
    version: b.version,
    // Lots received in this commit: a new batch may need an expiry markdown.
    received: b.ledger.flatMap((l) => (l.kind === "receive" && l.note !== null ? [l.note] : []))
  })

/**
 * Writes the bursts of many store-SKUs in one transaction, a few statements in all
 * (arrays through `unnest`), so the cost of a commit is shared by every entity in it.
 * A row whose version moved since its entity loaded it fails the whole write.
 */
export const persistBursts = Effect.fn("StoreSkuRepo.persistMany")(function*(
  sql: SqlClient.SqlClient,
  events: DomainEvents,
  bursts: ReadonlyArray<Burst>
) {
  const existing = bursts.filter((b) => !b.created)
  if (existing.length > 0) {
    const updated = yield* sql`
      UPDATE store_skus AS s SET on_hand = v.on_hand, reserved = v.reserved, allocated = v.allocated, version = v.version
      FROM unnest(${existing.map((b) => b.storeId)}::text[], ${existing.map((b) => b.skuId)}::text[],
                  ${existing.map((b) => b.onHand)}::int[], ${existing.map((b) => b.reserved)}::int[],
                  ${existing.map((b) => b.allocated)}::int[], ${existing.map((b) => b.version)}::int[],
                  ${existing.map((b) => b.fromVersion)}::int[])
        AS v(store_id, sku_id, on_hand, reserved, allocated, version, from_version)
      WHERE s.store_id = v.store_id AND s.sku_id = v.sku_id AND s.version = v.from_version
      RETURNING s.store_id`
    if (updated.length !== existing.length) return yield* Effect.die(new VersionConflict({ rows: existing.length - updated.length }))
  }
  const created = bursts.filter((b) => b.created)
  if (created.length > 0) {
    const inserted = yield* sql`
      INSERT INTO store_skus (store_id, sku_id, on_hand, reserved, allocated, reorder_threshold, version)
      SELECT * FROM unnest(${created.map((b) => b.storeId)}::text[], ${created.map((b) => b.skuId)}::text[],
                           ${created.map((b) => b.onHand)}::int[], ${created.map((b) => b.reserved)}::int[],
                           ${created.map((b) => b.allocated)}::int[], ${created.map((b) => b.reorderThreshold)}::int[],
                           ${created.map((b) => b.version)}::int[])
      ON CONFLICT (store_id, sku_id) DO NOTHING
      RETURNING store_id`
    if (inserted.length !== created.length) return yield* Effect.die(new VersionConflict({ rows: created.length - inserted.length }))
  }
  const reservations = bursts.flatMap((b) => b.reservations.map((r) => [b, r] as const))
  if (reservations.length > 0) {
    yield* sql`
      INSERT INTO stock_reservations
        (store_id, sku_id, reservation_id, qty, status, expires_at, created_at, updated_at, available_at_reject)
      SELECT * FROM unnest(${reservations.map(([b]) => b.storeId)}::text[], ${reservations.map(([b]) => b.skuId)}::text[],
                           ${reservations.map(([, r]) => r.id)}::text[], ${reservations.map(([, r]) => r.qty)}::int[],
                           ${reservations.map(([, r]) => r.status)}::text[],
                           ${reservations.map(([, r]) => iso(r.expiresAt))}::timestamptz[],
                           ${reservations.map(([, r]) => iso(r.createdAt))}::timestamptz[],
                           ${reservations.map(([, r]) => iso(r.updatedAt))}::timestamptz[],
                           ${reservations.map(([, r]) => r.availableAtReject)}::int[])
      ON CONFLICT (store_id, sku_id, reservation_id) DO UPDATE SET
        status = EXCLUDED.status, qty = EXCLUDED.qty, updated_at = EXCLUDED.updated_at`
  }
  const ledger = bursts.flatMap((b) => b.ledger.map((l) => [b, l] as const))
  if (ledger.length > 0) {
    yield* sql`
      INSERT INTO stock_ledger
        (store_id, sku_id, seq, kind, ref, on_hand_delta, reserved_delta, allocated_delta, note, detail, at)
      SELECT * FROM unnest(${ledger.map(([b]) => b.storeId)}::text[], ${ledger.map(([b]) => b.skuId)}::text[],
                           ${ledger.map(([, l]) => l.seq)}::int[], ${ledger.map(([, l]) => l.kind)}::text[],
                           ${ledger.map(([, l]) => l.ref)}::text[], ${ledger.map(([, l]) => l.onHandDelta)}::int[],
                           ${ledger.map(([, l]) => l.reservedDelta)}::int[], ${ledger.map(([, l]) => l.allocatedDelta)}::int[],
                           ${ledger.map(([, l]) => l.note)}::text[], ${ledger.map(([, l]) => l.detail)}::text[],
                           ${ledger.map(([, l]) => iso(l.at))}::timestamptz[])`
  }
  // A burst that only recorded a refusal (a Reserve that found too little) moved no stock: no event.
  yield* events.publish(bursts.filter((b) => b.ledger.length > 0).map(inventoryUpdated))
  const batches = bursts.flatMap((b) => b.batches.map((batch) => [b, batch] as const))
  const kept = batches.filter(([, batch]) => batch.qty > 0)
  if (kept.length > 0) {
    yield* sql`
      INSERT INTO stock_batches (store_id, sku_id, lot, qty, best_before)
      SELECT * FROM unnest(${kept.map(([b]) => b.storeId)}::text[], ${kept.map(([b]) => b.skuId)}::text[],
                           ${kept.map(([, l]) => l.lot)}::text[], ${kept.map(([, l]) => l.qty)}::int[],
                           ${kept.map(([, l]) => iso(l.bestBefore))}::timestamptz[])
      ON CONFLICT (store_id, sku_id, lot) DO UPDATE SET qty = EXCLUDED.qty`
  }
  const emptied = batches.filter(([, batch]) => batch.qty === 0)
  if (emptied.length > 0) {
    yield* sql`
      DELETE FROM stock_batches AS t
      USING unnest(${emptied.map(([b]) => b.storeId)}::text[], ${emptied.map(([b]) => b.skuId)}::text[],
                   ${emptied.map(([, l]) => l.lot)}::text[]) AS e(store_id, sku_id, lot)
      WHERE t.store_id = e.store_id AND t.sku_id = e.sku_id AND t.lot = e.lot`
  }
}, (effect, sql) => sql.withTransaction(effect), Effect.orDie)
