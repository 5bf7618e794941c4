import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import { paise } from "@qc/domain/Money"
import { OrderId } from "@qc/domain/orders/Order"
import type { PushMessage, PushResult } from "@qc/entities/notifications/Push"
import { Push } from "@qc/entities/notifications/Push"
import { rejection } from "@qc/entities/notifications/PushFirebase"
import { SmsLocal } from "@qc/entities/notifications/Sms"
import { smsHttp } from "@qc/entities/notifications/SmsHttp"
import { PushLocal } from "@qc/entities/notifications/Push"
import { Effect, Layer, Option, Redacted, TestClock } from "effect"
import { ioTick } from "../support/Drive.js"
import { addDevice, localMessages, orderId, phone, publish, queueRows, runnerOn, seededDatabase, until } from "./NotificationsFixture.js"
import { fakeSmsGateway } from "./SmsGateway.js"

const id = OrderId.make(orderId)
const confirmed = domainEvent("order.confirmed", orderId, { orderId: id, total: paise(123450) })
const dispatched = domainEvent("order.dispatched", orderId, { orderId: id, riderId: "rider-1" })

/** A push provider answering every token with `answer(token)`, recording each call. */
const scriptedPush = (answer: (token: string) => PushResult) => {
  const calls: Array<PushMessage> = []
  const layer = Layer.succeed(Push, Push.of({ send: (m) => Effect.sync(() => (calls.push(m), m.tokens.map(answer))) }))
  return { calls, layer } as const
}

const rowsOf = (rows: ReadonlyArray<{ channel: string; status: string; attempts: number }>) => rows.map((r) => [r.channel, r.status, r.attempts])

