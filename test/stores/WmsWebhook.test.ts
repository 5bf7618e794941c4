import { PersistenceError } from "@effect/cluster/ClusterError"
import type { HttpServerResponse } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, it, layer } from "@effect/vitest"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { OrderMissing } from "@qc/domain/orders/OrderEntity"
import { OrderStateConflict, PackedReportInvalid } from "@qc/domain/stores/FulfilmentErrors"
import type { WmsPackedEvent } from "@qc/domain/stores/WmsEvents"
import { makeWmsWebhooks, packedCommand, signWmsBody } from "@qc/entities/stores/WmsWebhooks"
import type { WmsFailure } from "@qc/server/stores/WmsWebhookHttp"
import { wmsAnswer } from "@qc/server/stores/WmsWebhookHttp"
import { Deferred, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import { send } from "../support/RawRequests.js"
import { stackLayer, wmsSecret } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const orderId = "ord_pune-west_aaaaaaaaaaaaaaaaaaaa"

const packedEvent = (eventId: string, overrides: Record<string, unknown> = {}) => ({
  eventId,
  event: "order.packed",
  orderId,
  storeId: "pune-baner",
  packedAt: "2026-03-10T06:12:00Z",
  lines: [{ skuId: "sku-00001", packedQty: 2 }, { skuId: "sku-00002", packedQty: 0 }],
  ...overrides
})

const bytes = (body: unknown) => new TextEncoder().encode(JSON.stringify(body))

/** The service with an in-memory dedupe table and a stand-in for the Order entity's `Packed`. */
const withFakeOrder = <E extends { readonly _tag: string }>(packed: (event: WmsPackedEvent) => Effect.Effect<unknown, E>) => {
  const claimed = new Set<string>()
  const told: Array<WmsPackedEvent> = []
  const wms = makeWmsWebhooks({
    secret: Redacted.make(wmsSecret),
    claim: (id) => Effect.sync(() => claimed.has(id) ? false : (claimed.add(id), true)),
    release: (id) => Effect.sync(() => void claimed.delete(id)),
    packed: (event) => Effect.suspend(() => (told.push(event), packed(event)))
  })
  const deliver = (body: unknown) => {
    const raw = bytes(body)
    return wms.handle(raw, signWmsBody(wmsSecret, raw))
  }
  return { claimed, told, deliver, handle: wms.handle }
}

describe("WMS webhook service (the order entity stood in for)", () => {
  it.effect("order.packed is told to the order once: a redelivery of its event id is a duplicate", () =>
    Effect.gen(function*() {
      const { claimed, deliver, told } = withFakeOrder(() => Effect.void)
      expect(yield* deliver(packedEvent("evt-1"))).toBe("processed")
      expect(yield* deliver(packedEvent("evt-1"))).toBe("duplicate")
      expect(told).toHaveLength(1)
      expect([...claimed]).toEqual(["wms:evt-1"])
      expect(packedCommand(told[0])).toEqual({
        storeId: "pune-baner",
        lines: [{ skuId: "sku-00001", packedQty: 2 }, { skuId: "sku-00002", packedQty: 0 }],
        source: "wms",
        by: null
      })
      expect(told[0].orderId).toBe(orderId)
    }))

  it.effect("an order we do not have is acknowledged as ignored, and stays claimed", () =>
    Effect.gen(function*() {
      const { claimed, deliver } = withFakeOrder(() => Effect.fail(new OrderMissing({ orderId })))
      expect(yield* deliver(packedEvent("evt-missing"))).toBe("ignored")
      expect(yield* deliver(packedEvent("evt-missing"))).toBe("duplicate")
      expect(claimed.has("wms:evt-missing")).toBe(true)
    }))

  it.effect("a report the order refuses (conflict, invalid lines) fails with its error and stays claimed", () =>
    Effect.gen(function*() {
      const conflict = withFakeOrder(() => Effect.fail(new OrderStateConflict({ orderId, status: "CANCELLED", attempted: "packed" })))
      expect((yield* Effect.flip(conflict.deliver(packedEvent("evt-conflict"))))._tag).toBe("OrderStateConflict")
      expect(conflict.claimed.has("wms:evt-conflict")).toBe(true)
      const invalid = withFakeOrder(() => Effect.fail(new PackedReportInvalid({ message: "sku-00009 is not on this order at pune-baner" })))
      expect(yield* Effect.flip(invalid.deliver(packedEvent("evt-invalid"))))
        .toEqual(new PackedReportInvalid({ message: "sku-00009 is not on this order at pune-baner" }))
      expect(invalid.claimed.has("wms:evt-invalid")).toBe(true)
    }))

  it.effect("the entity unavailable, a delivery failure or a defect: the claim is released and a retry is acted on", () =>
    Effect.gen(function*() {
      let answer: Effect.Effect<void, ServiceUnavailable | PersistenceError> = Effect.fail(new ServiceUnavailable({ message: "busy" }))
      const wms = withFakeOrder(() => answer)
      expect((yield* Effect.flip(wms.deliver(packedEvent("evt-retry"))))._tag).toBe("ServiceUnavailable")
      expect(wms.claimed.size).toBe(0)
      answer = Effect.fail(new PersistenceError({ cause: new Error("storage down") }))
      expect((yield* Effect.flip(wms.deliver(packedEvent("evt-retry"))))._tag).toBe("PersistenceError")
      expect(wms.claimed.size).toBe(0)
      answer = Effect.dieMessage("runner gone")
      yield* Effect.exit(wms.deliver(packedEvent("evt-retry")))
      expect(wms.claimed.size).toBe(0)
      answer = Effect.void
      expect(yield* wms.deliver(packedEvent("evt-retry"))).toBe("processed")
      expect(wms.told).toHaveLength(4)
      expect([...wms.claimed]).toEqual(["wms:evt-retry"])
    }))

  it.effect("interrupted while waiting for the order (the HTTP answer's timeout): the claim is released", () =>
    Effect.gen(function*() {
      const called = yield* Deferred.make<void>()
      const wms = withFakeOrder(() => Effect.zipRight(Deferred.succeed(called, undefined), Effect.never))
      const fiber = yield* Effect.fork(wms.deliver(packedEvent("evt-slow")))
      yield* Deferred.await(called)
      expect(wms.claimed.has("wms:evt-slow")).toBe(true)
      yield* Fiber.interrupt(fiber)
      expect(wms.claimed.size).toBe(0)
    }))

  it.effect("another event kind is ignored without a claim; a body that is not an order.packed names its fields", () =>
    Effect.gen(function*() {
      const wms = withFakeOrder(() => Effect.void)
      expect(yield* wms.deliver({ eventId: "evt-other", event: "order.picked", anything: [1, 2] })).toBe("ignored")
      expect(yield* wms.deliver({ event: "inventory.counted" })).toBe("ignored")
      const notJson = new TextEncoder().encode("{\"eventId\": ")
      expect(yield* Effect.flip(wms.handle(notJson, signWmsBody(wmsSecret, notJson))))
        .toMatchObject({ _tag: "InvalidWmsEvent", message: "the body is not JSON" })
      expect((yield* Effect.flip(wms.handle(notJson, undefined)))._tag).toBe("Unauthorized")
      const refused = yield* Effect.flip(wms.deliver(packedEvent("evt-bad", { orderId: "42", lines: [{ skuId: "sku-00001", packedQty: -1 }] })))
      expect(refused._tag).toBe("InvalidWmsEvent")
      expect(refused._tag === "InvalidWmsEvent" && refused.issues.map((i) => i.path.join("."))).toEqual(["orderId", "lines.0.packedQty"])
      expect(wms.claimed.size).toBe(0)
      expect(wms.told).toHaveLength(0)
    }))
})

/** Status and JSON body of a response the handler built. */
const responded = (response: HttpServerResponse.HttpServerResponse) => {
  const body = response.body
  return [response.status, body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(body.body)) : null] as const
}

