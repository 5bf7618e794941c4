import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The customer notification queue: one row per (event, channel). The unique key makes a
 * redelivered event, a second runner or a restart enqueue nothing new, so each notification
 * is sent at most once per event and channel. `kind` is free text: new areas (`mandate.*`)
 * add kinds to the code's table of kinds, not to the schema.
 */
export const notificationsMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE notifications (
    id bigserial PRIMARY KEY,
    event_key text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('push', 'sms')),
    kind text NOT NULL,
    customer_id text NOT NULL,
    recipient text NOT NULL,
    language text NOT NULL CHECK (language IN ('en', 'hi')),
    title text NOT NULL,
    body text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL CHECK (status IN ('held', 'pending', 'sending', 'sent', 'dropped', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    due_at timestamptz,
    lease_until timestamptz,
    last_error text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    sent_at timestamptz,
    UNIQUE (event_key, channel)
  )`
  yield* sql`CREATE INDEX notifications_due ON notifications (due_at, id) WHERE status = 'pending'`
  yield* sql`CREATE INDEX notifications_sending ON notifications (lease_until) WHERE status = 'sending'`
  yield* sql`CREATE INDEX notifications_dead ON notifications (updated_at DESC, id DESC) WHERE status = 'dead'`
})
