import { describe, expect, it } from "@effect/vitest"
import { AdjustmentId, ReceiptId, ReservationId } from "@qc/domain/Ids"
import { DateTime, Effect, Either, TestClock } from "effect"
import { ledgerBalances, makeStockFixture } from "../support/StockFixture.js"

const receive = (receiptId: string, qty: number, lot = "L1") => ({
  receiptId: ReceiptId.make(receiptId),
  qty,
  lot,
  bestBefore: DateTime.unsafeMake("2030-01-01T00:00:00Z")
})
const rid = (id: string) => ReservationId.make(id)

describe("StoreSku entity", () => {
  it.scoped("reserves, answers a retried reserve with the first answer, and persists before replying", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeStockFixture
      const sku = yield* client("pune-test", "sku-1")
      yield* sku.Receive(receive("grn-1", 10))
      const first = yield* sku.Reserve({ reservationId: rid("r1"), qty: 3, ttlSeconds: 60 })
      const again = yield* sku.Reserve({ reservationId: rid("r1"), qty: 3, ttlSeconds: 60 })
      expect(again).toEqual(first)
      const reused = yield* Effect.flip(sku.Reserve({ reservationId: rid("r1"), qty: 4, ttlSeconds: 60 }))
      expect(reused._tag).toBe("OperationIdReused")
      const snapshot = yield* sku.Snapshot()
      expect(snapshot).toMatchObject({ onHand: 10, reserved: 3, allocated: 0, available: 7, version: 2 })
      // The reply came after the commit: the database already says the same.
      const { counters, sums } = yield* ledgerBalances(sql, "pune-test", "sku-1")
      expect(counters).toMatchObject({ on_hand: 10, reserved: 3, allocated: 0, version: 2 })
      expect(sums).toMatchObject({ on_hand: 10, reserved: 3, allocated: 0, n: 2 })
    }))

  it.scoped("releases a reservation by itself when its TTL passes", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeStockFixture
      const sku = yield* client("pune-test", "sku-1")
      yield* sku.Receive(receive("grn-1", 5))
      yield* sku.Reserve({ reservationId: rid("short"), qty: 2, ttlSeconds: 30 })
      yield* sku.Reserve({ reservationId: rid("long"), qty: 1, ttlSeconds: 120 })
      yield* TestClock.adjust("29 seconds")
      expect((yield* sku.Snapshot()).reserved).toBe(3)
      yield* TestClock.adjust("2 seconds")
      expect((yield* sku.Snapshot()).reserved).toBe(1)
      yield* TestClock.adjust("90 seconds")
      expect((yield* sku.Snapshot())).toMatchObject({ reserved: 0, available: 5 })
      const statuses = yield* sql<{ reservation_id: string; status: string }>`
        SELECT reservation_id, status FROM stock_reservations ORDER BY reservation_id`
      expect(statuses).toEqual([
        { reservation_id: "long", status: "expired" },
        { reservation_id: "short", status: "expired" }
      ])
      const committed = yield* Effect.flip(sku.Commit({ reservationId: rid("short") }))
      expect(committed).toMatchObject({ _tag: "ReservationStateConflict", state: "expired" })
    }))

  it.scoped("moves stock through commit and fulfil, and balances the ledger", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeStockFixture
      const sku = yield* client("pune-test", "sku-2")
      yield* sku.Receive(receive("grn-1", 8, "EARLY"))
      yield* sku.Reserve({ reservationId: rid("o1"), qty: 5, ttlSeconds: 600 })
      yield* sku.Commit({ reservationId: rid("o1") })
      yield* sku.Commit({ reservationId: rid("o1") })
      expect(yield* sku.Snapshot()).toMatchObject({ onHand: 8, reserved: 0, allocated: 5, available: 3 })
      const fulfilled = yield* sku.Fulfil({ reservationId: rid("o1") })
      expect(fulfilled.status).toBe("fulfilled")
      yield* sku.Adjust({ adjustmentId: AdjustmentId.make("dmg-1"), delta: -2, reason: "damage" })
      const refused = yield* Effect.flip(
        sku.Adjust({ adjustmentId: AdjustmentId.make("dmg-2"), delta: -2, reason: "damage" })
      )
      expect(refused).toMatchObject({ _tag: "StockWouldGoNegative", available: 1 })
      expect(yield* sku.Snapshot()).toMatchObject({ onHand: 1, allocated: 0, available: 1 })
      const { batches, counters, sums } = yield* ledgerBalances(sql, "pune-test", "sku-2")
      expect(sums).toMatchObject({ on_hand: counters.on_hand, reserved: 0, allocated: 0 })
      expect(batches.qty).toBe(1)
      const ledger = yield* sku.Ledger({ limit: 10 })
      expect(ledger.map((l) => l.kind)).toEqual(["adjust", "fulfil", "commit", "reserve", "receive"])
    }))

  it.scoped("answers StoreSkuNotFound for what a store does not carry, until a receipt starts it", () =>
    Effect.gen(function*() {
      const { client } = yield* makeStockFixture
      const sku = yield* client("pune-other", "sku-3")
      const missing = yield* Effect.flip(sku.Reserve({ reservationId: rid("x"), qty: 1, ttlSeconds: 60 }))
      expect(missing._tag).toBe("StoreSkuNotFound")
      yield* sku.Receive(receive("grn-first", 4))
      expect((yield* sku.Snapshot()).onHand).toBe(4)
      const unknown = yield* client("pune-nowhere", "sku-3")
      expect((yield* Effect.flip(unknown.Receive(receive("grn-x", 1))))._tag).toBe("StoreSkuNotFound")
    }))

  it.scoped("refuses to overwrite a change made by another writer, then carries on from the database", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeStockFixture
      const sku = yield* client("pune-test", "sku-1")
      yield* sku.Receive(receive("grn-1", 10))
      yield* sku.Reserve({ reservationId: rid("r1"), qty: 3, ttlSeconds: 600 })
      // A second writer (say, a runner that still thinks it owns the shard) receives 5 units.
      yield* sql`UPDATE store_skus SET on_hand = on_hand + 5, version = version + 1
        WHERE store_id = 'pune-test' AND sku_id = 'sku-1'`
      yield* sql`INSERT INTO stock_ledger ${
        sql.insert({
          store_id: "pune-test",
          sku_id: "sku-1",
          seq: 3,
          kind: "receive",
          ref: "grn-elsewhere",
          on_hand_delta: 5,
          reserved_delta: 0,
          allocated_delta: 0,
          note: null,
          detail: null,
          at: new Date(0)
        })
      }`
      const lost = yield* Effect.exit(sku.Reserve({ reservationId: rid("r2"), qty: 1, ttlSeconds: 600 }))
      expect(lost._tag).toBe("Failure")
      const retried = yield* sku.Reserve({ reservationId: rid("r2"), qty: 1, ttlSeconds: 600 })
      expect(retried.status).toBe("reserved")
      expect(yield* sku.Snapshot()).toMatchObject({ onHand: 15, reserved: 4, version: 4 })
      const { counters, sums } = yield* ledgerBalances(sql, "pune-test", "sku-1")
      expect(counters).toMatchObject({ on_hand: 15, reserved: 4, version: 4 })
      expect(sums).toMatchObject({ on_hand: 15, reserved: 4, n: 4 })
    }))

  it.scoped("1,000 concurrent single-unit reserves against 250 on hand: exactly 250 succeed", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeStockFixture
      const sku = yield* client("pune-test", "sku-3")
      yield* sku.Receive(receive("grn-1", 250))
      const results = yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        (i) => Effect.either(sku.Reserve({ reservationId: rid(`buyer-${i}`), qty: 1, ttlSeconds: 600 })),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Either.isRight).length).toBe(250)
      expect(results.filter(Either.isLeft).every((e) => e.left._tag === "InsufficientStock")).toBe(true)
      expect(yield* sku.Snapshot()).toMatchObject({ onHand: 250, reserved: 250, available: 0 })
      const { counters, held, sums } = yield* ledgerBalances(sql, "pune-test", "sku-3")
      expect(counters).toMatchObject({ on_hand: 250, reserved: 250, allocated: 0 })
      expect(sums).toMatchObject({ on_hand: 250, reserved: 250, allocated: 0, n: 251 })
      expect(held).toEqual({ reserved: 250, allocated: 0 })
    }))
})
