import { StoreId } from "@qc/domain/Ids"
import { describe, expect, it } from "@effect/vitest"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import { paise } from "@qc/domain/Money"
import { OrderId } from "@qc/domain/orders/Order"
import { PushLocal } from "@qc/entities/notifications/Push"
import { SmsLocal } from "@qc/entities/notifications/Sms"
import { DateTime, Effect, Layer } from "effect"
import { addDevice, customerId, localMessages, orderId, phone, publish, queueRows, runnerOn, seededDatabase, until } from "./NotificationsFixture.js"

const id = OrderId.make(orderId)
const confirmed = domainEvent("order.confirmed", orderId, { orderId: id, total: paise(123450) })
const local = Layer.mergeAll(PushLocal, SmsLocal)

describe("notification queue: one notification per event and channel", () => {
  it.scoped("the same event published twice, redelivered after a rewound cursor and seen by two runners: one row per channel, one push", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* addDevice(sql, "phone-1", "token-1")
      yield* addDevice(sql, "tablet-1", "token-2")
      const a = yield* runnerOn(context, local)
      const b = yield* runnerOn(context, local)
      yield* publish(sql, a.events, [confirmed])
      yield* publish(sql, b.events, [confirmed])
      yield* until(Effect.flatMap(queueRows(sql), (rows) =>
        Effect.sync(() => expect(rows.map((r) => [r.channel, r.status])).toEqual([["push", "sent"], ["sms", "dropped"]]))))
      // A restart that lost the cursor (or at-least-once delivery) hands every event over again.
      yield* Effect.orDie(sql`UPDATE outbox_cursors SET seq = 0 WHERE subscriber = 'notifications'`)
      yield* publish(sql, a.events, [confirmed])
      yield* until(Effect.flatMap(sql<{ seq: number }>`SELECT seq::int AS seq FROM outbox_cursors WHERE subscriber = 'notifications'`, ([c]) =>
        Effect.sync(() => expect(c.seq).toBe(3))))
      yield* until(Effect.void, "1 second")

      const rows = yield* queueRows(sql)
      expect(rows.map((r) => [r.event_key, r.channel, r.status, r.attempts])).toEqual([
        [`order.confirmed:${orderId}`, "push", "sent", 1],
        [`order.confirmed:${orderId}`, "sms", "dropped", 0]
      ])
      const messages = yield* localMessages(sql)
      expect(messages).toEqual([{
        channel: "push",
        recipient: customerId,
        title: "Order confirmed",
        body: "Your order #456789 of ₹1,234.50 is confirmed. We are packing it now.",
        data: { kind: "order.confirmed", orderId, eventKey: `order.confirmed:${orderId}`, devices: 2 }
      }])
    }))

  it.scoped("in the customer's language; a refund is keyed by its refund id, a second rider is news again", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* Effect.orDie(sql`UPDATE customers SET language = 'hi' WHERE id = ${customerId}`)
      yield* Effect.orDie(sql`INSERT INTO riders (id, name, phone, region, lat, lng, updated_at)
        VALUES ('rider-1', 'Ravi Kumar', '+919811111111', 'pune-west', 18.5, 73.8, now()), ('rider-2', 'Sunil Shah', '+919822222222', 'pune-west', 18.5, 73.8, now())`)
      yield* addDevice(sql, "phone-1", "token-1")
      const { events } = yield* runnerOn(context, local)
      const refund = (refundId: string, amount: number) =>
        domainEvent("payment.refunded", orderId, { orderId: id, paymentId: "pay_1", refundId, amount, reason: "short_pick" })
      const rider = (riderId: string) =>
        domainEvent("order.rider_assigned", orderId, { orderId: id, riderId, etaAt: DateTime.unsafeMake(Date.UTC(2026, 11, 1, 8, 35)) })
      yield* publish(sql, events, [refund("rfnd_1", 4500), refund("rfnd_1", 4500), refund("rfnd_2", 1000), rider("rider-1"), rider("rider-1"), rider("rider-2")])
      yield* until(Effect.flatMap(localMessages(sql), (m) => Effect.sync(() => expect(m).toHaveLength(4))))
      yield* until(Effect.void, "1 second")
      const bodies = (yield* localMessages(sql)).map((m) => m.body).sort()
      expect(bodies).toEqual([
        "Ravi आपका ऑर्डर #456789 लेकर लगभग 14:05 बजे (IST) पहुँचेंगे।",
        "Sunil आपका ऑर्डर #456789 लेकर लगभग 14:05 बजे (IST) पहुँचेंगे।",
        "ऑर्डर #456789 के ₹10.00 आपके मूल भुगतान माध्यम में वापस भेजे जा रहे हैं।",
        "ऑर्डर #456789 के ₹45.00 आपके मूल भुगतान माध्यम में वापस भेजे जा रहे हैं।"
      ].sort())
      expect((yield* queueRows(sql)).map((r) => r.event_key)).toContain("payment.refunded:rfnd_2")
    }))
})

describe("store events", () => {
  it.scoped("a missed packing SLA tells the customer once that the order is late (push only); store.updated tells nobody", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* addDevice(sql, "phone-1", "token-1")
      const { events } = yield* runnerOn(context, local)
      const breached = (storeId: string) =>
        domainEvent("store.sla_breached", storeId, { storeId: StoreId.make(storeId), orderId: id, slaDueAt: DateTime.unsafeMake(Date.UTC(2026, 11, 1, 8, 0)) })
      // Two stores of one order late, and the same breach redelivered.
      yield* publish(sql, events, [breached("pune-baner"), breached("pune-aundh"), breached("pune-baner"),
        domainEvent("store.updated", "pune-baner", { storeId: StoreId.make("pune-baner") })])
      // The message is recorded before its row is marked sent: wait for the row.
      yield* until(Effect.flatMap(queueRows(sql), (rows) =>
        Effect.sync(() => expect(rows.map((r) => [r.event_key, r.channel, r.status])).toEqual([[`order.delayed:${id}`, "push", "sent"]]))))
      yield* until(Effect.void, "1 second")
      expect((yield* queueRows(sql)).map((r) => [r.event_key, r.channel, r.status])).toEqual([[`order.delayed:${id}`, "push", "sent"]])
      expect((yield* localMessages(sql)).map((m) => [m.channel, m.body])).toEqual([
        ["push", "Your order #456789 is taking longer than usual to pack. We are on it and will update you."]
      ])
    }))
})

describe("notification queue: push first, SMS when it matters and no device took it", () => {
  it.scoped("no device: an important kind goes by SMS, an unimportant one is dropped", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      const { events } = yield* runnerOn(context, local)
      yield* publish(sql, events, [confirmed, domainEvent("order.packed", orderId, { orderId: id, shortUnits: 1, shortRefund: paise(4500) })])
      yield* until(Effect.flatMap(queueRows(sql), (rows) =>
        Effect.sync(() =>
          expect(rows.map((r) => [r.event_key.split(":")[0], r.channel, r.status, r.last_error])).toEqual([
            ["order.confirmed", "push", "dropped", "no device"],
            ["order.confirmed", "sms", "sent", null],
            ["order.packed", "push", "dropped", "no device"]
          ]))))
      expect(yield* localMessages(sql)).toEqual([{
        channel: "sms",
        recipient: phone,
        title: null,
        body: "Your order #456789 of ₹1,234.50 is confirmed. We are packing it now.",
        data: { kind: "order.confirmed" }
      }])
    }))
})
