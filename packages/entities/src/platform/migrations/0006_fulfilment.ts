import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Dark-store operations after payment: store hours and switch, staff, the pick queue, riders,
 * the order's fulfilment state, loyalty points.
 */
export const fulfilmentMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // IST opening hours ({"opens":"07:00","closes":"23:00"}); null is all day. `accepting` is the manager's switch.
  yield* sql`ALTER TABLE stores ADD COLUMN hours jsonb`
  yield* sql`ALTER TABLE stores ADD COLUMN accepting boolean NOT NULL DEFAULT true`
  yield* sql`CREATE TABLE store_staff (
    id text PRIMARY KEY,
    store_id text NOT NULL REFERENCES stores(id),
    role text NOT NULL CHECK (role IN ('picker', 'store_manager')),
    name text NOT NULL,
    on_shift boolean NOT NULL DEFAULT false
  )`
  yield* sql`CREATE INDEX store_staff_store ON store_staff (store_id)`
  // One order's lines at one store; written by the store's entity only.
  yield* sql`CREATE TABLE pick_tasks (
    order_id text NOT NULL REFERENCES orders(id),
    store_id text NOT NULL REFERENCES stores(id),
    status text NOT NULL CHECK (status IN ('queued', 'picking', 'packed', 'cancelled')),
    picker_id text,
    lines jsonb NOT NULL,
    placed_at timestamptz NOT NULL,
    confirmed_at timestamptz NOT NULL,
    sla_due_at timestamptz NOT NULL,
    breached_at timestamptz,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (order_id, store_id)
  )`
  yield* sql`CREATE INDEX pick_tasks_open ON pick_tasks (store_id, placed_at) WHERE status IN ('queued', 'picking')`
  yield* sql`CREATE TABLE riders (
    id text PRIMARY KEY,
    name text NOT NULL,
    phone text NOT NULL,
    home_store_id text REFERENCES stores(id),
    region text NOT NULL,
    online boolean NOT NULL DEFAULT false,
    lat double precision NOT NULL,
    lng double precision NOT NULL,
    updated_at timestamptz NOT NULL
  )`
  // A rider's orders; released_at set when delivered or taken back. At most RIDER_BATCH_SIZE open per rider.
  yield* sql`CREATE TABLE rider_assignments (
    order_id text PRIMARY KEY,
    rider_id text NOT NULL REFERENCES riders(id),
    store_id text NOT NULL,
    assigned_at timestamptz NOT NULL,
    eta_at timestamptz NOT NULL,
    distance_km double precision NOT NULL,
    released_at timestamptz
  )`
  yield* sql`CREATE INDEX rider_assignments_open ON rider_assignments (rider_id) WHERE released_at IS NULL`
  // What happened after CONFIRMED (parts per store, packed quantities, rider, timers), as the Order entity holds it.
  yield* sql`ALTER TABLE orders ADD COLUMN fulfilment jsonb`
  yield* sql`CREATE TABLE loyalty_points (
    order_id text PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers(id),
    points integer NOT NULL CHECK (points >= 0),
    at timestamptz NOT NULL
  )`
  yield* sql`CREATE INDEX loyalty_points_customer ON loyalty_points (customer_id)`
})
