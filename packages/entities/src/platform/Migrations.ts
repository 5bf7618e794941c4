import * as Migrator from "@effect/sql/Migrator"
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { fulfilmentMigration } from "./migrations/0006_fulfilment.js"
import { customersMigration } from "./migrations/0007_customers.js"
import { signInMigration } from "./migrations/0008_sign_in.js"
import { cartsMigration } from "./migrations/0009_carts.js"
import { notificationsMigration } from "./migrations/0010_notifications.js"
import { signInExpiryMigration } from "./migrations/0011_sign_in_expiry.js"

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
  }),
  "0002_orders_payments_events": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // Where a store stands among the stores serving a pincode: the first is the primary.
    yield* sql`ALTER TABLE stores ADD COLUMN position integer`
    yield* sql`CREATE TABLE customers (
      id text PRIMARY KEY,
      name text NOT NULL,
      phone text NOT NULL,
      created_at timestamptz NOT NULL
    )`
    yield* sql`CREATE TABLE orders (
      id text PRIMARY KEY,
      customer_id text NOT NULL REFERENCES customers(id),
      idempotency_key text NOT NULL,
      request_hash text NOT NULL,
      pincode text NOT NULL,
      status text NOT NULL,
      status_reason text,
      total integer NOT NULL CHECK (total >= 0),
      currency text NOT NULL,
      razorpay_order_id text NOT NULL UNIQUE,
      -- the captured payment the order was confirmed with; any other capture gets refunded
      payment_id text,
      -- the 201 body, so a replayed Idempotency-Key gets the very same answer
      placed_answer jsonb NOT NULL,
      placed_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (customer_id, idempotency_key)
    )`
    yield* sql`CREATE INDEX orders_customer_recent ON orders (customer_id, placed_at DESC, id DESC)`
    yield* sql`CREATE TABLE order_lines (
      order_id text NOT NULL REFERENCES orders(id),
      line_no integer NOT NULL,
      sku_id text NOT NULL,
      store_id text NOT NULL,
      qty integer NOT NULL CHECK (qty > 0),
      unit_price integer NOT NULL CHECK (unit_price >= 0),
      pricing_context jsonb NOT NULL,
      reservation_id text NOT NULL,
      PRIMARY KEY (order_id, line_no)
    )`
    yield* sql`CREATE TABLE order_timeline (
      order_id text NOT NULL REFERENCES orders(id),
      seq integer NOT NULL,
      status text NOT NULL,
      reason text,
      at timestamptz NOT NULL,
      PRIMARY KEY (order_id, seq)
    )`
    // What the saga did, step by step, for the admin view.
    yield* sql`CREATE TABLE order_saga_steps (
      order_id text NOT NULL REFERENCES orders(id),
      seq integer NOT NULL,
      step text NOT NULL,
      detail text,
      at timestamptz NOT NULL,
      PRIMARY KEY (order_id, seq)
    )`
    yield* sql`CREATE TABLE order_payments (
      payment_id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders(id),
      amount integer NOT NULL,
      currency text NOT NULL,
      status text NOT NULL,
      method text,
      updated_at timestamptz NOT NULL
    )`
    yield* sql`CREATE INDEX order_payments_order ON order_payments (order_id)`
    yield* sql`CREATE TABLE order_refunds (
      refund_id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders(id),
      payment_id text NOT NULL,
      amount integer NOT NULL,
      status text NOT NULL,
      reason text NOT NULL,
      at timestamptz NOT NULL
    )`
    yield* sql`CREATE INDEX order_refunds_order ON order_refunds (order_id)`
    yield* sql`CREATE TABLE ops_tickets (
      id bigserial PRIMARY KEY,
      order_id text NOT NULL,
      reason text NOT NULL,
      detail text,
      at timestamptz NOT NULL
    )`
    // Razorpay retries a webhook for 24 h; its event id is acted on once.
    yield* sql`CREATE TABLE webhook_events (
      event_id text PRIMARY KEY,
      event text NOT NULL,
      received_at timestamptz NOT NULL
    )`
    // Domain events, written in the transaction of the change that causes them.
    yield* sql`CREATE TABLE outbox (
      seq bigserial PRIMARY KEY,
      type text NOT NULL,
      aggregate_id text NOT NULL,
      payload jsonb NOT NULL,
      at timestamptz NOT NULL
    )`
    yield* sql`CREATE TABLE outbox_cursors (
      subscriber text PRIMARY KEY,
      seq bigint NOT NULL
    )`
  }),
  "0003_pricing": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // What the vendor charges us; null when unknown (then the catalogue price is the base).
    yield* sql`ALTER TABLE skus ADD COLUMN vendor_cost integer CHECK (vendor_cost >= 0)`
    // Browse sort and search tiebreak; orders raise it.
    yield* sql`ALTER TABLE skus ADD COLUMN popularity integer NOT NULL DEFAULT 0`
    yield* sql`CREATE TABLE vendor_promotions (
      promotion_id text PRIMARY KEY,
      vendor text NOT NULL,
      store_ids text[],
      sku_ids text[] NOT NULL,
      price integer NOT NULL CHECK (price >= 0),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      body_digest text NOT NULL,
      received_at timestamptz NOT NULL
    )`
    yield* sql`CREATE TABLE vendor_promotion_skus (
      sku_id text NOT NULL,
      promotion_id text NOT NULL REFERENCES vendor_promotions(promotion_id),
      PRIMARY KEY (sku_id, promotion_id)
    )`
    yield* sql`CREATE TABLE pricing_time_rules (
      rule_id text PRIMARY KEY,
      category text NOT NULL,
      from_time text NOT NULL,
      until_time text NOT NULL,
      percent double precision NOT NULL,
      active boolean NOT NULL,
      updated_at timestamptz NOT NULL
    )`
    yield* sql`CREATE TABLE category_margins (
      category text PRIMARY KEY,
      target_percent double precision,
      min_percent double precision NOT NULL,
      updated_at timestamptz NOT NULL
    )`
    yield* sql`CREATE TABLE markdown_percents (
      category text PRIMARY KEY,
      percent double precision NOT NULL,
      updated_at timestamptz NOT NULL
    )`
    // Batches near best-before and the markdown fixed for them when the job ran.
    yield* sql`CREATE TABLE expiry_markdowns (
      store_id text NOT NULL,
      sku_id text NOT NULL,
      lot text NOT NULL,
      best_before timestamptz NOT NULL,
      percent double precision NOT NULL,
      computed_at timestamptz NOT NULL,
      PRIMARY KEY (store_id, sku_id, lot)
    )`
    // The latest signal per competitor and SKU.
    yield* sql`CREATE TABLE competitor_prices (
      sku_id text NOT NULL,
      competitor text NOT NULL,
      price integer NOT NULL CHECK (price >= 0),
      observed_at timestamptz NOT NULL,
      fetched_at timestamptz NOT NULL,
      PRIMARY KEY (sku_id, competitor)
    )`
    // Defaults a store manager would start from; all editable through the admin API.
    yield* sql`INSERT INTO markdown_percents (category, percent, updated_at) VALUES
      ('fresh_produce', 30, now()), ('dairy', 25, now()), ('packaged_food', 15, now()),
      ('household_cleaning', 10, now()), ('personal_care', 10, now())`
    yield* sql`INSERT INTO category_margins (category, target_percent, min_percent, updated_at) VALUES
      ('fresh_produce', NULL, 5, now()), ('dairy', NULL, 4, now()), ('packaged_food', NULL, 6, now()),
      ('household_cleaning', NULL, 8, now()), ('personal_care', NULL, 8, now())`
    yield* sql`INSERT INTO pricing_time_rules (rule_id, category, from_time, until_time, percent, active, updated_at) VALUES
      ('fresh-evening', 'fresh_produce', '18:00', '24:00', 20, true, now())`
  }),
  // The order's own timer: when its entity must act next (payment deadline, a step to retry),
  // written with the state it belongs to; swept after a restart. NULL: nothing pending.
  "0004_order_due_at": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE orders ADD COLUMN due_at timestamptz`
    yield* sql`CREATE INDEX orders_due_at ON orders (due_at) WHERE due_at IS NOT NULL`
  }),
  // Every store belongs to a region (a cluster shard group): its entities run on that
  // region's runners. A database seeded before regions gets the demo's split of Pune.
  "0005_store_regions": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE stores ADD COLUMN region text NOT NULL DEFAULT 'default'`
    yield* sql`UPDATE stores SET region = 'pune-west' WHERE id IN
      ('pune-baner', 'pune-aundh', 'pune-kothrud', 'pune-wakad', 'pune-chinchwad', 'pune-hinjewadi', 'pune-pimple-saudagar')`
    yield* sql`UPDATE stores SET region = 'pune-east' WHERE id IN
      ('pune-viman-nagar', 'pune-kharadi', 'pune-koregaon-park', 'pune-hadapsar', 'pune-wagholi')`
  }),
  "0006_fulfilment": fulfilmentMigration,
  "0007_customers": customersMigration,
  "0008_sign_in": signInMigration,
  "0009_carts": cartsMigration,
  "0010_notifications": notificationsMigration,
  "0011_sign_in_expiry": signInExpiryMigration
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
