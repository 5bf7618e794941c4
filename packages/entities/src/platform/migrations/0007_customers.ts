import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Customers who sign in by phone, their addresses and devices, and what the local
 * notification channels recorded. Sign-in (0008), carts (0009) and the notification queue (0010) have their own.
 */
export const customersMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Phones are E.164 (`+91` and ten digits): one customer per phone.
  yield* sql`CREATE UNIQUE INDEX customers_phone ON customers (phone)`
  yield* sql`ALTER TABLE customers ADD COLUMN email text`
  yield* sql`ALTER TABLE customers ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'hi'))`
  yield* sql`ALTER TABLE customers ADD COLUMN default_address_id text`
  // Access tokens issued before this instant are refused ("sign out everywhere").
  yield* sql`ALTER TABLE customers ADD COLUMN tokens_revoked_at timestamptz`
  yield* sql`CREATE TABLE customer_devices (
    customer_id text NOT NULL REFERENCES customers(id),
    device_id text NOT NULL,
    fcm_token text NOT NULL,
    platform text NOT NULL CHECK (platform IN ('android', 'ios', 'web')),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (customer_id, device_id)
  )`
  yield* sql`CREATE INDEX customer_devices_token ON customer_devices (fcm_token)`
  // What the local Sms and Push layers would have sent (the admin API lists it, newest first).
  yield* sql`CREATE TABLE local_messages (
    id bigserial PRIMARY KEY,
    channel text NOT NULL CHECK (channel IN ('push', 'sms')),
    recipient text NOT NULL,
    title text,
    body text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    at timestamptz NOT NULL
  )`
  yield* sql`CREATE INDEX local_messages_recipient ON local_messages (recipient, id)`
})
