import { SqlClient } from "@effect/sql"
import { Language } from "@qc/domain/notifications/Notification"
import { NotificationNotDeadLetter, NotificationNotFound } from "@qc/domain/notifications/NotificationsApi"
import { Cause, Clock, Duration, Effect, Metric, Option, Queue, Schema } from "effect"
import type { PublishedEvent } from "../platform/DomainEvents.js"
import { DomainEvents } from "../platform/DomainEvents.js"
import { attemptResult, notificationAttempts } from "./NotificationMetrics.js"
import type { Planned, Recipient } from "./NotificationPlan.js"
import { planOf, rowsOf } from "./NotificationPlan.js"
import type { ClaimedNotification } from "./NotificationQueue.js"
import { NotificationQueue } from "./NotificationQueue.js"
import type { AttemptOutcome } from "./NotificationRules.js"
import { decide, leaseMs, providerTimeoutMs, pushOutcome } from "./NotificationRules.js"
import { Push } from "./Push.js"
import { Sms } from "./Sms.js"

/** Rows one worker claims per round; a full round is followed by another at once. */
const batchSize = 20
/** Sends at once per worker: each takes a few queries, and the order path shares the pool. */
const sendConcurrency = 4
/** Other runners' enqueues (and due retries) are found by polling this often. */
const pollInterval = Duration.seconds(2)

const CustomerRow = Schema.Struct({ customer_id: Schema.String, language: Language, phone: Schema.String })
const decodeCustomer = Schema.decodeUnknown(Schema.Array(CustomerRow))

/**
 * Customer notifications, never in an order's way: the "notifications" subscriber turns domain
 * events into queue rows (one transaction per event, deduplicated in the table), and a worker
 * on every runner sends due rows, push first, SMS when no device took an important one.
 */
