import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { ReceiptId, ReservationId } from "@qc/domain/Ids"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import * as Migrations from "@qc/entities/platform/Migrations"
import { runner } from "@qc/server/App"
import { DateTime, Effect, Layer, TestClock } from "effect"
import { driven, eventually } from "../support/Drive.js"
import { insertCatalogue, ledgerBalances } from "../support/StockFixture.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const entityId = "pune-test/sku-1"

describe("restart", () => {
  it.scoped("a stopped and restarted stack on the same database has the same stock and still expires on time", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      // The whole runtime (database client, cluster, entities) is built and torn down twice.
      const stack = runner().pipe(Layer.provide(Migrations.MigrationsLive), Layer.provideMerge(db.layer))
      yield* TestClock.adjust(1)

      const before = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(stack)
        const sql = yield* Effect.provide(SqlClient.SqlClient, context)
        yield* Effect.provide(insertCatalogue(["pune-test"], ["sku-1"]), context)
        const client = yield* Effect.provide(StoreSkuEntity.client, context)
        const sku = client(entityId)
        // The runner takes its shards on cluster timers: step the clock until it answers.
        yield* driven(sku.Receive({
          receiptId: ReceiptId.make("grn-1"),
          qty: 20,
          lot: "L1",
          bestBefore: DateTime.unsafeMake("2030-01-01T00:00:00Z")
        }))
        yield* sku.Reserve({ reservationId: ReservationId.make("short"), qty: 3, ttlSeconds: 60 })
        yield* sku.Reserve({ reservationId: ReservationId.make("long"), qty: 4, ttlSeconds: 600 })
        yield* sku.Reserve({ reservationId: ReservationId.make("paid"), qty: 5, ttlSeconds: 60 })
        yield* sku.Commit({ reservationId: ReservationId.make("paid") })
        const snapshot = yield* sku.Snapshot()
        expect(yield* ledgerBalances(sql, "pune-test", "sku-1")).toMatchObject({
          counters: { on_hand: 20, reserved: 7, allocated: 5 }
        })
        return snapshot
      }))

      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(stack)
        const sql = yield* Effect.provide(SqlClient.SqlClient, context)
        const client = yield* Effect.provide(StoreSkuEntity.client, context)
        const sku = client(entityId)
        expect(yield* driven(sku.Snapshot())).toEqual(before)
        // A retried reserve after the restart still gets its first answer.
        const again = yield* sku.Reserve({ reservationId: ReservationId.make("long"), qty: 4, ttlSeconds: 600 })
        expect(again.status).toBe("reserved")
        expect((yield* sku.Snapshot()).reserved).toBe(7)

        yield* TestClock.adjust("61 seconds")
        yield* eventually(Effect.flatMap(sku.Snapshot(), (s) =>
          Effect.sync(() => expect(s).toMatchObject({ reserved: 4, allocated: 5, available: 11 }))))
        yield* TestClock.adjust("540 seconds")
        yield* eventually(Effect.flatMap(sku.Snapshot(), (s) =>
          Effect.sync(() => expect(s).toMatchObject({ reserved: 0, allocated: 5, available: 15 }))))
        const { counters, held, sums } = yield* ledgerBalances(sql, "pune-test", "sku-1")
        expect(counters).toMatchObject({ on_hand: 20, reserved: 0, allocated: 5 })
        expect(sums).toMatchObject({ on_hand: 20, reserved: 0, allocated: 5 })
        expect(held).toEqual({ reserved: 0, allocated: 5 })
      }))
    }))

  it.scoped("after a restart the sweeper expires reservations of entities nobody has woken", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      const stack = runner().pipe(Layer.provide(Migrations.MigrationsLive), Layer.provideMerge(db.layer))
      yield* TestClock.adjust(1)
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(stack)
        yield* Effect.provide(insertCatalogue(["pune-test"], ["sku-1"]), context)
        const sku = (yield* Effect.provide(StoreSkuEntity.client, context))(entityId)
        yield* driven(sku.Receive({
          receiptId: ReceiptId.make("grn-1"),
          qty: 5,
          lot: "L1",
          bestBefore: DateTime.unsafeMake("2030-01-01T00:00:00Z")
        }))
        yield* sku.Reserve({ reservationId: ReservationId.make("cart"), qty: 2, ttlSeconds: 120 })
      }))
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(stack)
        const sql = yield* Effect.provide(SqlClient.SqlClient, context)
        // Nobody sends this entity a message: only the sweeper can notice the deadline.
        yield* TestClock.adjust("150 seconds")
        // The sweeper's query and message run on real I/O after the clock moved.
        yield* eventually(Effect.flatMap(
          sql<{ status: string }>`SELECT status FROM stock_reservations WHERE reservation_id = 'cart'`,
          (rows) => Effect.sync(() => expect(rows).toEqual([{ status: "expired" }]))
        ))
        expect((yield* ledgerBalances(sql, "pune-test", "sku-1")).counters).toMatchObject({ reserved: 0, on_hand: 5 })
      }))
    }))
})
