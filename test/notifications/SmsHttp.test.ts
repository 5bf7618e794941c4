import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Sms } from "@qc/entities/notifications/Sms"
import { smsHttp } from "@qc/entities/notifications/SmsHttp"
import { Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import { ioTick } from "../support/Drive.js"
import { fakeSmsGateway } from "./SmsGateway.js"

const key = "sms-secret-key-do-not-log"

const gatewayAnswering = (statuses: Array<number | "hang">) =>
  Effect.gen(function*() {
    const gateway = yield* fakeSmsGateway(() => statuses.shift() ?? 200)
    const sms = yield* Effect.provide(Sms, smsHttp({ url: gateway.url, key: Option.some(Redacted.make(key)) }).pipe(Layer.provide(FetchHttpClient.layer)))
    return { gateway, sms } as const
  })

describe("SMS over the HTTP gateway", () => {
  it.scoped("2xx is sent with the bearer key and {to, text, kind}; 4xx is final; 5xx is retryable; the key is in no error", () =>
    Effect.gen(function*() {
      const { gateway, sms } = yield* gatewayAnswering([202, 400, 503, 429])
      const message = { to: "+919800000001", text: "Your order #456789 is out for delivery.", kind: "order.dispatched" }
      expect(yield* sms.send(message)).toEqual({ messageId: "gw-1" })
      expect(gateway.hits[0]).toEqual({ authorization: `Bearer ${key}`, body: message, status: 202 })
      const refused = yield* Effect.flip(sms.send(message))
      expect(refused).toMatchObject({ _tag: "SmsFailed", retryable: false, message: "SMS gateway: status 400" })
      const down = yield* Effect.flip(sms.send(message))
      expect(down).toMatchObject({ retryable: true, message: "SMS gateway: status 503" })
      expect((yield* Effect.flip(sms.send(message))).retryable).toBe(true)
      for (const e of [refused, down]) expect(JSON.stringify(e) + e.message).not.toContain(key)
    }))

  it.scoped("no answer within 10 s is retryable (TestClock), and so is no connection", () =>
    Effect.gen(function*() {
      const { sms } = yield* gatewayAnswering(["hang"])
      const fiber = yield* Effect.fork(Effect.flip(sms.send({ to: "+919800000001", text: "hi", kind: "order.confirmed" })))
      for (let i = 0; i < 20; i++) yield* ioTick
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ retryable: true, message: "SMS gateway: no answer within 10s" })
      const nowhere = yield* Effect.provide(Sms, smsHttp({ url: "http://127.0.0.1:1/v1/sms", key: Option.none() }).pipe(Layer.provide(FetchHttpClient.layer)))
      expect(yield* Effect.flip(nowhere.send({ to: "+919800000001", text: "hi", kind: "order.confirmed" }))).toMatchObject({ retryable: true, message: "SMS gateway: no connection" })
    }))
})
