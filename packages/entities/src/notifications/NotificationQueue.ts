import { SqlClient } from "@effect/sql"
import type { Channel, Language, LocalMessage, NotificationId } from "@qc/domain/notifications/Notification"
import { QueuedNotification } from "@qc/domain/notifications/Notification"
import { Effect, Schema } from "effect"
import { DateTimeFromTimestamp, JsonColumn } from "../platform/SqlValues.js"
import type { Decision } from "./NotificationRules.js"
import { interruptedReason } from "./NotificationRules.js"

/** A notification to enqueue on one channel. */
export interface NewNotification {
  readonly eventKey: string
  readonly channel: Channel
  readonly kind: string
  readonly customerId: string
  readonly recipient: string
  readonly language: Language
  readonly title: string
  readonly body: string
  readonly data: Readonly<Record<string, string>>
  /** `held`: an SMS that waits for its push's outcome. */
  readonly status: "pending" | "held"
}

/** A row claimed for sending. */
export interface ClaimedNotification {
  readonly id: number
  readonly eventKey: string
  readonly channel: Channel
  readonly kind: string
  readonly customerId: string
  readonly recipient: string
  readonly title: string
  readonly body: string
  readonly data: Readonly<Record<string, string>>
  readonly attempts: number
}

const Row = Schema.Struct({
  id: Schema.Union(Schema.Number, Schema.NumberFromString),
  event_key: Schema.String,
  channel: Schema.Literal("push", "sms"),
  kind: Schema.String,
  customer_id: Schema.String,
  recipient: Schema.String,
  title: Schema.String,
  body: Schema.String,
  data: JsonColumn(Schema.Record({ key: Schema.String, value: Schema.String })),
  status: Schema.Literal("held", "pending", "sending", "sent", "dropped", "dead"),
  attempts: Schema.Number,
  last_error: Schema.NullOr(Schema.String),
  due_at: Schema.NullOr(DateTimeFromTimestamp),
  updated_at: DateTimeFromTimestamp
})
const decodeRows = Schema.decodeUnknown(Schema.Array(Row))

