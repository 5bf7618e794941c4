import { HttpApiError, HttpClient, HttpClientRequest, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { StoreId } from "@qc/domain/Ids"
import { signVendorBody } from "@qc/entities/pricing/PricingRuleStore"
import { internalErrorBody, shortenDecodeError, shortenQuoted } from "@qc/server/ErrorResponses"
import { Cause, Effect, Layer, Logger } from "effect"
import { request as httpRequest } from "node:http"
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http"
import { adminKey, apiClients, stackLayer, vendorSecret } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const port = Effect.map(HttpServer.HttpServer, (server) => server.address._tag === "TcpAddress" ? server.address.port : 0)

interface Body {
  readonly size: number
  readonly slice: (from: number, to: number) => Uint8Array
}

const spaces = (size: number): Body => ({ size, slice: (from, to) => Buffer.alloc(to - from, " ") })
const bytes = (buffer: Buffer): Body => ({ size: buffer.length, slice: (from, to) => buffer.subarray(from, to) })
/** `json` followed by spaces up to `size` bytes: still valid JSON, exactly that long. */
const paddedJson = (json: unknown, size: number) => {
  const text = Buffer.from(JSON.stringify(json))
  return bytes(Buffer.concat([text, Buffer.alloc(size - text.length, " ")]))
}

interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly json: unknown
  readonly text: string
  /** Body bytes handed to the socket by the time the answer was complete. */
  readonly sent: number
}

/**
 * POSTs `body` on a fresh connection, 64 KiB at a time, each write after the previous one was
 * flushed, and stops writing as soon as an answer arrives: a refused upload is answered while it
 * is still going. Without `content-length` in `headers` Node sends it chunked.
 */
const upload = (path: string, headers: OutgoingHttpHeaders, body: Body) =>
  Effect.flatMap(port, (port) =>
    Effect.async<Answer, Error>((resume) => {
      let sent = 0
      let answered = false
      const request = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers, agent: false }, (response) => {
        answered = true
        const parts: Array<Buffer> = []
        response.on("data", (part: Buffer) => parts.push(part))
        response.on("end", () => {
          request.destroy()
          const text = Buffer.concat(parts).toString()
          const json: unknown = text === "" ? null : JSON.parse(text)
          resume(Effect.succeed({ status: response.statusCode ?? 0, headers: response.headers, json, text, sent }))
        })
      })
      request.on("error", (error) => {
        if (!answered) resume(Effect.fail(error))
      })
      const next = () => {
        if (answered) return
        if (sent >= body.size) return void request.end()
        const to = Math.min(sent + 65_536, body.size)
        const chunk = body.slice(sent, to)
        sent = to
        request.write(chunk, next)
      }
      next()
      return Effect.sync(() => request.destroy())
    }))

const json = { "content-type": "application/json" }
const admin = { ...json, "x-admin-key": adminKey }
const megabyte = 1_048_576

