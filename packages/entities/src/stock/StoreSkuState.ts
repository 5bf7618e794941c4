import {
  InsufficientStock,
  OperationIdReused,
  ReservationNotFound,
  ReservationStateConflict,
  StockWouldGoNegative
} from "@qc/domain/Errors"
import type { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import type { AdjustmentReason, MovementKind, ReservationStatus, WriteOffReason } from "@qc/domain/stock/StoreSku"
import { Either } from "effect"
import type { BatchRow, LedgerRow, ReservationRow } from "./StockRows.js"
import { adjustmentDetail, PendingWrites, receiptDetail } from "./StockRows.js"

/**
 * The stock of one store-SKU as plain mutable memory, owned by exactly one entity.
 * Every method applies one operation and records what must be persisted in
 * `writes`; none does I/O, so the rules can be property-tested directly.
 */
export class StoreSkuState {
  constructor(
    readonly storeId: StoreId,
    readonly skuId: SkuId,
    public onHand: number,
    public reserved: number,
    public allocated: number,
    public reorderThreshold: number,
    public version: number,
    /** Sorted by best-before, earliest first (stock leaves first-expiry-first-out). */
    readonly batches: Array<BatchRow>,
    readonly reservations: Map<string, ReservationRow>,
    /** Receipts and adjustments applied, by their id: the movement each made. */
    readonly operations: Map<string, LedgerRow>
  ) {}

  static empty(storeId: StoreId, skuId: SkuId, reorderThreshold = 10) {
    return new StoreSkuState(storeId, skuId, 0, 0, 0, reorderThreshold, 0, [], new Map(), new Map())
  }

  get available() {
    return this.onHand - this.reserved - this.allocated
  }

  /** How many reservations hold stock that a clock can release. */
  get pendingExpiries() {
    let n = 0
    for (const r of this.reservations.values()) if (r.status === "reserved") n++
    return n
  }

  private move(
    writes: PendingWrites,
    now: number,
    kind: MovementKind,
    ref: string,
    deltas: { onHand?: number; reserved?: number; allocated?: number },
    note: string | null = null,
    detail: string | null = null
  ): LedgerRow {
    const row: LedgerRow = {
      seq: ++this.version,
      kind,
      ref,
      onHandDelta: deltas.onHand ?? 0,
      reservedDelta: deltas.reserved ?? 0,
      allocatedDelta: deltas.allocated ?? 0,
      note,
      detail,
      at: now
    }
    this.onHand += row.onHandDelta
    this.reserved += row.reservedDelta
    this.allocated += row.allocatedDelta
    writes.ledger.push(row)
    return row
  }

  private touch(writes: PendingWrites, r: ReservationRow, status: ReservationStatus, now: number) {
    r.status = status
    r.updatedAt = now
    writes.reservations.set(r.id, r)
  }

  reserve(
    writes: PendingWrites,
    now: number,
    input: { reservationId: ReservationId; qty: number; ttlSeconds: number }
  ): Either.Either<ReservationRow, InsufficientStock | OperationIdReused> {
    const existing = this.reservations.get(input.reservationId)
    if (existing) {
      if (existing.qty !== input.qty) {
        return Either.left(
          new OperationIdReused({ operationId: input.reservationId, firstUse: `reserve of ${existing.qty}` })
        )
      }
      return existing.status === "rejected"
        ? Either.left(this.insufficient(input.qty, existing.availableAtReject ?? 0))
        : Either.right(existing)
    }
    const available = this.available
    const accepted = input.qty <= available
    const row: ReservationRow = {
      id: input.reservationId,
      qty: input.qty,
      status: accepted ? "reserved" : "rejected",
      expiresAt: now + input.ttlSeconds * 1000,
      createdAt: now,
      updatedAt: now,
      availableAtReject: accepted ? null : available
    }
    this.reservations.set(row.id, row)
    writes.reservations.set(row.id, row)
    if (!accepted) return Either.left(this.insufficient(input.qty, available))
    this.move(writes, now, "reserve", row.id, { reserved: row.qty })
    return Either.right(row)
  }

  private insufficient(requested: number, available: number) {
    return new InsufficientStock({ storeId: this.storeId, skuId: this.skuId, requested, available })
  }

  private find(id: ReservationId) {
    const r = this.reservations.get(id)
    return r ? Either.right(r) : Either.left(new ReservationNotFound({ reservationId: id }))
  }

  private conflict(r: ReservationRow, attempted: string) {
    return Either.left(new ReservationStateConflict({ reservationId: r.id, state: r.status, attempted }))
  }

  /** Gives back reserved or allocated units (order failed or cancelled). Repeats are harmless. */
  release(writes: PendingWrites, now: number, id: ReservationId) {
    return Either.flatMap(this.find(id), (r): Either.Either<ReservationRow, ReservationStateConflict> => {
      switch (r.status) {
        case "reserved":
          this.move(writes, now, "release", r.id, { reserved: -r.qty })
          this.touch(writes, r, "released", now)
          return Either.right(r)
        case "committed":
          this.move(writes, now, "release", r.id, { allocated: -r.qty })
          this.touch(writes, r, "released", now)
          return Either.right(r)
        case "released":
        case "expired":
        case "rejected":
          return Either.right(r)
        case "fulfilled":
          return this.conflict(r, "release")
      }
    })
  }

  /** Reserved → allocated: the order is paid and the units are promised to it. */
  commit(writes: PendingWrites, now: number, id: ReservationId) {
    return Either.flatMap(this.find(id), (r): Either.Either<ReservationRow, ReservationStateConflict> => {
      switch (r.status) {
        case "reserved":
          this.move(writes, now, "commit", r.id, { reserved: -r.qty, allocated: r.qty })
          this.touch(writes, r, "committed", now)
          return Either.right(r)
        case "committed":
        case "fulfilled":
          return Either.right(r)
        default:
          return this.conflict(r, "commit")
      }
    })
  }

  /** Allocated units leave the store (delivered); batches are drawn first-expiry-first-out. */
  fulfil(writes: PendingWrites, now: number, id: ReservationId) {
    return Either.flatMap(this.find(id), (r): Either.Either<ReservationRow, ReservationStateConflict> => {
      switch (r.status) {
        case "committed":
          this.drawFromBatches(writes, r.qty)
          this.move(writes, now, "fulfil", r.id, { allocated: -r.qty, onHand: -r.qty })
          this.touch(writes, r, "fulfilled", now)
          return Either.right(r)
        case "fulfilled":
          return Either.right(r)
        default:
          return this.conflict(r, "fulfil")
      }
    })
  }

  /** Allocated units that are gone (short pick, lost delivery) leave on-hand; once per reservation and reason. */
  writeOff(
    writes: PendingWrites,
    now: number,
    input: { reservationId: ReservationId; qty: number; reason: WriteOffReason }
  ): Either.Either<LedgerRow, ReservationNotFound | ReservationStateConflict> {
    const ref = `${input.reservationId}:${input.reason}`, seen = this.operations.get(ref)
    if (seen !== undefined) return Either.right(seen)
    return Either.flatMap(this.find(input.reservationId), (r): Either.Either<LedgerRow, ReservationStateConflict> => {
      if (r.status !== "committed") return this.conflict(r, "write off")
      if (input.qty > r.qty) return this.conflict(r, `write off ${input.qty} of ${r.qty} allocated`)
      this.drawFromBatches(writes, input.qty)
      const row = this.move(writes, now, "write_off", ref, { allocated: -input.qty, onHand: -input.qty }, input.reason, `write off ${input.qty} (${input.reason})`)
      r.qty -= input.qty
      this.touch(writes, r, r.status, now)
      this.operations.set(ref, row)
      return Either.right(row)
    })
  }

  receive(
    writes: PendingWrites,
    now: number,
    input: { receiptId: string; qty: number; lot: string; bestBefore: number }
  ): Either.Either<LedgerRow, OperationIdReused> {
    const detail = receiptDetail(input.qty, input.lot, input.bestBefore)
    const seen = this.operations.get(input.receiptId)
    if (seen !== undefined) {
      return seen.detail === detail
        ? Either.right(seen)
        : Either.left(new OperationIdReused({ operationId: input.receiptId, firstUse: seen.detail ?? seen.kind }))
    }
    let batch = this.batches.find((b) => b.lot === input.lot)
    if (batch) {
      batch.qty += input.qty
    } else {
      batch = { lot: input.lot, qty: input.qty, bestBefore: input.bestBefore }
      this.batches.push(batch)
      this.batches.sort((a, b) => a.bestBefore - b.bestBefore)
    }
    writes.batches.set(batch.lot, batch)
    const row = this.move(writes, now, "receive", input.receiptId, { onHand: input.qty }, input.lot, detail)
    this.operations.set(input.receiptId, row)
    return Either.right(row)
  }

  adjust(
    writes: PendingWrites,
    now: number,
    input: { adjustmentId: string; delta: number; reason: AdjustmentReason }
  ): Either.Either<LedgerRow, OperationIdReused | StockWouldGoNegative> {
    const detail = adjustmentDetail(input.delta, input.reason)
    const seen = this.operations.get(input.adjustmentId)
    if (seen !== undefined) {
      return seen.detail === detail
        ? Either.right(seen)
        : Either.left(new OperationIdReused({ operationId: input.adjustmentId, firstUse: seen.detail ?? seen.kind }))
    }
    // Reserved and allocated units are promised to orders: only free units can be written off.
    if (input.delta < 0 && -input.delta > this.available) {
      return Either.left(new StockWouldGoNegative({ delta: input.delta, available: this.available }))
    }
    if (input.delta < 0) {
      this.drawFromBatches(writes, -input.delta)
    } else {
      const newest = this.batches[this.batches.length - 1]
      if (newest) {
        newest.qty += input.delta
        writes.batches.set(newest.lot, newest)
      } else {
        const batch = { lot: `adj-${input.adjustmentId}`, qty: input.delta, bestBefore: now + 365 * 86_400_000 }
        this.batches.push(batch)
        writes.batches.set(batch.lot, batch)
      }
    }
    const row = this.move(writes, now, "adjust", input.adjustmentId, { onHand: input.delta }, input.reason, detail)
    this.operations.set(input.adjustmentId, row)
    return Either.right(row)
  }

  /** Releases every reservation whose TTL has passed; answers how many. */
  expireDue(writes: PendingWrites, now: number): number {
    let n = 0
    for (const r of this.reservations.values()) {
      if (r.status === "reserved" && r.expiresAt <= now) {
        this.move(writes, now, "expire", r.id, { reserved: -r.qty })
        this.touch(writes, r, "expired", now)
        n++
      }
    }
    return n
  }

  nextExpiry(): number | undefined {
    let next: number | undefined
    for (const r of this.reservations.values()) {
      if (r.status === "reserved" && (next === undefined || r.expiresAt < next)) next = r.expiresAt
    }
    return next
  }

  private drawFromBatches(writes: PendingWrites, qty: number) {
    let left = qty
    for (const b of this.batches) {
      if (left === 0) break
      const take = Math.min(b.qty, left)
      if (take === 0) continue
      b.qty -= take
      left -= take
      writes.batches.set(b.lot, b)
    }
    // Emptied lots leave memory; the write above records them with qty 0 so the row is deleted.
    for (let i = this.batches.length - 1; i >= 0; i--) if (this.batches[i].qty === 0) this.batches.splice(i, 1)
  }
}
