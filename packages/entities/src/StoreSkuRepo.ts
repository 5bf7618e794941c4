import { SqlClient } from "@effect/sql"
import { StoreSkuNotFound } from "@qc/domain/Errors"
import type { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import { LedgerEntry } from "@qc/domain/StoreSku"
import type { MovementKind, ReservationStatus } from "@qc/domain/StoreSku"
import { DateTime, Effect } from "effect"
import type { LedgerRow, PendingWrites } from "./StoreSkuState.js"
import { StoreSkuState } from "./StoreSkuState.js"

const millis = (value: unknown): number => (value instanceof Date ? value.getTime() : new Date(String(value)).getTime())

/** Another writer moved this store-SKU since we loaded it (e.g. two runners during a shard move). */
export class VersionConflict extends Error {
  constructor(readonly storeId: string, readonly skuId: string, readonly expected: number) {
    super(`store_skus ${storeId}/${skuId} is no longer at version ${expected}`)
  }
}

interface LedgerRecord {
  readonly seq: number
  readonly kind: string
  readonly ref: string
  readonly on_hand_delta: number
  readonly reserved_delta: number
  readonly allocated_delta: number
  readonly note: string | null
  readonly detail: string | null
  readonly at: unknown
}

const toLedgerRow = (r: LedgerRecord): LedgerRow => ({
  seq: r.seq,
  kind: r.kind as MovementKind,
  ref: r.ref,
  onHandDelta: r.on_hand_delta,
  reservedDelta: r.reserved_delta,
  allocatedDelta: r.allocated_delta,
  note: r.note,
  detail: r.detail,
  at: millis(r.at)
})

export const toLedgerEntry = (r: LedgerRow) =>
  new LedgerEntry({
    seq: r.seq,
    kind: r.kind,
    ref: r.ref,
    onHandDelta: r.onHandDelta,
    reservedDelta: r.reservedDelta,
    allocatedDelta: r.allocatedDelta,
    note: r.note,
    at: DateTime.unsafeMake(r.at)
  })

/**
 * SQL for the StoreSku entity. Only the entity that owns a store-SKU writes its rows;
 * the version check makes a second writer fail instead of corrupting stock.
 */
export class StoreSkuRepo extends Effect.Service<StoreSkuRepo>()("StoreSkuRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Terminal reservations older than this are not kept in memory (retries come within minutes). */
    const retentionMs = 7 * 86_400_000

    const load = Effect.fn("StoreSkuRepo.load")(function*(storeId: StoreId, skuId: SkuId, now: number) {
      const rows = yield* sql<{ on_hand: number; reserved: number; allocated: number; reorder_threshold: number; version: number }>`
        SELECT on_hand, reserved, allocated, reorder_threshold, version FROM store_skus
        WHERE store_id = ${storeId} AND sku_id = ${skuId}`
      if (rows.length === 0) {
        const known = yield* sql<{ store: boolean; sku: boolean }>`
          SELECT EXISTS (SELECT 1 FROM stores WHERE id = ${storeId}) AS store,
                 EXISTS (SELECT 1 FROM skus WHERE id = ${skuId}) AS sku`
        return { _tag: "Missing" as const, carriable: known[0].store && known[0].sku }
      }
      const row = rows[0]
      const batches = yield* sql<{ lot: string; qty: number; best_before: unknown }>`
        SELECT lot, qty, best_before FROM stock_batches
        WHERE store_id = ${storeId} AND sku_id = ${skuId} ORDER BY best_before, lot`
      const reservations = yield* sql<{
        reservation_id: ReservationId
        qty: number
        status: ReservationStatus
        expires_at: unknown
        created_at: unknown
        updated_at: unknown
        available_at_reject: number | null
      }>`
        SELECT reservation_id, qty, status, expires_at, created_at, updated_at, available_at_reject
        FROM stock_reservations
        WHERE store_id = ${storeId} AND sku_id = ${skuId}
          AND (status IN ('reserved', 'committed') OR updated_at >= ${new Date(now - retentionMs)})`
      const operations = yield* sql<LedgerRecord>`
        SELECT seq, kind, ref, on_hand_delta, reserved_delta, allocated_delta, note, detail, at FROM stock_ledger
        WHERE store_id = ${storeId} AND sku_id = ${skuId} AND kind IN ('receive', 'adjust')`
      const state = new StoreSkuState(
        storeId,
        skuId,
        row.on_hand,
        row.reserved,
        row.allocated,
        row.reorder_threshold,
        row.version,
        batches.map((b) => ({ lot: b.lot, qty: b.qty, bestBefore: millis(b.best_before) })),
        new Map(reservations.map((r) => [r.reservation_id, {
          id: r.reservation_id,
          qty: r.qty,
          status: r.status,
          expiresAt: millis(r.expires_at),
          createdAt: millis(r.created_at),
          updatedAt: millis(r.updated_at),
          availableAtReject: r.available_at_reject
        }])),
        new Map(operations.map((o) => [o.ref, toLedgerRow(o)]))
      )
      return { _tag: "Loaded" as const, state }
    }, Effect.orDie)

    /** Writes one group commit: counters, reservations, batches and ledger rows, atomically. */
    const persist = Effect.fn("StoreSkuRepo.persist")(function*(
      state: StoreSkuState,
      writes: PendingWrites,
      fromVersion: number
    ) {
      const { storeId, skuId } = state
      const counters = yield* sql<{ version: number }>`
        INSERT INTO store_skus ${
        sql.insert({
          store_id: storeId,
          sku_id: skuId,
          on_hand: state.onHand,
          reserved: state.reserved,
          allocated: state.allocated,
          reorder_threshold: state.reorderThreshold,
          version: state.version
        })
      }
        ON CONFLICT (store_id, sku_id) DO UPDATE SET
          on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved, allocated = EXCLUDED.allocated,
          version = EXCLUDED.version
        WHERE store_skus.version = ${fromVersion}
        RETURNING version`
      if (counters.length === 0) return yield* Effect.die(new VersionConflict(storeId, skuId, fromVersion))
      if (writes.reservations.size > 0) {
        yield* sql`INSERT INTO stock_reservations ${
          sql.insert(Array.from(writes.reservations.values(), (r) => ({
            store_id: storeId,
            sku_id: skuId,
            reservation_id: r.id,
            qty: r.qty,
            status: r.status,
            expires_at: new Date(r.expiresAt),
            created_at: new Date(r.createdAt),
            updated_at: new Date(r.updatedAt),
            available_at_reject: r.availableAtReject
          })))
        }
          ON CONFLICT (store_id, sku_id, reservation_id) DO UPDATE SET
            status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`
      }
      if (writes.ledger.length > 0) {
        yield* sql`INSERT INTO stock_ledger ${
          sql.insert(writes.ledger.map((l) => ({
            store_id: storeId,
            sku_id: skuId,
            seq: l.seq,
            kind: l.kind,
            ref: l.ref,
            on_hand_delta: l.onHandDelta,
            reserved_delta: l.reservedDelta,
            allocated_delta: l.allocatedDelta,
            note: l.note,
            detail: l.detail,
            at: new Date(l.at)
          })))
        }`
      }
      const batches = Array.from(writes.batches.values())
      const kept = batches.filter((b) => b.qty > 0)
      const emptied = batches.filter((b) => b.qty === 0).map((b) => b.lot)
      if (kept.length > 0) {
        yield* sql`INSERT INTO stock_batches ${
          sql.insert(kept.map((b) => ({
            store_id: storeId,
            sku_id: skuId,
            lot: b.lot,
            qty: b.qty,
            best_before: new Date(b.bestBefore)
          })))
        }
          ON CONFLICT (store_id, sku_id, lot) DO UPDATE SET qty = EXCLUDED.qty`
      }
      if (emptied.length > 0) {
        yield* sql`DELETE FROM stock_batches
          WHERE store_id = ${storeId} AND sku_id = ${skuId} AND ${sql.in("lot", emptied)}`
      }
    }, (effect) => sql.withTransaction(effect), Effect.orDie)

    const ledger = Effect.fn("StoreSkuRepo.ledger")(function*(storeId: StoreId, skuId: SkuId, limit: number) {
      const rows = yield* sql<LedgerRecord>`
        SELECT seq, kind, ref, on_hand_delta, reserved_delta, allocated_delta, note, detail, at FROM stock_ledger
        WHERE store_id = ${storeId} AND sku_id = ${skuId} ORDER BY seq DESC LIMIT ${limit}`
      return rows.map((r) => toLedgerEntry(toLedgerRow(r)))
    }, Effect.orDie)

    /** Store-SKUs holding reservations whose TTL passed by `now`. */
    const withDueReservations = Effect.fn("StoreSkuRepo.withDueReservations")(function*(now: number) {
      return yield* sql<{ store_id: StoreId; sku_id: SkuId }>`
        SELECT DISTINCT store_id, sku_id FROM stock_reservations
        WHERE status = 'reserved' AND expires_at <= ${new Date(now)}`
    }, Effect.orDie)

    /** One page of a store's SKUs as last committed (for browsing; the entity stays authoritative). */
    const page = Effect.fn("StoreSkuRepo.page")(function*(storeId: StoreId, cursor: string | undefined, limit: number) {
      const rows = yield* sql<{ sku_id: SkuId; on_hand: number; reserved: number; allocated: number; reorder_threshold: number; version: number }>`
        SELECT sku_id, on_hand, reserved, allocated, reorder_threshold, version FROM store_skus
        WHERE store_id = ${storeId} ${cursor === undefined ? sql`` : sql`AND sku_id > ${cursor}`}
        ORDER BY sku_id LIMIT ${limit + 1}`
      const items = rows.slice(0, limit)
      const batches = items.length === 0 ? [] : yield* sql<{ sku_id: string; lot: string; qty: number; best_before: unknown }>`
        SELECT sku_id, lot, qty, best_before FROM stock_batches
        WHERE store_id = ${storeId} AND ${sql.in("sku_id", items.map((r) => r.sku_id))}
        ORDER BY best_before, lot`
      const states = items.map((r) =>
        new StoreSkuState(storeId, r.sku_id, r.on_hand, r.reserved, r.allocated, r.reorder_threshold, r.version,
          batches.filter((b) => b.sku_id === r.sku_id).map((b) => ({ lot: b.lot, qty: b.qty, bestBefore: millis(b.best_before) })),
          new Map(), new Map())
      )
      return { states, nextCursor: rows.length > limit ? items[items.length - 1].sku_id as string : null }
    }, Effect.orDie)

    return { load, persist, ledger, withDueReservations, page } as const
  })
}) {}

export const notFound = (storeId: StoreId, skuId: SkuId) => new StoreSkuNotFound({ storeId, skuId })