describe("request bodies", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("a content-length over the limit is refused with 413 at once, before the body is sent", () =>
      Effect.gen(function*() {
        const answer = yield* upload("/v1/admin/pricing/markdown-percent", { ...admin, "content-length": 100_000_000 }, spaces(100_000_000))
        expect(answer.status).toBe(413)
        expect(answer.json).toEqual({ _tag: "PayloadTooLarge", message: `request body over ${megabyte} bytes` })
        expect(answer.headers.connection).toBe("close")
        expect(answer.sent).toBeLessThan(10_000_000)
      }))

    it.effect("a chunked body is cut off with 413 as soon as it passes the limit", () =>
      Effect.gen(function*() {
        const answer = yield* upload("/v1/orders", json, spaces(100_000_000))
        expect(answer.status).toBe(413)
        expect(answer.json).toMatchObject({ _tag: "PayloadTooLarge" })
        expect(answer.headers["transfer-encoding"]).toBeUndefined()
        expect(answer.sent).toBeLessThan(20_000_000)
      }))

    it.effect("a body of exactly the limit is taken; one byte more is refused", () =>
      Effect.gen(function*() {
        const route = "/v1/admin/pricing/markdown-percent"
        const atLimit = yield* upload(route, admin, paddedJson({ category: "dairy", percent: 5 }, megabyte))
        expect(atLimit.status).toBe(200)
        expect(atLimit.json).toMatchObject({ status: "updated" })
        const over = yield* upload(route, admin, paddedJson({ category: "dairy", percent: 5 }, megabyte + 1))
        expect(over.status).toBe(413)
      }))

    it.effect("webhooks take at most 64 KiB", () =>
      Effect.gen(function*() {
        const event = { entity: "event", event: "payment.captured" }
        const exact = yield* upload("/v1/webhooks/razorpay", { ...json, "content-length": 65_536 }, paddedJson(event, 65_536))
        // Read in full and handed to the signature check, which refuses an unsigned event.
        expect(exact.status).toBe(401)
        const over = yield* upload("/v1/webhooks/razorpay", { ...json, "content-length": 65_537 }, paddedJson(event, 65_537))
        expect(over).toMatchObject({ status: 413, json: { _tag: "PayloadTooLarge", message: "request body over 65536 bytes" } })
        const chunked = yield* upload("/v1/webhooks/vendor-promotions", json, paddedJson(event, 65_537))
        expect(chunked.status).toBe(413)
      }))

    it.effect("a webhook body reaches the signature check byte for byte", () =>
      Effect.gen(function*() {
        const { anonymous } = yield* apiClients
        const [item] = (yield* anonymous.stores.skus({ path: { storeId: StoreId.make("pune-baner") }, urlParams: { limit: 1 } })).items
        const now = Date.now()
        // Small on purpose: Node hands out small Buffers as views into a shared 8 KiB pool.
        const body = Buffer.from(JSON.stringify({
          promotionId: "promo-body-limits",
          vendor: "Limits",
          storeIds: null,
          skuIds: [item.sku.id],
          price: 100,
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString()
        }))
        const answer = yield* upload("/v1/webhooks/vendor-promotions", { ...json, "x-vendor-signature": signVendorBody(vendorSecret, body) }, bytes(body))
        expect(answer).toMatchObject({ status: 201, json: { status: "created" } })
      }))

    it.effect("a body that is not application/json is refused with 415; requests without a body pass", () =>
      Effect.gen(function*() {
        const { raw } = yield* apiClients
        const status = (request: HttpClientRequest.HttpClientRequest) => Effect.map(raw.execute(request), (r) => r.status)
        const multipart = yield* raw.execute(HttpClientRequest.post("/v1/orders").pipe(
          HttpClientRequest.bodyText("--zz\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\nb\r\n--zz--\r\n", "multipart/form-data; boundary=zz")
        ))
        expect(multipart.status).toBe(415)
        expect(yield* multipart.json).toMatchObject({ _tag: "UnsupportedMediaType" })
        const markdown = HttpClientRequest.post("/v1/admin/pricing/markdown-percent").pipe(HttpClientRequest.setHeader("x-admin-key", adminKey))
        expect(yield* status(markdown.pipe(HttpClientRequest.bodyText("category=dairy", "application/x-www-form-urlencoded")))).toBe(415)
        expect(yield* status(markdown.pipe(HttpClientRequest.bodyText("{}", "text/plain")))).toBe(415)
        expect(yield* status(markdown.pipe(HttpClientRequest.bodyText("{\"category\":\"dairy\",\"percent\":7}", "application/json; charset=UTF-8")))).toBe(200)
        // No body and no content type: the route answers (here 401, no bearer token), not 415.
        expect(yield* status(HttpClientRequest.post("/v1/orders/ord_00000000000000000000/cancel"))).toBe(401)
        expect(yield* status(HttpClientRequest.get("/health").pipe(HttpClientRequest.setHeader("content-type", "text/plain")))).toBe(200)
      }))

    it.effect("a body that is not JSON is a 400 decode error, not a 500", () =>
      Effect.gen(function*() {
        const answer = yield* upload("/v1/admin/pricing/markdown-percent", admin, bytes(Buffer.from("{\"category\":")))
        expect(answer).toMatchObject({ status: 400, json: { _tag: "HttpApiDecodeError", issues: [] } })
      }))

    it.effect("a 100 KB field gets a 400 of a few hundred bytes that names the field", () =>
      Effect.gen(function*() {
        const answer = yield* upload("/v1/admin/pricing/markdown-percent", admin, bytes(Buffer.from(JSON.stringify({ category: "q".repeat(100_000), percent: 5 }))))
        expect(answer.status).toBe(400)
        expect(answer.text.length).toBeLessThan(4_096)
        expect(answer.text).not.toContain("q".repeat(101))
        expect(answer.json).toMatchObject({ _tag: "HttpApiDecodeError" })
        expect(answer.text).toContain("\"path\":[\"category\"]")
      }))
  })
})

describe("decode errors", () => {
  it("cut values over 100 characters with an ellipsis and keep the paths", () => {
    const value = JSON.stringify("a\"b".repeat(20_000))
    const error = new HttpApiError.HttpApiDecodeError({
      issues: Array.from({ length: 50 }, (_, i) => ({ _tag: "Type" as const, path: ["items", i, "name"], message: `Expected string, actual ${value}` })),
      message: `{ readonly items: ... }\n└─ ["items"]\n${"   └─ nested\n".repeat(500)}└─ Expected string, actual ${value}`
    })
    const short = shortenDecodeError(error)
    expect(short.issues).toHaveLength(10)
    expect(short.issues[3].path).toEqual(["items", 3, "name"])
    expect(short.issues[0].message).toBe(`Expected string, actual ${value.slice(0, 101)}…"`)
    expect(short.message.startsWith("{ readonly items")).toBe(true)
    expect(short.message.endsWith("…\"")).toBe(true)
    expect(JSON.stringify(short).length).toBeLessThan(4_096)
    expect(shortenQuoted("Expected \"a\" | \"b\", actual \"c\"")).toBe("Expected \"a\" | \"b\", actual \"c\"")
  })
})

const logged: Array<{ readonly level: string; readonly cause: string }> = []
const DyingServer = HttpServer.serve(internalErrorBody(HttpRouter.empty.pipe(HttpRouter.get("/boom", Effect.die(new Error("db password hunter2")))))).pipe(
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ cause, logLevel }) => {
    logged.push({ level: logLevel.label, cause: Cause.pretty(cause) })
  })))
)

describe("a defect that escapes a handler", () => {
  layer(DyingServer)((it) => {
    it.effect("answers a JSON 500 without detail and logs the cause", () =>
      Effect.gen(function*() {
        const response = yield* HttpClient.get("/boom")
        expect(response.status).toBe(500)
        expect(yield* response.json).toEqual({ _tag: "InternalError", message: "internal error" })
        expect(logged.some((l) => l.level === "ERROR" && l.cause.includes("hunter2"))).toBe(true)
      }))
  })
})
