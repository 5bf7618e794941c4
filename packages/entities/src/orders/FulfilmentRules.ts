import type { Fulfilment } from "@qc/domain/orders/Fulfilment"
import type { OrderStatus } from "@qc/domain/orders/Order"
import type { OrderState, StoredOrderLine } from "@qc/domain/orders/OrderEntity"

/** The stores of an order, in line order: the first line's store dispatches (the rider collects there). */
export const storesOf = (lines: ReadonlyArray<StoredOrderLine>): ReadonlyArray<string> => [...new Set(lines.map((l) => l.storeId as string))]

/** Fulfilment as it starts at CONFIRMED: every store part queued, the packing SLA running. */
export const initialFulfilment = (lines: ReadonlyArray<StoredOrderLine>, confirmedAt: number, packingSlaMs: number): Fulfilment => ({
  confirmedAt,
  slaDueAt: confirmedAt + packingSlaMs,
  slaBreachedAt: null,
  parts: storesOf(lines).map((storeId) => ({ storeId, status: "queued", pickerId: null, packedAt: null })),
  packed: [],
  shortRefund: 0,
  packedAt: null,
  rider: null,
  riderAttempts: 0,
  nextRiderAttemptAt: null,
  riderEscalatedAt: null,
  pickedUpAt: null,
  deliveryDueAt: null,
  deliveryEscalatedAt: null,
  deliveredAt: null,
  undeliverable: null,
  settled: null
})

/** The next time the order's own timer must act in this status, once its entry steps are done. */
export const nextTimer = (status: OrderStatus, f: Fulfilment): number | null => {
  switch (status) {
    case "CONFIRMED":
    case "PICKING":
      return f.slaBreachedAt === null ? f.slaDueAt : null
    case "PACKED":
      return f.rider === null ? f.nextRiderAttemptAt : null
    case "OUT_FOR_DELIVERY":
      return f.deliveryEscalatedAt === null ? f.deliveryDueAt : null
    default:
      return null
  }
}

/** Units packed per line: the reported quantity, or the whole line when its store reported it left out. */
export const packedAtStore = (
  lines: ReadonlyArray<StoredOrderLine>,
  storeId: string,
  reported: ReadonlyArray<{ readonly skuId: string; readonly packedQty: number }>
): { readonly packed: ReadonlyArray<{ readonly lineNo: number; readonly packedQty: number }> } | { readonly invalid: string } => {
  const atStore = lines.filter((l) => l.storeId === storeId)
  for (const r of reported) {
    const line = atStore.find((l) => l.skuId === r.skuId)
    if (line === undefined) return { invalid: `${r.skuId} is not on this order at ${storeId}` }
    if (r.packedQty > line.qty) return { invalid: `${r.skuId}: packed ${r.packedQty} but only ${line.qty} ordered` }
  }
  return {
    packed: atStore.map((l) => ({ lineNo: l.lineNo, packedQty: reported.find((r) => r.skuId === l.skuId)?.packedQty ?? l.qty }))
  }
}

/** Units missing at packing and what they cost the customer (paise, exact). */
export const shortPick = (lines: ReadonlyArray<StoredOrderLine>, packed: ReadonlyArray<{ readonly lineNo: number; readonly packedQty: number }>) => {
  let units = 0
  let refund = 0
  for (const l of lines) {
    const p = packed.find((x) => x.lineNo === l.lineNo)
    const missing = p === undefined ? 0 : l.qty - p.packedQty
    units += missing
    refund += missing * l.unitPrice
  }
  return { units, refund }
}

/** Units a line still holds allocated after packing (its packed quantity, or all of it before). */
export const unitsHeld = (line: StoredOrderLine, f: Fulfilment | null): number =>
  f?.packed.find((p) => p.lineNo === line.lineNo)?.packedQty ?? line.qty

/** Paise refunded so far on one payment. */
export const refundedOn = (refunds: ReadonlyMap<string, { readonly paymentId: string; readonly amount: number; readonly status: string }>, paymentId: string) => {
  let sum = 0
  for (const r of refunds.values()) if (r.paymentId === paymentId && r.status !== "failed") sum += r.amount
  return sum
}

/** Statuses a customer may cancel from (until packed); ops may go on until the rider picks it up. */
export const cancellableBy = {
  customer: new Set<OrderStatus>(["AWAITING_PAYMENT", "CONFIRMED", "PICKING"]),
  ops: new Set<OrderStatus>(["AWAITING_PAYMENT", "CONFIRMED", "PICKING", "PACKED", "RIDER_ASSIGNED"])
} as const

export const isActive = (s: OrderState) => !["DELIVERED", "UNDELIVERABLE", "FAILED", "CANCELLED"].includes(s.status)