describe("what the WMS is answered (the order entity stood in for)", () => {
  const answered = (packed: Effect.Effect<unknown, WmsFailure | OrderMissing>) => {
    const wms = withFakeOrder(() => packed)
    return Effect.map(wmsAnswer(wms.deliver(packedEvent("evt-answer"))), (r) => ({ answer: responded(r), claimed: [...wms.claimed] }))
  }

  it.effect("acted on: 200 processed; the order refuses: 409 / 422 with the reason, still claimed", () =>
    Effect.gen(function*() {
      expect(yield* answered(Effect.void)).toEqual({ answer: [200, { status: "processed" }], claimed: ["wms:evt-answer"] })
      expect(yield* answered(Effect.fail(new OrderStateConflict({ orderId, status: "CANCELLED", attempted: "packed" })))).toEqual({
        answer: [409, { _tag: "OrderStateConflict", message: `order ${orderId} is CANCELLED; it cannot be packed`, orderId, status: "CANCELLED" }],
        claimed: ["wms:evt-answer"]
      })
      expect(yield* answered(Effect.fail(new PackedReportInvalid({ message: "sku-00009 is not on this order" })))).toEqual({
        answer: [422, { _tag: "PackedReportInvalid", message: "sku-00009 is not on this order" }],
        claimed: ["wms:evt-answer"]
      })
    }))

  it.effect("the order's runner busy, gone or silent: 503 and the claim released, so the WMS's retry is acted on", () =>
    Effect.gen(function*() {
      const busy = yield* answered(Effect.fail(new ServiceUnavailable({ message: "could not commit" })))
      expect([busy.answer[0], busy.claimed]).toEqual([503, []])
      const storage = yield* answered(Effect.fail(new PersistenceError({ cause: new Error("storage down") })))
      expect([storage.answer[0], storage.answer[1]._tag, storage.claimed]).toEqual([503, "ServiceUnavailable", []])
      const moving = yield* answered(Effect.die({ _tag: "RunnerUnavailable" }))
      expect([moving.answer[0], moving.claimed]).toEqual([503, []])
      // No answer within entityAnswerTimeout (10 s, on the Effect clock).
      const slow = yield* Effect.fork(answered(Effect.never))
      yield* TestClock.adjust("10 seconds")
      const silent = yield* Fiber.join(slow)
      expect([silent.answer[0], silent.claimed]).toEqual([503, []])
    }))
})

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer, { skuCount: 50 })))