describe("notification failures", () => {
  it.scoped("every device token stale: the tokens are deleted at once and the important notification goes by SMS", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* addDevice(sql, "old-phone", "stale-1")
      yield* addDevice(sql, "old-tablet", "stale-2")
      const push = scriptedPush((token) =>
        rejection(token, token === "stale-1" ? "messaging/registration-token-not-registered" : "messaging/invalid-registration-token"))
      const { events } = yield* runnerOn(context, Layer.mergeAll(push.layer, SmsLocal))
      yield* publish(sql, events, [confirmed])
      yield* until(Effect.flatMap(queueRows(sql), (rows) => Effect.sync(() => expect(rowsOf(rows)).toEqual([["push", "dropped", 1], ["sms", "sent", 1]]))))
      expect(push.calls.map((c) => c.tokens)).toEqual([["stale-1", "stale-2"]])
      expect(yield* Effect.orDie(sql`SELECT * FROM customer_devices`)).toEqual([])
      expect((yield* localMessages(sql)).map((m) => [m.channel, m.recipient])).toEqual([["sms", phone]])
    }))

  it.scoped("FCM down for every device: the push is retried 3 times (30 s, 2 min, 10 min), then a dead letter, and the SMS goes", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* addDevice(sql, "phone-1", "token-1")
      const push = scriptedPush((token) => rejection(token, "messaging/server-unavailable"))
      const { events, notifications } = yield* runnerOn(context, Layer.mergeAll(push.layer, SmsLocal))
      yield* publish(sql, events, [dispatched])
      yield* until(Effect.sync(() => expect(push.calls).toHaveLength(1)))
      for (const [wait, calls] of [[30, 2], [120, 3], [600, 4]] as const) {
        // Not a moment before its due time...
        yield* TestClock.adjust(`${wait - 3} seconds`)
        for (let i = 0; i < 20; i++) yield* ioTick
        expect(push.calls).toHaveLength(calls - 1)
        // ...and soon after it.
        yield* until(Effect.sync(() => expect(push.calls).toHaveLength(calls)), "1 second")
      }
      yield* until(Effect.flatMap(queueRows(sql), (rows) => Effect.sync(() => expect(rowsOf(rows)).toEqual([["push", "dead", 4], ["sms", "sent", 1]]))))
      const [dead] = yield* notifications.deadLetters()
      expect(dead).toMatchObject({ channel: "push", kind: "order.dispatched", lastError: "push: messaging/server-unavailable (after 4 attempts)" })
      expect((yield* localMessages(sql)).map((m) => m.body)).toEqual(["Your order #456789 is out for delivery."])
      // The device was not stale: it stays.
      expect(yield* Effect.orDie(sql`SELECT fcm_token FROM customer_devices`)).toEqual([{ fcm_token: "token-1" }])
    }))

  it.scoped("a failing SMS gateway: 3 retries with backoff, a dead letter; replayed after recovery it is sent once", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      let healthy = false
      const gateway = yield* fakeSmsGateway(() => (healthy ? 200 : 503))
      const key = "gw-secret-key-1"
      const sms = smsHttp({ url: gateway.url, key: Option.some(Redacted.make(key)) }).pipe(Layer.provide(FetchHttpClient.layer))
      const { events, notifications } = yield* runnerOn(context, Layer.mergeAll(PushLocal, sms))
      yield* publish(sql, events, [dispatched])
      yield* until(Effect.sync(() => expect(gateway.hits).toHaveLength(1)))
      for (const [wait, hits] of [[30, 2], [120, 3], [600, 4]] as const) {
        yield* TestClock.adjust(`${wait - 3} seconds`)
        for (let i = 0; i < 20; i++) yield* ioTick
        expect(gateway.hits).toHaveLength(hits - 1)
        yield* until(Effect.sync(() => expect(gateway.hits).toHaveLength(hits)), "1 second")
      }
      yield* until(Effect.flatMap(queueRows(sql), (rows) => Effect.sync(() => expect(rowsOf(rows)).toEqual([["push", "dropped", 1], ["sms", "dead", 4]]))))
      const letters = yield* notifications.deadLetters()
      expect(letters.map((l) => [l.channel, l.recipient, l.lastError])).toEqual([["sms", phone, "SMS gateway: status 503 (after 4 attempts)"]])
      expect(JSON.stringify(letters)).not.toContain(key)
      expect(gateway.hits.every((h) => h.authorization === `Bearer ${key}`)).toBe(true)
      expect(gateway.hits[0].body).toEqual({ to: phone, text: "Your order #456789 is out for delivery.", kind: "order.dispatched" })

      healthy = true
      const replayed = yield* notifications.replay(letters[0].id)
      expect(replayed).toMatchObject({ status: "pending", attempts: 0, lastError: null })
      yield* until(Effect.flatMap(queueRows(sql), (rows) => Effect.sync(() => expect(rowsOf(rows)).toEqual([["push", "dropped", 1], ["sms", "sent", 1]]))))
      yield* until(Effect.void, "1 minute")
      expect(gateway.hits.map((h) => h.status)).toEqual([503, 503, 503, 503, 200])
      expect(yield* notifications.deadLetters()).toEqual([])
      expect((yield* Effect.flip(notifications.replay(letters[0].id)))).toMatchObject({ _tag: "NotificationNotDeadLetter", status: "sent" })
      expect((yield* Effect.flip(notifications.replay(987654)))._tag).toBe("NotificationNotFound")
    }))

  it.scoped("a row left 'sending' past its lease (a runner died mid-send) becomes a dead letter, never resent by itself", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* addDevice(sql, "phone-1", "token-1")
      const insert = (key: string, leaseUntil: Date) =>
        Effect.orDie(sql`INSERT INTO notifications (event_key, channel, kind, customer_id, recipient, language, title, body, status,
            attempts, lease_until, created_at, updated_at)
          VALUES (${key}, 'push', 'order.dispatched', 'cust-n-1', 'cust-n-1', 'en', 'Out for delivery', 'On its way', 'sending', 1,
            ${leaseUntil}, now(), now())`)
      // The TestClock starts at the epoch: one lease ran out, the other is a send still in progress.
      yield* insert("order.dispatched:crashed", new Date(-1_000))
      yield* insert("order.dispatched:in-flight", new Date(3_600_000))
      const push = scriptedPush((token) => ({ _tag: "Delivered", token }))
      const { notifications } = yield* runnerOn(context, Layer.mergeAll(push.layer, SmsLocal))
      yield* until(Effect.flatMap(queueRows(sql), (rows) =>
        Effect.sync(() => expect(rows.map((r) => [r.event_key, r.status, r.last_error])).toEqual([
          ["order.dispatched:crashed", "dead", "interrupted; delivery unknown"],
          ["order.dispatched:in-flight", "sending", null]
        ]))))
      yield* until(Effect.void, "5 seconds")
      expect(push.calls).toEqual([])
      expect((yield* notifications.deadLetters()).map((l) => l.eventKey)).toEqual(["order.dispatched:crashed"])
    }))
})
