/**
 * The real `firebase-admin` messaging client, driven through our `pushFirebase` layer and the
 * notification queue, against FCM v1 as nock answers it (HTTP/1.1 via the SDK's legacy
 * transport; a fake credential, so no OAuth call). Nothing reaches Google.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import { paise } from "@qc/domain/Money"
import { OrderId } from "@qc/domain/orders/Order"
import { Push } from "@qc/entities/notifications/Push"
import { pushFirebase } from "@qc/entities/notifications/PushFirebase"
import { SmsLocal } from "@qc/entities/notifications/Sms"
import type { App } from "firebase-admin/app"
import { deleteApp, initializeApp } from "firebase-admin/app"
import { getMessaging } from "firebase-admin/messaging"
import nock from "nock"
import { Effect, Layer, TestClock } from "effect"
import { addDevice, orderId, publish, queueRows, runnerOn, seededDatabase, until } from "./NotificationsFixture.js"

const projectId = "qc-contract"
const sendPath = `/v1/projects/${projectId}/messages:send`

interface FcmRequest {
  readonly message: { readonly token: string; readonly notification: { readonly title: string; readonly body: string }; readonly data: Record<string, string> }
}
const isFcmRequest = (body: unknown): body is FcmRequest =>
  typeof body === "object" && body !== null && "message" in body && typeof body.message === "object" && body.message !== null && "token" in body.message

/** FCM v1's answer for a token that is no longer registered. */
const unregistered = {
  error: {
    code: 404,
    message: "Requested entity was not found.",
    status: "NOT_FOUND",
    details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }]
  }
}
const internal = { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } }

/** Answers every send with `answer(token)`; records each request (token, authorization) in order. */
const fcm = (answer: (token: string) => readonly [number, object], times: number) => {
  const seen: Array<{ token: string; authorization: string | undefined; body: FcmRequest }> = []
  nock("https://fcm.googleapis.com")
    .post(sendPath)
    .times(times)
    .reply(function(_uri, body) {
      if (!isFcmRequest(body)) return [400, { error: { code: 400, message: "bad request", status: "INVALID_ARGUMENT" } }]
      const auth = this.req.headers.authorization
      seen.push({ token: body.message.token, authorization: Array.isArray(auth) ? auth[0] : auth, body })
      return answer(body.message.token)
    })
  return seen
}

let app: App
const chunkSizes: Array<number> = []

beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect(/127\.0\.0\.1|localhost/)
  app = initializeApp({
    credential: { getAccessToken: async () => ({ access_token: "fake", expires_in: 3600 }) },
    projectId
  }, `fcm-contract-${process.pid}`)
  const messaging = getMessaging(app)
  messaging.enableLegacyHttpTransport()
  // Counts the SDK calls our layer makes (the same Messaging instance: one per app).
  const original = messaging.sendEachForMulticast.bind(messaging)
  messaging.sendEachForMulticast = (message, dryRun) => {
    chunkSizes.push(message.tokens.length)
    return original(message, dryRun)
  }
})

afterAll(async () => {
  nock.cleanAll()
  nock.enableNetConnect()
  await deleteApp(app)
})

const id = OrderId.make(orderId)
const confirmed = domainEvent("order.confirmed", orderId, { orderId: id, total: paise(123450) })
const channels = () => Layer.mergeAll(pushFirebase(app), SmsLocal)

describe("FCM contract (firebase-admin against nock)", () => {
  it.scoped("a push is sent to each device as FCM v1 expects; a stale token (404 UNREGISTERED) is deleted from customer_devices", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* addDevice(sql, "phone-1", "token-good")
      yield* addDevice(sql, "tablet-1", "token-stale")
      const seen = fcm((token) => (token === "token-stale" ? [404, unregistered] : [200, { name: `projects/${projectId}/messages/1` }]), 2)
      const { events } = yield* runnerOn(context, channels())
      yield* publish(sql, events, [confirmed])
      yield* until(Effect.flatMap(queueRows(sql), (rows) =>
        Effect.sync(() => expect(rows.map((r) => [r.channel, r.status])).toEqual([["push", "sent"], ["sms", "dropped"]]))))
      expect(seen.map((s) => s.token).sort()).toEqual(["token-good", "token-stale"])
      expect(seen[0].authorization).toBe("Bearer fake")
      expect(seen[0].body.message).toMatchObject({
        notification: { title: "Order confirmed", body: "Your order #456789 of ₹1,234.50 is confirmed. We are packing it now." },
        data: { kind: "order.confirmed", orderId, eventKey: `order.confirmed:${orderId}` }
      })
      expect(yield* Effect.orDie(sql`SELECT device_id, fcm_token FROM customer_devices`)).toEqual([{ device_id: "phone-1", fcm_token: "token-good" }])
    }))

  it.scoped("FCM answers 500: the queue retries after 30 s and the push then goes, once", () =>
    Effect.gen(function*() {
      const { context, sql } = yield* seededDatabase
      yield* addDevice(sql, "phone-1", "token-1")
      let calls = 0
      const seen = fcm(() => (++calls === 1 ? [500, internal] : [200, { name: `projects/${projectId}/messages/2` }]), 2)
      const { events } = yield* runnerOn(context, channels())
      yield* publish(sql, events, [confirmed])
      yield* until(Effect.flatMap(queueRows(sql), (rows) =>
        Effect.sync(() => expect(rows.map((r) => [r.channel, r.status, r.last_error])).toEqual([["push", "pending", "push: messaging/internal-error"], ["sms", "held", null]]))))
      yield* TestClock.adjust("30 seconds")
      yield* until(Effect.flatMap(queueRows(sql), (rows) =>
        Effect.sync(() => expect(rows.map((r) => [r.channel, r.status, r.attempts])).toEqual([["push", "sent", 2], ["sms", "dropped", 0]]))))
      expect(seen.map((s) => s.token)).toEqual(["token-1", "token-1"])
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("1,200 devices: three sendEachForMulticast calls of at most 500, every token's request intercepted once", () =>
    Effect.gen(function*() {
      const tokens = Array.from({ length: 1200 }, (_, i) => `token-${String(i).padStart(4, "0")}`)
      const seen = fcm((token) => (token.endsWith("7") ? [404, unregistered] : [200, { name: `projects/${projectId}/messages/${token}` }]), 1200)
      chunkSizes.length = 0
      const push = yield* Effect.provide(Push, pushFirebase(app))
      const results = yield* push.send({ customerId: "cust-n-1", tokens, title: "t", body: "b", data: { kind: "order.confirmed" } })
      expect(chunkSizes).toEqual([500, 500, 200])
      expect(seen.map((s) => s.token).sort()).toEqual(tokens)
      expect(results.map((r) => r.token)).toEqual(tokens)
      const stale = results.filter((r) => r._tag === "Rejected" && r.stale && r.code === "messaging/registration-token-not-registered")
      expect(stale.map((r) => r.token)).toEqual(tokens.filter((t) => t.endsWith("7")))
      expect(results.filter((r) => r._tag === "Delivered")).toHaveLength(1080)
    }), { timeout: 60_000 })
})
