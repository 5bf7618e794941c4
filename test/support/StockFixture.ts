import { Entity, ShardingConfig } from "@effect/cluster"
import { SqlClient } from "@effect/sql"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import * as Migrations from "@qc/entities/platform/Migrations"
import { StoreSkuLive } from "@qc/entities/stock/StoreSku"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import { StockWriter } from "@qc/entities/stock/StockWriter"
import { StoreSkuRepo } from "@qc/entities/stock/StoreSkuRepo"
import { Effect, Layer } from "effect"
import { makeTestDatabase } from "./TestDatabase.js"

/** Inserts a store and SKUs without the full demo catalogue. */
export const insertCatalogue = (storeIds: ReadonlyArray<string>, skuIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    if (storeIds.length > 0) {
      yield* sql`INSERT INTO stores ${
        sql.insert(storeIds.map((id) => ({ id, name: id, locality: "Test", pincodes: ["411045"], lat: 18.5, lng: 73.8 })))
      }`
    }
    yield* sql`INSERT INTO skus ${
      sql.insert(skuIds.map((id) => ({
        id,
        name: `Item ${id}`,
        aliases: [],
        category: "dairy",
        unit: "1 pc",
        brand: "Test",
        base_price: 1000
      })))
    }`
  }).pipe(Effect.orDie)

/**
 * A StoreSku entity on a real database without sharding (Entity.makeTestClient),
 * for unit tests of the behaviour. Returns the client factory and the SqlClient.
 */
export const makeStockFixture = Effect.gen(function*() {
  const db = yield* makeTestDatabase
  const sqlContext = yield* Layer.build(db.layer)
  const sql = yield* Effect.provide(SqlClient.SqlClient, sqlContext)
  yield* Effect.provide(Effect.orDie(Migrations.run), sqlContext)
  yield* Effect.provide(insertCatalogue(["pune-test", "pune-other"], ["sku-1", "sku-2", "sku-3"]), sqlContext)
  const makeClient = yield* Entity.makeTestClient(
    StoreSkuEntity,
    StoreSkuLive.pipe(
      Layer.provide(StockWriter.Default),
      Layer.provideMerge(StoreSkuRepo.Default),
      Layer.provide(DomainEvents.Default),
      Layer.provide(Layer.succeedContext(sqlContext))
    )
  ).pipe(Effect.provide(ShardingConfig.layer()))
  const client = (storeId: string, skuId: string) =>
    makeClient(`${storeId as StoreId}/${skuId as SkuId}`)
  return { client, sql, db } as const
})

/** The conservation invariant, checked from the database alone. */
export const ledgerBalances = (sql: SqlClient.SqlClient, storeId: string, skuId: string) =>
  Effect.gen(function*() {
    const [counters] = yield* sql<{ on_hand: number; reserved: number; allocated: number; version: number }>`
      SELECT on_hand, reserved, allocated, version FROM store_skus WHERE store_id = ${storeId} AND sku_id = ${skuId}`
    const [sums] = yield* sql<{ on_hand: number; reserved: number; allocated: number; n: number }>`
      SELECT COALESCE(sum(on_hand_delta), 0)::int AS on_hand, COALESCE(sum(reserved_delta), 0)::int AS reserved,
             COALESCE(sum(allocated_delta), 0)::int AS allocated, count(*)::int AS n
      FROM stock_ledger WHERE store_id = ${storeId} AND sku_id = ${skuId}`
    const [held] = yield* sql<{ reserved: number; allocated: number }>`
      SELECT COALESCE(sum(qty) FILTER (WHERE status = 'reserved'), 0)::int AS reserved,
             COALESCE(sum(qty) FILTER (WHERE status = 'committed'), 0)::int AS allocated
      FROM stock_reservations WHERE store_id = ${storeId} AND sku_id = ${skuId}`
    const [batches] = yield* sql<{ qty: number }>`
      SELECT COALESCE(sum(qty), 0)::int AS qty FROM stock_batches WHERE store_id = ${storeId} AND sku_id = ${skuId}`
    return { counters, sums, held, batches }
  }).pipe(Effect.orDie)
