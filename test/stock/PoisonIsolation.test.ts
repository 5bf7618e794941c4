import { describe, expect, it } from "@effect/vitest"
import { ReceiptId, ReservationId } from "@qc/domain/Ids"
import { makeBatcher } from "@qc/entities/platform/Batcher"
import type { SqlClient } from "@effect/sql"
import { DateTime, Effect, Either, Exit } from "effect"
import * as fc from "fast-check"
import { ledgerBalances, makeStockFixture } from "../support/StockFixture.js"

// The edge schemas already refuse text Postgres cannot store (NUL, lone surrogates), so a
// trigger plays the database that refuses a value the schemas let through: any lot named
// poison-* fails the commit with a data exception, as a NUL did before.
const poisons = ["poison-a", "poison-b", "poison-c"]
const refusePoisonedLots = (sql: SqlClient.SqlClient) =>
  Effect.orDie(Effect.zipRight(
    sql.unsafe(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.lot LIKE 'poison-%' THEN RAISE EXCEPTION 'refused lot' USING ERRCODE = '22021'; END IF;
        RETURN NEW;
      END $$`),
    sql.unsafe(`CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON stock_batches FOR EACH ROW EXECUTE FUNCTION refuse_poison()`)
  ))

describe("poison isolation", () => {
  it.effect("a batch with poisoned inputs fails exactly those inputs; the others get their own answers", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ value: fc.integer({ min: 0, max: 1000 }), poisoned: fc.boolean() }), { minLength: 1, maxLength: 60 }),
          fc.integer({ min: 1, max: 64 }),
          async (inputs, maxBatch) => {
            let runs = 0
            const results = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
              const call = yield* makeBatcher({
                maxBatch,
                workers: 2,
                run: (batch: ReadonlyArray<{ readonly value: number; readonly poisoned: boolean }>) => {
                  runs++
                  return batch.some((i) => i.poisoned) ? Effect.fail("refused" as const) : Effect.succeed(batch.map((i) => i.value * 2))
                }
              })
              return yield* Effect.forEach(inputs, (i) => Effect.exit(call(i)), { concurrency: "unbounded" })
            })))
            results.forEach((exit, i) => {
              if (inputs[i].poisoned) expect(exit).toEqual(Exit.fail("refused"))
              else expect(exit).toEqual(Exit.succeed(inputs[i].value * 2))
            })
            // Splitting costs at most 2n − 1 runs per batch of n.
            expect(runs).toBeLessThanOrEqual(2 * inputs.length)
          }
        ),
        { seed: 9, numRuns: 200 }
      )
    ))

  it.scoped("random bursts with poisoned receipts: each poisoned message fails alone with a 400, the rest commit, the store-SKU keeps serving", () =>
    Effect.gen(function*() {
      const { client, sql } = yield* makeStockFixture
      yield* refusePoisonedLots(sql)
      const keys = [["pune-test", "sku-1"], ["pune-test", "sku-2"], ["pune-other", "sku-1"]] as const
      const op = fc.record({
        key: fc.integer({ min: 0, max: keys.length - 1 }),
        kind: fc.constantFrom("receive", "reserve"),
        qty: fc.integer({ min: 1, max: 5 }),
        poison: fc.option(fc.constantFrom(...poisons), { freq: 3 })
      })
      const runs = fc.sample(fc.array(op, { minLength: 5, maxLength: 40 }), { seed: 42, numRuns: 8 })
      let n = 0
      for (const ops of runs) {
        const results = yield* Effect.forEach(ops, (o) => {
          const id = `op-${n++}`
          const [storeId, skuId] = keys[o.key]
          return Effect.flatMap(client(storeId, skuId), (sku) => {
            const attempt: Effect.Effect<unknown, { readonly _tag: string }> = o.kind === "receive"
              ? sku.Receive({
                receiptId: ReceiptId.make(id),
                qty: o.qty,
                lot: o.poison ?? `lot-${o.key}`,
                bestBefore: DateTime.unsafeMake("2030-01-01T00:00:00Z")
              })
              : sku.Reserve({ reservationId: ReservationId.make(id), qty: o.qty, ttlSeconds: 600 })
            return Effect.either(attempt)
          })
        }, { concurrency: "unbounded" })
        ops.forEach((o, i) => {
          const r = results[i]
          if (o.kind === "receive" && o.poison !== null) {
            expect(Either.isLeft(r) && r.left._tag).toBe("InvalidInput")
          } else if (o.kind === "receive") {
            expect(Either.isRight(r)).toBe(true)
          } else if (Either.isLeft(r)) {
            // A reserve may find too little stock (or nothing received yet), never a commit failure.
            expect(["InsufficientStock", "StoreSkuNotFound"]).toContain(r.left._tag)
          }
        })
      }
      for (const [storeId, skuId] of keys) {
        const sku = yield* client(storeId, skuId)
        // Still serving, and memory agrees with the database, which balances.
        yield* sku.Receive({ receiptId: ReceiptId.make(`after-${storeId}-${skuId}`), qty: 1, lot: "clean", bestBefore: DateTime.unsafeMake("2030-01-01T00:00:00Z") })
        const snapshot = yield* sku.Snapshot()
        const { counters, held, sums } = yield* ledgerBalances(sql, storeId, skuId)
        expect(counters).toMatchObject({ on_hand: snapshot.onHand, reserved: snapshot.reserved, version: snapshot.version })
        expect(sums).toMatchObject({ on_hand: counters.on_hand, reserved: counters.reserved, allocated: counters.allocated })
        expect(held.reserved).toBe(counters.reserved)
        expect(snapshot.available).toBe(snapshot.onHand - snapshot.reserved - snapshot.allocated)
        const poisoned = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM stock_batches WHERE store_id = ${storeId} AND sku_id = ${skuId} AND lot NOT LIKE 'lot-%' AND lot <> 'clean'`
        expect(poisoned[0].n).toBe(0)
      }
    }))
})