export class Notifications extends Effect.Service<Notifications>()("Notifications", {
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents
    const queue = yield* NotificationQueue
    const push = yield* Push
    const sms = yield* Sms
    const wake = yield* Queue.sliding<void>(1)

    const recipientOf = (planned: Planned) =>
      Effect.gen(function*() {
        const rows = planned.customerId === null
          ? yield* sql`SELECT o.customer_id, c.language, c.phone FROM orders o JOIN customers c ON c.id = o.customer_id
              WHERE o.id = ${planned.facts.orderId}`
          : yield* sql`SELECT id AS customer_id, language, phone FROM customers WHERE id = ${planned.customerId}`
        const [row] = yield* decodeCustomer(rows)
        return Option.map(Option.fromNullable(row), (r): Recipient => ({ customerId: r.customer_id, language: r.language, phone: r.phone }))
      })

    /** The first name of the rider the order holds (the Order entity keeps it), else of the riders table. */
    const riderFirstName = (orderId: string, riderId: string) =>
      Effect.map(
        sql<{ name: string | null }>`SELECT COALESCE(
            (SELECT fulfilment->'rider'->>'name' FROM orders WHERE id = ${orderId} AND fulfilment->'rider'->>'riderId' = ${riderId}),
            (SELECT name FROM riders WHERE id = ${riderId})) AS name`,
        ([row]) => {
          const first = row?.name?.trim().split(/\s+/)[0]
          return first === undefined || first === "" ? null : first.slice(0, 40)
        }
      )

    const onEvent = (event: PublishedEvent) =>
      Effect.gen(function*() {
        const name = event.type === "order.rider_assigned"
          ? yield* riderFirstName(event.payload.orderId, event.payload.riderId)
          : null
        const planned = planOf(event, name)
        if (Option.isNone(planned)) return
        const recipient = yield* recipientOf(planned.value)
        if (Option.isNone(recipient)) {
          return yield* Effect.logWarning(`notification ${planned.value.eventKey} skipped: no customer found`)
        }
        const now = yield* Clock.currentTimeMillis
        const added = yield* sql.withTransaction(queue.enqueue(rowsOf(planned.value, recipient.value), now))
        if (added > 0) yield* Queue.offer(wake, undefined)
      }).pipe(Effect.orDie)

    yield* events.subscribe("notifications", onEvent)

    const attempt = (row: ClaimedNotification): Effect.Effect<AttemptOutcome> => {
      const send: Effect.Effect<AttemptOutcome> = row.channel === "push"
        ? Effect.gen(function*() {
          const tokens = yield* queue.tokensOf(row.customerId)
          if (tokens.length === 0) return { _tag: "NoRecipient", reason: "no device" } as const
          const results = yield* push.send({ customerId: row.customerId, tokens, title: row.title, body: row.body, data: row.data })
          yield* queue.deleteTokens(results.flatMap((r) => (r._tag === "Rejected" && r.stale ? [r.token] : [])))
          return pushOutcome(results)
        }).pipe(Effect.catchTag("PushFailed", (e) => Effect.succeed({ _tag: "Failed", reason: e.message, retryable: e.retryable } as const)))
        : sms.send({ to: row.recipient, text: row.body, kind: row.kind }).pipe(
          Effect.as({ _tag: "Delivered" } as const),
          Effect.catchTag("SmsFailed", (e) => Effect.succeed({ _tag: "Failed", reason: e.message, retryable: e.retryable } as const))
        )
      return send.pipe(
        Effect.timeoutTo({
          duration: Duration.millis(providerTimeoutMs),
          onTimeout: (): AttemptOutcome => ({ _tag: "Failed", reason: `${row.channel}: no answer in time`, retryable: true }),
          onSuccess: (outcome) => outcome
        }),
        // A provider that throws is a bug of ours or of its SDK: a dead letter, not a silent loop.
        Effect.catchAllDefect((defect) =>
          Effect.succeed({ _tag: "Failed", reason: `${row.channel}: ${Cause.pretty(Cause.die(defect)).split("\n")[0]}`, retryable: false } as const)
        )
      )
    }

    const deliver = (row: ClaimedNotification) =>
      Effect.gen(function*() {
        const outcome = yield* attempt(row)
        const now = yield* Clock.currentTimeMillis
        const decision = decide(row.channel, row.attempts, outcome, now)
        yield* queue.settle(row, decision, now)
        yield* Metric.increment(
          Metric.tagged(Metric.tagged(notificationAttempts, "channel", row.channel), "result", attemptResult(decision.status))
        )
        if (decision.status === "dead") yield* Effect.logWarning(`notification ${row.id} (${row.eventKey}, ${row.channel}) is a dead letter: ${decision.lastError}`)
        if (decision.heldSms === "release") yield* Queue.offer(wake, undefined)
      }).pipe(Effect.withSpan("Notifications.deliver", { attributes: { id: row.id, channel: row.channel, kind: row.kind } }))

    /** One round: bury interrupted sends, claim what is due, send it. Answers how many were claimed. */
    const deliverDue = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      yield* queue.buryInterrupted(now)
      const rows = yield* queue.claimDue(now, now + leaseMs, batchSize)
      yield* Effect.forEach(rows, deliver, { concurrency: sendConcurrency, discard: true })
      return rows.length
    })

    const round = deliverDue.pipe(
      Effect.catchAllCause((cause) => Effect.as(Effect.logWarning("notification delivery round failed", cause), 0)),
      Effect.flatMap((claimed) =>
        claimed === batchSize ? Effect.void : Effect.race(Queue.take(wake), Effect.sleep(pollInterval))
      )
    )
    yield* Effect.forkScoped(Effect.forever(round))

    const replay = (id: number) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const requeued = yield* queue.requeueDead(id, now)
        if (requeued !== undefined) {
          yield* Queue.offer(wake, undefined)
          return requeued
        }
        const found = yield* queue.find(id)
        return yield* found === undefined
          ? Effect.fail(new NotificationNotFound({ id }))
          : Effect.fail(new NotificationNotDeadLetter({ id, status: found.status }))
      })

    return {
      deadLetters: (limit = 200) => queue.deadLetters(limit),
      replay,
      find: queue.find,
      localMessages: queue.localMessages
    } as const
  }),
  dependencies: [NotificationQueue.Default]
}) {}
