import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Server-side carts, one row per customer, written by the customer's Cart entity only: the
 * lines, the last look (what the customer saw, to tell them what changed), and recent
 * checkouts (to take confirmed units out, to answer a retried checkout).
 */
export const cartsMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE carts (
    customer_id text PRIMARY KEY REFERENCES customers(id),
    lines jsonb NOT NULL,
    version integer NOT NULL CHECK (version >= 0),
    -- when the lines last changed; the cart expires 30 days later (null: never filled)
    touched_at timestamptz,
    look jsonb,
    checkouts jsonb NOT NULL,
    saved_at timestamptz NOT NULL
  )`
  // The expiry sweep: rows untouched for 30 days.
  yield* sql`CREATE INDEX carts_touched_at ON carts (touched_at)`
})
