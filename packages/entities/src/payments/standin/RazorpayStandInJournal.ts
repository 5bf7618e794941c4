import { Either, Schema } from "effect"
import { appendFileSync, existsSync, readFileSync } from "node:fs"
import { PaymentStatus } from "../Payments.js"
import type { Order, Payment, Refund } from "./RazorpayStandInRecords.js"

/**
 * The embedded stand-in's memory on disk: one JSON line per record as it stands after each
 * change, appended synchronously before the answer goes out, so a server killed and started
 * again on the same `DATA_DIR` still knows the Razorpay orders its orders point to (a customer
 * can pay them; the payment deadline finds a capture whose webhook was lost). The newest line
 * of a record wins; a torn last line (killed mid-write) is skipped.
 */
const Notes = Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number) })
const OrderRecord = Schema.mutable(Schema.Struct({
  id: Schema.String,
  amount: Schema.Int,
  receipt: Schema.NullOr(Schema.String),
  notes: Notes,
  status: Schema.Literal("created", "attempted", "paid"),
  attempts: Schema.Int,
  amountPaid: Schema.Int,
  createdAt: Schema.Number
}))
const PaymentRecord = Schema.mutable(Schema.Struct({
  id: Schema.String,
  orderId: Schema.String,
  amount: Schema.Int,
  method: Schema.Literal("upi", "card"),
  status: PaymentStatus,
  amountRefunded: Schema.Int,
  failed: Schema.Boolean,
  createdAt: Schema.Number
}))
const RefundRecord = Schema.Struct({
  id: Schema.String,
  paymentId: Schema.String,
  amount: Schema.Int,
  notes: Notes,
  receipt: Schema.NullOr(Schema.String),
  createdAt: Schema.Number
})
const Entry = Schema.Union(
  Schema.Struct({ t: Schema.Literal("order"), v: OrderRecord }),
  Schema.Struct({ t: Schema.Literal("payment"), v: PaymentRecord }),
  Schema.Struct({ t: Schema.Literal("refund"), v: RefundRecord, key: Schema.optionalWith(Schema.String, { exact: true }), fingerprint: Schema.optionalWith(Schema.String, { exact: true }) })
)
const decodeLine = Schema.decodeEither(Schema.parseJson(Entry))

export type JournalEntry =
  | { readonly t: "order"; readonly v: Order }
  | { readonly t: "payment"; readonly v: Payment }
  | { readonly t: "refund"; readonly v: Refund; readonly key?: string; readonly fingerprint?: string }

export interface LedgerState {
  readonly orders: Map<string, Order>
  readonly payments: Map<string, Payment>
  readonly refunds: Map<string, Refund>
  readonly refundsByKey: Map<string, { readonly fingerprint: string; readonly refund: Refund }>
}

export interface Journal {
  readonly state: LedgerState
  readonly append: (entry: JournalEntry) => void
}

export const emptyLedgerState = (): LedgerState => ({
  orders: new Map(),
  payments: new Map(),
  refunds: new Map(),
  refundsByKey: new Map()
})

/** Applies one entry to the maps (copies: the ledger mutates its records in place). */
export const applyEntry = (state: LedgerState, entry: JournalEntry): void => {
  switch (entry.t) {
    case "order":
      state.orders.set(entry.v.id, { ...entry.v })
      return
    case "payment":
      state.payments.set(entry.v.id, { ...entry.v })
      return
    case "refund": {
      const refund = { ...entry.v }
      state.refunds.set(refund.id, refund)
      if (entry.key !== undefined && entry.fingerprint !== undefined) {
        state.refundsByKey.set(entry.key, { fingerprint: entry.fingerprint, refund })
      }
    }
  }
}

/** Reads the journal at `file` (if any) and answers the state it describes and how to add to it. */
export const openJournal = (file: string): Journal => {
  const state = emptyLedgerState()
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.trim() === "") continue
      const entry = decodeLine(line)
      // Skipped: the last line of a process killed while writing it.
      if (Either.isRight(entry)) applyEntry(state, entry.right)
    }
  }
  return { state, append: (entry) => appendFileSync(file, JSON.stringify(entry) + "\n") }
}
