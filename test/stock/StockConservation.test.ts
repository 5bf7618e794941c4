import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { AdjustmentId, ReceiptId, ReservationId } from "@qc/domain/Ids"
import { Context, DateTime, Effect, Layer, TestClock } from "effect"
import * as fc from "fast-check"
import { insertCatalogue, ledgerBalances, makeStockFixture } from "../support/StockFixture.js"

type Command =
  | { readonly _tag: "reserve"; readonly id: number; readonly qty: number; readonly ttl: number }
  | { readonly _tag: "release" | "commit" | "fulfil"; readonly id: number }
  | { readonly _tag: "receive"; readonly id: number; readonly qty: number }
  | { readonly _tag: "adjust"; readonly id: number; readonly delta: number }
  | { readonly _tag: "tick"; readonly seconds: number }

const id = fc.integer({ min: 1, max: 12 })
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ _tag: fc.constant("reserve" as const), id, qty: fc.integer({ min: 1, max: 6 }), ttl: fc.integer({ min: 5, max: 120 }) }), weight: 4 },
  { arbitrary: fc.record({ _tag: fc.constantFrom("release" as const, "commit" as const, "fulfil" as const), id }), weight: 4 },
  { arbitrary: fc.record({ _tag: fc.constant("receive" as const), id: fc.integer({ min: 1, max: 4 }), qty: fc.integer({ min: 1, max: 15 }) }), weight: 2 },
  { arbitrary: fc.record({ _tag: fc.constant("adjust" as const), id: fc.integer({ min: 1, max: 4 }), delta: fc.integer({ min: -6, max: 6 }).filter((n) => n !== 0) }), weight: 1 },
  { arbitrary: fc.record({ _tag: fc.constant("tick" as const), seconds: fc.integer({ min: 1, max: 60 }) }), weight: 1 }
)

class Fixture extends Context.Tag("Fixture")<Fixture, Effect.Effect.Success<typeof makeStockFixture>>() {}

const skuCount = 40
const FixtureLive = Layer.scoped(
  Fixture,
  Effect.tap(makeStockFixture, (f) =>
    insertCatalogue([], Array.from({ length: skuCount }, (_, i) => `prop-${i}`)).pipe(
      Effect.provideService(SqlClient.SqlClient, f.sql)
    ))
)

let run = 0

describe("stock conservation through the entity and the database", () => {
  layer(FixtureLive)((it) => {
    it.effect.prop(
      "concurrent random operations keep on-hand = available + reserved + allocated, and the ledger explains it",
      [fc.array(command, { minLength: 10, maxLength: 60 }), fc.integer({ min: 1, max: 16 })],
      ([commands, concurrency]) =>
        Effect.gen(function*() {
          const { client, sql } = yield* Fixture
          const skuId = `prop-${run++ % skuCount}`
          const prefix = `run${run}`
          const sku = yield* client("pune-test", skuId)
          const exec = (c: Command): Effect.Effect<unknown, unknown> => {
            const rid = ReservationId.make(`${prefix}-r${"id" in c ? c.id : 0}`)
            switch (c._tag) {
              case "reserve":
                return sku.Reserve({ reservationId: rid, qty: c.qty, ttlSeconds: c.ttl })
              case "release":
                return sku.Release({ reservationId: rid })
              case "commit":
                return sku.Commit({ reservationId: rid })
              case "fulfil":
                return sku.Fulfil({ reservationId: rid })
              case "receive":
                return sku.Receive({
                  receiptId: ReceiptId.make(`${prefix}-g${c.id}`),
                  qty: c.qty,
                  lot: `${prefix}-lot${c.id % 2}`,
                  bestBefore: DateTime.unsafeMake(1_900_000_000_000 + c.id * 86_400_000)
                })
              case "adjust":
                return sku.Adjust({ adjustmentId: AdjustmentId.make(`${prefix}-a${c.id}`), delta: c.delta, reason: "count_correction" })
              case "tick":
                return TestClock.adjust(`${c.seconds} seconds`)
            }
          }
          // Every command may be delivered twice (at-least-once), in any interleaving.
          yield* Effect.forEach([...commands, ...commands.filter((_, i) => i % 3 === 0)], (c) => Effect.ignore(exec(c)), {
            concurrency,
            discard: true
          })
          const snapshot = yield* Effect.catchTag(sku.Snapshot(), "StoreSkuNotFound", () => Effect.succeed(undefined))
          if (snapshot === undefined) return
          const { batches, counters, held, sums } = yield* ledgerBalances(sql, "pune-test", skuId)
          expect(snapshot.onHand).toBe(snapshot.available + snapshot.reserved + snapshot.allocated)
          expect(Math.min(snapshot.available, snapshot.reserved, snapshot.allocated)).toBeGreaterThanOrEqual(0)
          expect(counters).toEqual({
            on_hand: snapshot.onHand,
            reserved: snapshot.reserved,
            allocated: snapshot.allocated,
            version: snapshot.version
          })
          expect(sums).toEqual({ on_hand: snapshot.onHand, reserved: snapshot.reserved, allocated: snapshot.allocated, n: snapshot.version })
          expect(held).toEqual({ reserved: snapshot.reserved, allocated: snapshot.allocated })
          expect(batches.qty).toBe(snapshot.onHand)
        }),
      { fastCheck: { numRuns: 25 } }
    )
  })
})
