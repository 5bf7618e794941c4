import { SqlClient } from "@effect/sql"
import { StoreSkuNotFound } from "@qc/domain/Errors"
import type { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import { LedgerEntry, MovementKind } from "@qc/domain/stock/StoreSku"
import type { ReservationStatus } from "@qc/domain/stock/StoreSku"
import { Clock, DateTime, Effect, Schema } from "effect"
import { makeBatcher } from "../platform/Batcher.js"
import { DomainEvents } from "../platform/DomainEvents.js"
import type { LedgerRow } from "./StockRows.js"
import type { Burst } from "./StoreSkuBursts.js"
import { persistBursts } from "./StoreSkuBursts.js"
import { StoreSkuState } from "./StoreSkuState.js"
import { ReservationTtl } from "@qc/domain/stock/ReservationTtl"
import { epochMillis, EpochMillisFromTimestamp } from "../platform/SqlValues.js"

const millis = epochMillis

/** A stock_ledger row, decoded at the repository boundary. */
const LedgerRecord = Schema.Struct({
  seq: Schema.Number,
  kind: MovementKind,
  ref: Schema.String,
  on_hand_delta: Schema.Number,
  reserved_delta: Schema.Number,
  allocated_delta: Schema.Number,
  note: Schema.NullOr(Schema.String),
  detail: Schema.NullOr(Schema.String),
  at: EpochMillisFromTimestamp
})
const decodeLedgerRecord = Schema.decodeUnknownSync(LedgerRecord)

const toLedgerRow = (row: unknown): LedgerRow => {
  const r = decodeLedgerRecord(row)
  return {
    seq: r.seq,
    kind: r.kind,
    ref: r.ref,
    onHandDelta: r.on_hand_delta,
    reservedDelta: r.reserved_delta,
    allocatedDelta: r.allocated_delta,
    note: r.note,
    detail: r.detail,
    at: r.at
  }
}

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
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents

    const { retentionMs } = ReservationTtl

    type Loaded =
      | { readonly _tag: "Loaded"; readonly state: StoreSkuState }
      | { readonly _tag: "Missing"; readonly carriable: boolean }

    /**
     * Loads many store-SKUs in four queries whatever their number (entities that wake
     * together, e.g. the lines of concurrent orders, share them). Answers in key order.
     */
    const loadMany = Effect.fn("StoreSkuRepo.loadMany")(function*(
      keys: ReadonlyArray<{ readonly storeId: StoreId; readonly skuId: SkuId }>,
      now: number
    ) {
      const stores = keys.map((k) => k.storeId)
      const skus = keys.map((k) => k.skuId)
      const pairs = sql`unnest(${stores}::text[], ${skus}::text[]) AS k(store_id, sku_id)`
      const key = (storeId: string, skuId: string) => `${storeId}\u0000${skuId}`
      const group = <R extends { readonly store_id: string; readonly sku_id: string }>(rows: ReadonlyArray<R>) => {
        const by = new Map<string, Array<R>>()
        for (const r of rows) {
          const k = key(r.store_id, r.sku_id)
          const list = by.get(k)
          if (list === undefined) by.set(k, [r])
          else list.push(r)
        }
        return by
      }
      const rows = yield* sql<{
        store_id: string
        sku_id: string
        on_hand: number
        reserved: number
        allocated: number
        reorder_threshold: number
        version: number
      }>`
        SELECT s.store_id, s.sku_id, on_hand, reserved, allocated, reorder_threshold, version
        FROM store_skus s JOIN ${pairs} USING (store_id, sku_id)`
      const found = new Map(rows.map((r) => [key(r.store_id, r.sku_id), r]))
      const batches = group(yield* sql<{ store_id: string; sku_id: string; lot: string; qty: number; best_before: unknown }>`
        SELECT b.store_id, b.sku_id, lot, qty, best_before FROM stock_batches b JOIN ${pairs} USING (store_id, sku_id)
        ORDER BY best_before, lot`)
      const reservations = group(yield* sql<{
        store_id: string
        sku_id: string
        reservation_id: ReservationId
        qty: number
        status: ReservationStatus
        expires_at: unknown
        created_at: unknown
        updated_at: unknown
        available_at_reject: number | null
      }>`
        SELECT r.store_id, r.sku_id, reservation_id, qty, status, expires_at, created_at, updated_at, available_at_reject
        FROM stock_reservations r JOIN ${pairs} USING (store_id, sku_id)
        WHERE status IN ('reserved', 'committed') OR updated_at >= ${new Date(now - retentionMs)}`)
      const operations = group(yield* sql<{ store_id: string; sku_id: string; ref: string }>`
        SELECT l.store_id, l.sku_id, seq, kind, ref, on_hand_delta, reserved_delta, allocated_delta, note, detail, at
        FROM stock_ledger l JOIN ${pairs} USING (store_id, sku_id)
        WHERE kind IN ('receive', 'adjust', 'write_off')`)
      const missing = keys.filter((k) => !found.has(key(k.storeId, k.skuId)))
      const knownStores = new Set<string>()
      const knownSkus = new Set<string>()
      if (missing.length > 0) {
        for (const r of yield* sql<{ id: string }>`SELECT id FROM stores WHERE id = ANY(${missing.map((m) => m.storeId)}::text[])`) {
          knownStores.add(r.id)
        }
        for (const r of yield* sql<{ id: string }>`SELECT id FROM skus WHERE id = ANY(${missing.map((m) => m.skuId)}::text[])`) {
          knownSkus.add(r.id)
        }
      }
      return keys.map(({ skuId, storeId }): Loaded => {
        const k = key(storeId, skuId)
        const row = found.get(k)
        if (row === undefined) return { _tag: "Missing", carriable: knownStores.has(storeId) && knownSkus.has(skuId) }
        const state = new StoreSkuState(
          storeId,
          skuId,
          row.on_hand,
          row.reserved,
          row.allocated,
          row.reorder_threshold,
          row.version,
          (batches.get(k) ?? []).map((b) => ({ lot: b.lot, qty: b.qty, bestBefore: millis(b.best_before) })),
          new Map((reservations.get(k) ?? []).map((r) => [r.reservation_id, {
            id: r.reservation_id,
            qty: r.qty,
            status: r.status,
            expiresAt: millis(r.expires_at),
            createdAt: millis(r.created_at),
            updatedAt: millis(r.updated_at),
            availableAtReject: r.available_at_reject
          }])),
          new Map((operations.get(k) ?? []).map((o) => [o.ref, toLedgerRow(o)]))
        )
        return { _tag: "Loaded", state }
      })
    }, Effect.orDie)

    /** Loads one store-SKU; concurrent loads on this runner share their queries. */
    const load = yield* makeBatcher({
      maxBatch: 256,
      workers: 2,
      run: (keys: ReadonlyArray<{ readonly storeId: StoreId; readonly skuId: SkuId }>) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => loadMany(keys, now))
    })

    /**
     * Writes the bursts of many store-SKUs in one transaction, a few statements in all
     * (arrays through `unnest`), so the cost of a commit is shared by every entity in it.
     * A row whose version moved since its entity loaded it fails the whole write.
     */
    const persistMany = (bursts: ReadonlyArray<Burst>) => persistBursts(sql, events, bursts)

    const ledger = Effect.fn("StoreSkuRepo.ledger")(function*(storeId: StoreId, skuId: SkuId, limit: number) {
      const rows = yield* sql`
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

    return { load, persistMany, ledger, withDueReservations, page } as const
  })
}) {}

export const notFound = (storeId: StoreId, skuId: SkuId) => new StoreSkuNotFound({ storeId, skuId })