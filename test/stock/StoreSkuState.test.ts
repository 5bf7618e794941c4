import { describe, expect, it } from "@effect/vitest"
import { AdjustmentId, ReceiptId, ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import type { AdjustmentReason, WriteOffReason } from "@qc/domain/stock/StoreSku"
import { PendingWrites } from "@qc/entities/stock/StockRows"
import type { LedgerRow } from "@qc/entities/stock/StockRows"
import { StoreSkuState } from "@qc/entities/stock/StoreSkuState"
import { Either } from "effect"
import * as fc from "fast-check"

type Op =
  | { readonly _tag: "reserve"; readonly id: string; readonly qty: number; readonly ttl: number }
  | { readonly _tag: "release" | "commit" | "fulfil"; readonly id: string }
  | { readonly _tag: "receive"; readonly id: string; readonly qty: number; readonly lot: string; readonly days: number }
  | { readonly _tag: "adjust"; readonly id: string; readonly delta: number; readonly reason: AdjustmentReason }
  | { readonly _tag: "tick"; readonly seconds: number }
  | { readonly _tag: "writeOff"; readonly id: string; readonly qty: number; readonly reason: WriteOffReason }

const reservationIds = fc.constantFrom("r1", "r2", "r3", "r4", "r5", "r6")
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ _tag: fc.constant("reserve" as const), id: reservationIds, qty: fc.integer({ min: 1, max: 8 }), ttl: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ _tag: fc.constantFrom("release" as const, "commit" as const, "fulfil" as const), id: reservationIds }),
  fc.record({
    _tag: fc.constant("receive" as const),
    id: fc.constantFrom("g1", "g2", "g3"),
    qty: fc.integer({ min: 1, max: 20 }),
    lot: fc.constantFrom("A", "B", "C"),
    days: fc.integer({ min: 1, max: 30 })
  }),
  fc.record({
    _tag: fc.constant("adjust" as const),
    id: fc.constantFrom("a1", "a2", "a3", "a4"),
    delta: fc.integer({ min: -10, max: 10 }).filter((n) => n !== 0),
    reason: fc.constantFrom("damage" as const, "count_correction" as const)
  }),
  fc.record({ _tag: fc.constant("tick" as const), seconds: fc.integer({ min: 1, max: 400 }) }),
  fc.record({
    _tag: fc.constant("writeOff" as const),
    id: reservationIds,
    qty: fc.integer({ min: 1, max: 4 }),
    reason: fc.constantFrom("short_pick" as const, "undeliverable" as const)
  })
)

const apply = (s: StoreSkuState, writes: PendingWrites, now: number, o: Op): unknown => {
  switch (o._tag) {
    case "reserve":
      return s.reserve(writes, now, { reservationId: ReservationId.make(o.id), qty: o.qty, ttlSeconds: o.ttl })
    case "release":
      return s.release(writes, now, ReservationId.make(o.id))
    case "commit":
      return s.commit(writes, now, ReservationId.make(o.id))
    case "fulfil":
      return s.fulfil(writes, now, ReservationId.make(o.id))
    case "receive":
      return s.receive(writes, now, {
        receiptId: ReceiptId.make(o.id),
        qty: o.qty,
        lot: o.lot,
        bestBefore: 1_700_000_000_000 + o.days * 86_400_000
      })
    case "adjust":
      return s.adjust(writes, now, { adjustmentId: AdjustmentId.make(o.id), delta: o.delta, reason: o.reason })
    case "tick":
      return s.expireDue(writes, now)
    case "writeOff":
      return s.writeOff(writes, now, { reservationId: ReservationId.make(o.id), qty: o.qty, reason: o.reason })
  }
}

/** What a caller sees of an answer (the reservation's state at that moment, or the error). */
const answer = (result: unknown) =>
  JSON.stringify(Either.isEither(result) ? Either.match(result, { onLeft: (e) => ({ e }), onRight: (a) => ({ a }) }) : result)

const checkConservation = (s: StoreSkuState, ledger: ReadonlyArray<LedgerRow>) => {
  expect(s.onHand).toBeGreaterThanOrEqual(0)
  expect(s.reserved).toBeGreaterThanOrEqual(0)
  expect(s.allocated).toBeGreaterThanOrEqual(0)
  expect(s.available).toBeGreaterThanOrEqual(0)
  expect(s.onHand).toBe(s.available + s.reserved + s.allocated)
  // The ledger alone explains every counter.
  expect(ledger.reduce((n, l) => n + l.onHandDelta, 0)).toBe(s.onHand)
  expect(ledger.reduce((n, l) => n + l.reservedDelta, 0)).toBe(s.reserved)
  expect(ledger.reduce((n, l) => n + l.allocatedDelta, 0)).toBe(s.allocated)
  expect(ledger.map((l) => l.seq)).toEqual(ledger.map((_, i) => i + 1))
  // Reservations explain reserved and allocated; batches explain on-hand.
  const sum = (status: string) =>
    Array.from(s.reservations.values()).filter((r) => r.status === status).reduce((n, r) => n + r.qty, 0)
  expect(sum("reserved")).toBe(s.reserved)
  expect(sum("committed")).toBe(s.allocated)
  expect(s.batches.reduce((n, b) => n + b.qty, 0)).toBe(s.onHand)
}

