import { SqlClient } from "@effect/sql"
import type { DomainEvent } from "@qc/domain/events/DomainEvent"
import { Notifications } from "@qc/entities/notifications/Notifications"
import type { Push } from "@qc/entities/notifications/Push"
import type { Sms } from "@qc/entities/notifications/Sms"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import * as Migrations from "@qc/entities/platform/Migrations"
import type { Layer as L } from "effect"
import { Context, Effect, Layer } from "effect"
import { drivenUntil } from "../support/Drive.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

export const orderId = "ord_pune-west_abcdefghij0123456789"
export const customerId = "cust-n-1"
export const phone = "+919800000001"

/** A migrated test database with one customer and one paid order of ₹1,234.50. */
export const seededDatabase = Effect.gen(function*() {
  const db = yield* makeTestDatabase
  const context = yield* Layer.build(db.layer)
  const sql = Context.get(context, SqlClient.SqlClient)
  yield* Effect.provide(Effect.orDie(Migrations.run), context)
  yield* Effect.orDie(sql`INSERT INTO customers (id, name, phone, created_at, language) VALUES (${customerId}, 'Asha Rao', ${phone}, now(), 'en')`)
  yield* Effect.orDie(sql`INSERT INTO orders (id, customer_id, idempotency_key, request_hash, pincode, status, total, currency,
      razorpay_order_id, placed_answer, placed_at, updated_at)
    VALUES (${orderId}, ${customerId}, 'k1', 'h1', '411045', 'CONFIRMED', 123450, 'INR', 'order_rzp_1', '{}'::jsonb, now(), now())`)
  return { context, sql, kind: db.kind } as const
})

/** One "runner": an outbox dispatcher and the notifications consumer and worker, on the given channels. */
export const runnerOn = (context: Context.Context<SqlClient.SqlClient>, channels: L.Layer<Push | Sms, never, SqlClient.SqlClient>) =>
  Effect.map(
    Layer.build(Notifications.Default.pipe(
      Layer.provideMerge(channels),
      Layer.provideMerge(DomainEvents.Default),
      Layer.provide(Layer.succeedContext(context))
    )),
    (built) => ({ events: Context.get(built, DomainEvents), notifications: Context.get(built, Notifications) })
  )

export const publish = (sql: SqlClient.SqlClient, events: DomainEvents, batch: ReadonlyArray<DomainEvent>) =>
  sql.withTransaction(events.publish(batch)).pipe(Effect.orDie)

export const addDevice = (sql: SqlClient.SqlClient, deviceId: string, token: string, customer = customerId) =>
  Effect.orDie(sql`INSERT INTO customer_devices (customer_id, device_id, fcm_token, platform, updated_at)
    VALUES (${customer}, ${deviceId}, ${token}, 'android', now())`)

export interface QueueRow {
  readonly id: number
  readonly event_key: string
  readonly channel: string
  readonly status: string
  readonly attempts: number
  readonly last_error: string | null
}

export const queueRows = (sql: SqlClient.SqlClient) =>
  Effect.orDie(sql<QueueRow>`SELECT id::int AS id, event_key, channel, status, attempts, last_error FROM notifications ORDER BY id`)

export const localMessages = (sql: SqlClient.SqlClient) =>
  Effect.orDie(sql<{ channel: string; recipient: string; title: string | null; body: string; data: unknown }>`
    SELECT channel, recipient, title, body, data FROM local_messages ORDER BY id`)

/** Steps the TestClock (and real I/O) until `check` passes. */
export const until = <A, E, R>(check: Effect.Effect<A, E, R>, step: string = "200 millis") =>
  drivenUntil(check, { step: step as `${number} millis`, maxSteps: 800 })