const post = (body: string, signature?: string) =>
  send(HttpClientRequest.post("/v1/webhooks/wms").pipe(
    HttpClientRequest.setHeaders(signature === undefined ? {} : { "x-wms-signature": signature }),
    HttpClientRequest.bodyText(body, "application/json")
  ))
const signed = (body: unknown) => {
  const text = JSON.stringify(body)
  return post(text, signWmsBody(wmsSecret, text))
}

const wmsClaims = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.orDie(sql<{ event_id: string }>`SELECT event_id FROM webhook_events WHERE event_id LIKE 'wms:%' ORDER BY event_id`)).pipe(
    Effect.map((rows) => rows.map((r) => r.event_id))
  )

describe("POST /v1/webhooks/wms on the whole server", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    it.effect("the signature is checked over the raw body before anything: missing, wrong key, other body, not hex → 401", () =>
      Effect.gen(function*() {
        const text = JSON.stringify(packedEvent("evt-sig"))
        const unauthorized = { _tag: "Unauthorized", message: "bad or missing x-wms-signature" }
        const answers = [
          yield* post(text),
          yield* post(text, signWmsBody("not-the-wms-secret", text)),
          yield* post(text, signWmsBody(wmsSecret, `${text} `)),
          yield* post(text, signWmsBody(wmsSecret, text).toUpperCase().replace(/./, "Z")),
          yield* post(text, "00")
        ]
        expect(answers.map((a) => [a.status, a.json])).toEqual(answers.map(() => [401, unauthorized]))
        for (const a of answers) expect(a.text).not.toContain(wmsSecret)
        expect(yield* wmsClaims).toEqual([])
      }))

    it.effect("a signed body that is not JSON or not an order.packed → 400 naming the fields; nothing claimed", () =>
      Effect.gen(function*() {
        // Not JSON at all: the edge refuses it before any route (BodyLimits), signed or not.
        const notJson = "{\"eventId\": "
        const broken = yield* post(notJson, signWmsBody(wmsSecret, notJson))
        expect([broken.status, (broken.json as { _tag: string })._tag]).toEqual([400, "HttpApiDecodeError"])
        const fields = (json: unknown) => (json as { issues: ReadonlyArray<{ path: ReadonlyArray<string> }> }).issues.map((i) => i.path.join("."))
        const noEvent = yield* signed({ eventId: "evt-no-kind" })
        expect([noEvent.status, fields(noEvent.json)]).toEqual([400, ["event"]])
        const bad = yield* signed(packedEvent("evt-bad", { storeId: "", packedAt: "yesterday", lines: [{ skuId: "sku-00001" }] }))
        expect([bad.status, fields(bad.json)]).toEqual([400, ["storeId", "packedAt", "lines.0.packedQty"]])
        const noEventId = yield* signed({ ...packedEvent("x"), eventId: undefined })
        expect([noEventId.status, fields(noEventId.json)]).toEqual([400, ["eventId"]])
        expect(yield* wmsClaims).toEqual([])
      }))

    it.effect("another event kind → 200 ignored; an event id already claimed → 200 duplicate, the order not asked", () =>
      Effect.gen(function*() {
        const other = yield* signed({ eventId: "evt-count", event: "inventory.counted", storeId: "pune-baner" })
        expect([other.status, other.json]).toEqual([200, { status: "ignored" }])
        // As left by a first delivery that was acted on.
        const sql = yield* SqlClient.SqlClient
        yield* Effect.orDie(sql`INSERT INTO webhook_events (event_id, event, received_at) VALUES ('wms:evt-seen', 'order.packed', now())`)
        const again = yield* signed(packedEvent("evt-seen"))
        expect([again.status, again.json]).toEqual([200, { status: "duplicate" }])
        expect(yield* wmsClaims).toEqual(["wms:evt-seen"])
      }))

    // Needs the lead's Packed handler (the stub dies: 500, and the claim is released).
    it.effect("[handlers] order.packed for an order we do not have → 200 ignored, and its redelivery a duplicate", () =>
      Effect.gen(function*() {
        const first = yield* signed(packedEvent("evt-unknown-order"))
        expect([first.status, first.json]).toEqual([200, { status: "ignored" }])
        const again = yield* signed(packedEvent("evt-unknown-order"))
        expect([again.status, again.json]).toEqual([200, { status: "duplicate" }])
      }))
  })
})