describe("StoreSkuState", () => {
  it.prop("conservation holds and a repeated operation changes nothing", [fc.array(op, { minLength: 20, maxLength: 200 })], ([ops]) => {
    const s = StoreSkuState.empty(StoreId.make("pune-test"), SkuId.make("sku-1"))
    const ledger: Array<LedgerRow> = []
    let now = 1_700_000_000_000
    for (const o of ops) {
      if (o._tag === "tick") now += o.seconds * 1000
      const first = new PendingWrites()
      const firstAnswer = answer(apply(s, first, now, o))
      ledger.push(...first.ledger)
      checkConservation(s, ledger)
      // At-least-once delivery: the same message again must be answered alike and move nothing.
      const again = new PendingWrites()
      const before = s.version
      const secondAnswer = answer(apply(s, again, now, o))
      expect(again.ledger).toEqual([])
      expect(s.version).toBe(before)
      if (o._tag !== "tick") expect(secondAnswer).toBe(firstAnswer)
    }
  }, { fastCheck: { numRuns: 300 } })

  it("refuses what is not there and remembers the refusal", () => {
    const s = StoreSkuState.empty(StoreId.make("pune-test"), SkuId.make("sku-1"))
    const w = new PendingWrites()
    s.receive(w, 0, { receiptId: "g1", qty: 3, lot: "A", bestBefore: 10 })
    const refused = s.reserve(w, 0, { reservationId: ReservationId.make("big"), qty: 5, ttlSeconds: 60 })
    expect(Either.isLeft(refused) && refused.left._tag).toBe("InsufficientStock")
    s.receive(w, 0, { receiptId: "g2", qty: 10, lot: "A", bestBefore: 10 })
    // Enough stock now, but the id's first answer was a refusal: a retry must not reserve.
    const retried = s.reserve(w, 0, { reservationId: ReservationId.make("big"), qty: 5, ttlSeconds: 60 })
    expect(Either.isLeft(retried) && retried.left).toMatchObject({ _tag: "InsufficientStock", available: 3 })
    expect(s.reserved).toBe(0)
  })

  it("expires a reservation exactly at its TTL and not before", () => {
    const s = StoreSkuState.empty(StoreId.make("pune-test"), SkuId.make("sku-1"))
    const w = new PendingWrites()
    s.receive(w, 0, { receiptId: "g1", qty: 5, lot: "A", bestBefore: 10 })
    s.reserve(w, 1000, { reservationId: ReservationId.make("r"), qty: 2, ttlSeconds: 60 })
    expect(s.expireDue(w, 60_999)).toBe(0)
    expect(s.reserved).toBe(2)
    expect(s.expireDue(w, 61_000)).toBe(1)
    expect(s.reserved).toBe(0)
    expect(Either.getOrThrow(s.commit(w, 61_000, ReservationId.make("r")).pipe(Either.flip))._tag)
      .toBe("ReservationStateConflict")
  })

  it("draws fulfilled and written-off units first-expiry-first-out", () => {
    const s = StoreSkuState.empty(StoreId.make("pune-test"), SkuId.make("sku-1"))
    const w = new PendingWrites()
    s.receive(w, 0, { receiptId: "late", qty: 5, lot: "LATE", bestBefore: 2000 })
    s.receive(w, 0, { receiptId: "early", qty: 3, lot: "EARLY", bestBefore: 1000 })
    s.reserve(w, 0, { reservationId: ReservationId.make("r"), qty: 4, ttlSeconds: 60 })
    s.commit(w, 0, ReservationId.make("r"))
    s.fulfil(w, 0, ReservationId.make("r"))
    expect(s.batches).toEqual([{ lot: "LATE", qty: 4, bestBefore: 2000 }])
    expect(w.batches.get("EARLY")?.qty).toBe(0)
  })

  it("writes off missing units of a committed reservation once; the rest is fulfilled; never more than allocated", () => {
    const s = StoreSkuState.empty(StoreId.make("pune-test"), SkuId.make("sku-1"))
    const w = new PendingWrites()
    s.receive(w, 0, { receiptId: "g1", qty: 10, lot: "A", bestBefore: 10 })
    const r = ReservationId.make("ord-1")
    s.reserve(w, 0, { reservationId: r, qty: 3, ttlSeconds: 60 })
    expect(Either.isLeft(s.writeOff(w, 0, { reservationId: r, qty: 1, reason: "short_pick" }))).toBe(true)
    s.commit(w, 0, r)
    const first = Either.getOrThrow(s.writeOff(w, 0, { reservationId: r, qty: 1, reason: "short_pick" }))
    expect(first).toMatchObject({ kind: "write_off", onHandDelta: -1, allocatedDelta: -1, note: "short_pick" })
    expect(Either.getOrThrow(s.writeOff(w, 0, { reservationId: r, qty: 1, reason: "short_pick" }))).toEqual(first)
    expect(s).toMatchObject({ onHand: 9, allocated: 2 })
    const tooMany = s.writeOff(w, 0, { reservationId: r, qty: 3, reason: "undeliverable" })
    expect(Either.isLeft(tooMany) && tooMany.left._tag).toBe("ReservationStateConflict")
    s.fulfil(w, 0, r)
    expect(s).toMatchObject({ onHand: 7, allocated: 0, reserved: 0 })
  })
})