const LocalRow = Schema.Struct({
  id: Schema.Union(Schema.Number, Schema.NumberFromString),
  channel: Schema.Literal("push", "sms"),
  recipient: Schema.String,
  title: Schema.NullOr(Schema.String),
  body: Schema.String,
  data: JsonColumn(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  at: DateTimeFromTimestamp
})
const decodeLocalRows = Schema.decodeUnknown(Schema.Array(LocalRow))

/** The fields a claimed row and the admin view share. */
const message = (r: typeof Row.Type) => ({
  eventKey: r.event_key,
  channel: r.channel,
  kind: r.kind,
  customerId: r.customer_id,
  recipient: r.recipient,
  title: r.title,
  body: r.body,
  attempts: r.attempts
})

const toView = (r: typeof Row.Type): QueuedNotification =>
  QueuedNotification.make({
    ...message(r),
    id: r.id as NotificationId,
    status: r.status,
    lastError: r.last_error,
    dueAt: r.due_at,
    updatedAt: r.updated_at
  })

const views = (rows: ReadonlyArray<unknown>) => Effect.map(decodeRows(rows), (rs) => rs.map(toView))
const firstView = (rows: ReadonlyArray<unknown>) => Effect.map(views(rows), (vs): QueuedNotification | undefined => vs[0])

const columns = "id, event_key, channel, kind, customer_id, recipient, title, body, data, status, attempts, last_error, due_at, updated_at"

/** The queue's SQL. `SqlError`s and rows that do not decode are defects here. */
export class NotificationQueue extends Effect.Service<NotificationQueue>()("NotificationQueue", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.literal(columns)

    /** Inserts the rows not already queued for their (event, channel); answers how many were new. */
    const enqueue = (rows: ReadonlyArray<NewNotification>, now: number) =>
      Effect.gen(function*() {
        const at = new Date(now)
        let added = 0
        for (const r of rows) {
          const inserted = yield* sql`INSERT INTO notifications
              (event_key, channel, kind, customer_id, recipient, language, title, body, data, status, due_at, created_at, updated_at)
            VALUES (${r.eventKey}, ${r.channel}, ${r.kind}, ${r.customerId}, ${r.recipient}, ${r.language}, ${r.title}, ${r.body},
              ${JSON.stringify(r.data)}::jsonb, ${r.status}, ${r.status === "pending" ? at : null}, ${at}, ${at})
            ON CONFLICT (event_key, channel) DO NOTHING RETURNING id`
          added += inserted.length
        }
        return added
      }).pipe(Effect.orDie)

    /**
     * Marks up to `limit` due rows `sending` under a lease and answers them. Several runners may
     * claim at once: `SKIP LOCKED` gives each row to one of them. The statement commits on its
     * own, so the claim is durable before any provider is called.
     */
    const claimDue = (now: number, leaseUntil: number, limit: number) =>
      Effect.gen(function*() {
        const rows = yield* sql`UPDATE notifications
            SET status = 'sending', attempts = attempts + 1, lease_until = ${new Date(leaseUntil)}, updated_at = ${new Date(now)}
          WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND due_at <= ${new Date(now)}
                       ORDER BY due_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING ${cols}`
        return (yield* decodeRows(rows)).map((r): ClaimedNotification => ({ ...message(r), id: r.id, data: r.data }))
      }).pipe(Effect.orDie)

    /** Rows left `sending` past their lease become dead letters: they may have gone out, so they are not resent. */
    const buryInterrupted = (now: number) =>
      Effect.map(
        sql`UPDATE notifications SET status = 'dead', last_error = ${interruptedReason}, lease_until = NULL, updated_at = ${new Date(now)}
          WHERE status = 'sending' AND lease_until < ${new Date(now)} RETURNING id`,
        (rows) => rows.length
      ).pipe(Effect.orDie)

    /** The outcome of a claimed row, and of the SMS held back for it, in one transaction. */
    const settle = (row: ClaimedNotification, decision: Decision, now: number) =>
      sql.withTransaction(Effect.gen(function*() {
        const at = new Date(now)
        yield* sql`UPDATE notifications SET status = ${decision.status}, last_error = ${decision.lastError},
            due_at = ${decision.dueAt === null ? null : new Date(decision.dueAt)}, lease_until = NULL, updated_at = ${at},
            sent_at = ${decision.status === "sent" ? at : null}
          WHERE id = ${row.id} AND status = 'sending'`
        if (row.channel === "push" && decision.heldSms !== "keep") {
          const release = decision.heldSms === "release"
          yield* sql`UPDATE notifications SET status = ${release ? "pending" : "dropped"}, due_at = ${release ? at : null},
              last_error = ${release ? null : "push delivered"}, updated_at = ${at}
            WHERE event_key = ${row.eventKey} AND channel = 'sms' AND status = 'held'`
        }
      })).pipe(Effect.orDie)

    /** Device tokens of a customer. */
    const tokensOf = (customerId: string) =>
      Effect.map(
        sql<{ fcm_token: string }>`SELECT fcm_token FROM customer_devices WHERE customer_id = ${customerId} ORDER BY device_id`,
        (rows) => rows.map((r) => r.fcm_token)
      ).pipe(Effect.orDie)

    /** FCM said these tokens are dead: forget them at once, for every customer holding them. */
    const deleteTokens = (tokens: ReadonlyArray<string>) =>
      tokens.length === 0
        ? Effect.void
        : Effect.asVoid(sql`DELETE FROM customer_devices WHERE fcm_token = ANY(${tokens}::text[])`).pipe(Effect.orDie)

    const deadLetters = (limit: number) =>
      Effect.flatMap(
        sql`SELECT ${cols} FROM notifications WHERE status = 'dead' ORDER BY updated_at DESC, id DESC LIMIT ${limit}`,
        views
      ).pipe(Effect.orDie)

    const find = (id: number) =>
      Effect.flatMap(sql`SELECT ${cols} FROM notifications WHERE id = ${id}`, firstView).pipe(Effect.orDie)

    /** A dead letter back in the queue, due now, its attempts reset; undefined when `id` is not dead. */
    const requeueDead = (id: number, now: number) =>
      Effect.flatMap(
        sql`UPDATE notifications SET status = 'pending', attempts = 0, due_at = ${new Date(now)}, lease_until = NULL,
            last_error = NULL, updated_at = ${new Date(now)}
          WHERE id = ${id} AND status = 'dead' RETURNING ${cols}`,
        firstView
      ).pipe(Effect.orDie)

    /** What the local channels recorded, newest first. */
    const localMessages = (filter: { readonly channel?: Channel; readonly to?: string; readonly limit: number }) =>
      Effect.flatMap(
        sql`SELECT id, channel, recipient, title, body, data, at FROM local_messages
          WHERE ${sql.and([
            ...(filter.channel === undefined ? [] : [sql`channel = ${filter.channel}`]),
            ...(filter.to === undefined ? [] : [sql`recipient = ${filter.to}`])
          ])}
          ORDER BY id DESC LIMIT ${filter.limit}`,
        (rows) =>
          Effect.map(decodeLocalRows(rows), (rs) =>
            rs.map((r): LocalMessage => ({ id: r.id, channel: r.channel, to: r.recipient, title: r.title, body: r.body, data: r.data, at: r.at })))
      ).pipe(Effect.orDie)

    return { enqueue, claimDue, buryInterrupted, settle, tokensOf, deleteTokens, deadLetters, find, requeueDead, localMessages } as const
  })
}) {}
