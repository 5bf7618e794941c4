import * as Migrator from "@effect/sql/Migrator"
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"

/** Numbered migrations; never edit one that has landed, add the next number. */
const migrations = Migrator.fromRecord({
  "0001_catalogue_and_stock": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE stores (
      id text PRIMARY KEY,
      name text NOT NULL,
      locality text NOT NULL,
      pincodes text[] NOT NULL,
      lat double precision NOT NULL,
      lng double precision NOT NULL
    )`
    yield* sql`CREATE TABLE skus (
      id text PRIMARY KEY,
      name text NOT NULL,
      aliases text[] NOT NULL,
      category text NOT NULL,
      unit text NOT NULL,
      brand text NOT NULL,
      base_price integer NOT NULL CHECK (base_price >= 0)
    )`
    // The counters are a cache of the ledger, written in the same transaction.
    yield* sql`CREATE TABLE store_skus (
      store_id text NOT NULL REFERENCES stores(id),
      sku_id text NOT NULL REFERENCES skus(id),
      on_hand integer NOT NULL CHECK (on_hand >= 0),
      reserved integer NOT NULL CHECK (reserved >= 0),
      allocated integer NOT NULL CHECK (allocated >= 0),
      reorder_threshold integer NOT NULL,
      version integer NOT NULL,
      PRIMARY KEY (store_id, sku_id),
      CHECK (on_hand >= reserved + allocated)
    )`
    yield* sql`CREATE INDEX store_skus_sku ON store_skus (sku_id)`
    yield* sql`CREATE TABLE stock_batches (
      store_id text NOT NULL,
      sku_id text NOT NULL,
      lot text NOT NULL,
      qty integer NOT NULL CHECK (qty >= 0),
      best_before timestamptz NOT NULL,
      PRIMARY KEY (store_id, sku_id, lot)
    )`
    yield* sql`CREATE TABLE stock_reservations (
      store_id text NOT NULL,
      sku_id text NOT NULL,
      reservation_id text NOT NULL,
      qty integer NOT NULL,
      status text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      available_at_reject integer,
      PRIMARY KEY (store_id, sku_id, reservation_id)
    )`
    yield* sql`CREATE INDEX stock_reservations_pending ON stock_reservations (expires_at) WHERE status = 'reserved'`
    // Append-only: one row per movement, seq is the store-SKU's version after it.
    yield* sql`CREATE TABLE stock_ledger (
      store_id text NOT NULL,
      sku_id text NOT NULL,
      seq integer NOT NULL,
      kind text NOT NULL,
      ref text NOT NULL,
      on_hand_delta integer NOT NULL,
      reserved_delta integer NOT NULL,
      allocated_delta integer NOT NULL,
      note text,
      detail text,
      at timestamptz NOT NULL,
      PRIMARY KEY (store_id, sku_id, seq)
    )`
    yield* sql`CREATE INDEX stock_ledger_operations ON stock_ledger (store_id, sku_id, kind, ref)
      WHERE kind IN ('receive', 'adjust')`
  })
})

export const run = Migrator.make({})({ loader: migrations, table: "qc_migrations" })

/** Brings the schema up to date; runs once at start. */
export const MigrationsLive = Layer.effectDiscard(
  run.pipe(
    Effect.tap((applied) =>
      applied.length > 0 ? Effect.logInfo(`applied migrations: ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`) : Effect.void
    ),
    Effect.orDie
  )
)
