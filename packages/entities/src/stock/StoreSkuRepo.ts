import { SqlClient } from "@effect/sql"
import { StoreSkuNotFound } from "@qc/domain/Errors"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import type { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import { LedgerEntry } from "@qc/domain/stock/StoreSku"
import type { MovementKind, ReservationStatus } from "@qc/domain/stock/StoreSku"
import { Clock, DateTime, Effect } from "effect"
import { makeBatcher } from "../platform/Batcher.js"
import type { BatchRow, LedgerRow, ReservationRow } from "./StockRows.js"
import { DomainEvents } from "../platform/DomainEvents.js"
import { StoreSkuState } from "./StoreSkuState.js"

const millis = (value: unknown): number => (value instanceof Date ? value.getTime() : new Date(String(value)).getTime())

/** Another writer moved a store-SKU since its entity loaded it (e.g. two runners during a shard move). */
export class VersionConflict extends Error {
  constructor(readonly rows: number) {
    super(`${rows} store-SKU row(s) changed under their entity; the write was rolled back`)
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
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents

    /** Terminal reservations older than this are not kept in memory (retries come within minutes). */
    const retentionMs = 7 * 86_400_000

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
      const operations = group(yield* sql<LedgerRecord & { store_id: string; sku_id: string }>`
        SELECT l.store_id, l.sku_id, seq, kind, ref, on_hand_delta, reserved_delta, allocated_delta, note, detail, at
        FROM stock_ledger l JOIN ${pairs} USING (store_id, sku_id)
        WHERE kind IN ('receive', 'adjust')`)
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
    const persistMany = Effect.fn("StoreSkuRepo.persistMany")(function*(bursts: ReadonlyArray<Burst>) {
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
        if (updated.length !== existing.length) return yield* Effect.die(new VersionConflict(existing.length - updated.length))
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
        if (inserted.length !== created.length) return yield* Effect.die(new VersionConflict(created.length - inserted.length))
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
            status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`
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
      yield* events.publish(bursts.filter((b) => b.ledger.length > 0).map((b) =>
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
      ))
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

    return { load, persistMany, ledger, withDueReservations, page } as const
  })
}) {}

export const notFound = (storeId: StoreId, skuId: SkuId) => new StoreSkuNotFound({ storeId, skuId })
