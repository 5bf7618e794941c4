import type { ReservationId } from "@qc/domain/Ids"
import type { MovementKind, ReservationStatus } from "@qc/domain/stock/StoreSku"

export interface BatchRow {
  lot: string
  qty: number
  bestBefore: number
}

export interface ReservationRow {
  readonly id: ReservationId
  /** Lowered only by a write-off of some of its allocated units. */
  qty: number
  status: ReservationStatus
  readonly expiresAt: number
  readonly createdAt: number
  updatedAt: number
  /** For `rejected`: what was available when it was refused. */
  readonly availableAtReject: number | null
}

export interface LedgerRow {
  readonly seq: number
  readonly kind: MovementKind
  readonly ref: string
  readonly onHandDelta: number
  readonly reservedDelta: number
  readonly allocatedDelta: number
  readonly note: string | null
  /** What identifies a receipt or adjustment, to tell a retry from a reused id. */
  readonly detail: string | null
  readonly at: number
}

/** What one group commit must write; filled while a burst is applied in memory. */
export class PendingWrites {
  readonly reservations = new Map<string, ReservationRow>()
  readonly batches = new Map<string, BatchRow>()
  readonly ledger: Array<LedgerRow> = []
  get isEmpty() {
    return this.ledger.length === 0 && this.reservations.size === 0
  }
}

/**
 * The text that identifies a receipt, kept with its ledger row: a retry with the same
 * receipt id and the same text is the same receipt; other text means the id was reused.
 * The seed writes its opening receipts with it too, so they are told apart the same way.
 */
export const receiptDetail = (qty: number, lot: string, bestBefore: number) =>
  `receive ${qty} of lot ${lot} best before ${new Date(bestBefore).toISOString()}`

/** The same for an adjustment. */
export const adjustmentDetail = (delta: number, reason: string) => `adjust ${delta} (${reason})`
