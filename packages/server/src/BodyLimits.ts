import { Headers, HttpMethod, HttpMiddleware, HttpServerRequest, HttpServerResponse, UrlParams } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Config, Effect, Option, Stream } from "effect"
import type { IncomingMessage } from "node:http"

/** Largest request bodies accepted, in bytes: webhooks (`/v1/webhooks/*`) and every other route. */
export interface BodyLimits {
  readonly body: number
  readonly webhook: number
}

const positiveBytes = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a positive number of bytes`, validation: (n) => n > 0 })
  )

/**
 * `MAX_BODY_BYTES` (default 1 MiB; the largest order, 50 lines, is under 2 KB) and
 * `MAX_WEBHOOK_BODY_BYTES` (default 64 KiB; Razorpay's and vendors' events are a few KB).
 */
export const BodyLimitsFromConfig: Config.Config<BodyLimits> = Config.all({
  body: positiveBytes("MAX_BODY_BYTES", 1_048_576),
  webhook: positiveBytes("MAX_WEBHOOK_BODY_BYTES", 65_536)
})

/**
 * A refusal that leaves part of the body unread closes the connection, so Node reads no more of
 * it. Node would destroy the socket as soon as the answer is flushed; with the client still
 * sending, the unread bytes make the kernel answer with a reset, which can overtake the 413 (curl
 * got no answer to 1 of 10 chunked 100 MB uploads; 0 of 80 with this). So, as Go's net/http does,
 * the socket is only half-closed, and destroyed after half a second without traffic: time for the
 * client to read the answer and stop sending.
 */
const closeAfterResponse = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => {
    const socket = NodeHttpServerRequest.toIncomingMessage(request).socket
    NodeHttpServerRequest.toServerResponse(request).once("finish", () => {
      // Registered by Node's destroySoon, which ran just before this listener.
      socket.off("finish", socket.destroy)
      socket.setTimeout(500, () => socket.destroy())
    })
  })

const refuse = (status: number, _tag: string, message: string) =>
  HttpServerResponse.unsafeJson({ _tag, message }, { status, headers: Headers.fromInput({ connection: "close" }) })

const tooLarge = (limit: number) => refuse(413, "PayloadTooLarge", `request body over ${limit} bytes`)
const unsupported = refuse(415, "UnsupportedMediaType", "request bodies must be application/json (UTF-8)")

/** `application/json`, optionally with `charset=utf-8`: the only body the API and the webhooks take. */
export const isJsonContentType = (header: string): boolean => {
  const [type, ...params] = header.toLowerCase().split(";").map((s) => s.trim())
  return type === "application/json" &&
    params.every((p) => !p.startsWith("charset=") || p.replace(/^charset="?|"$/g, "") === "utf-8")
}

type Received =
  | { readonly _tag: "Body"; readonly bytes: Uint8Array }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Broken" }

/**
 * Reads the body until it ends or passes `limit`. Over the limit it stops reading but does not
 * destroy the stream, as the platform's `maxBytes` does: that would close the socket before the
 * 413 is written, and the client would only see a reset.
 */
const receive = (source: IncomingMessage, limit: number) =>
  Effect.async<Received>((resume) => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
    }
    const onData = (chunk: Uint8Array) => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      stop()
      source.pause()
      resume(Effect.succeed({ _tag: "TooLarge" }))
    }
    const onEnd = () => {
      stop()
      // A plain copy, not a Buffer: a small Buffer is a view into a shared pool, so its
      // `.buffer` would hand the webhooks' signature check other requests' bytes too.
      const bytes = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        bytes.set(chunk, offset)
        offset += chunk.length
      }
      resume(Effect.succeed({ _tag: "Body", bytes }))
    }
    const onError = () => {
      stop()
      resume(Effect.succeed({ _tag: "Broken" }))
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    return Effect.sync(stop)
  })

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** No request of ours nests deeper than a few levels; error formatting recurses over the value. */
const maxJsonDepth = 32

/** Deepest bracket nesting of a JSON text, strings skipped; stops counting past the limit. */
const jsonDepth = (text: string): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length && deepest <= maxJsonDepth; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) deepest = Math.max(deepest, ++depth)
    else if (c === 93 || c === 125) depth--
  }
  return deepest
}

const parseJson = (bytes: Uint8Array): Option.Option<unknown> => {
  if (bytes.length === 0) return Option.some(null)
  try {
    const text = utf8.decode(bytes)
    return jsonDepth(text) > maxJsonDepth ? Option.none() : Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

/**
 * The request with its body already in memory: what the API's decoders and the webhooks'
 * `arrayBuffer` read. Built on the platform's request (prototype), so that the server still
 * answers through it and headers, url and remote address stay as they are.
 */
const withBody = (
  request: HttpServerRequest.HttpServerRequest,
  bytes: Uint8Array,
  json: unknown
): HttpServerRequest.HttpServerRequest => {
  const text = new TextDecoder().decode(bytes)
  return Object.create(request, {
    arrayBuffer: { get: () => Effect.sync(() => bytes.slice().buffer) },
    text: { get: () => Effect.succeed(text) },
    json: { get: () => Effect.succeed(json) },
    urlParamsBody: { get: () => Effect.sync(() => UrlParams.fromInput(new URLSearchParams(text))) },
    stream: { get: () => Stream.succeed(bytes) },
    modify: { value: (options: Parameters<HttpServerRequest.HttpServerRequest["modify"]>[0]) => withBody(request.modify(options), bytes, json) },
    // The platform's inspector would otherwise log the body (webhook payloads, tokens) with the request.
    toJSON: { value: () => request.toJSON() }
  })
}

/**
 * Refuses what the API cannot take before it costs anything: a body over the limit (413, from
 * `content-length` before reading, or as soon as a chunked body passes it), a content type other
 * than `application/json` (415; the platform would try multipart on it and die), a body that is
 * not JSON (400). A request without a body and without a content type passes untouched.
 */
export const bodyLimits = (limits: BodyLimits) =>
  HttpMiddleware.make((app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const declared = Number(request.headers["content-length"] ?? 0)
      const hasBody = declared > 0 || request.headers["transfer-encoding"] !== undefined
      const contentType = request.headers["content-type"]
      const encoding = request.headers["content-encoding"]
      if (!hasBody && (contentType === undefined || !HttpMethod.hasBody(request.method))) return yield* app
      const limit = request.url.startsWith("/v1/webhooks/") ? limits.webhook : limits.body
      if (declared > limit) return yield* Effect.as(closeAfterResponse(request), tooLarge(limit))
      if ((contentType !== undefined && !isJsonContentType(contentType)) || (encoding !== undefined && encoding !== "identity")) {
        return yield* Effect.as(closeAfterResponse(request), unsupported)
      }
      if (!hasBody) return yield* app
      const received = yield* receive(NodeHttpServerRequest.toIncomingMessage(request), limit)
      if (received._tag === "TooLarge") return yield* Effect.as(closeAfterResponse(request), tooLarge(limit))
      if (received._tag === "Broken") return refuse(400, "BadRequest", "request body could not be read")
      if (received.bytes.length > 0 && contentType === undefined) return unsupported
      const json = parseJson(received.bytes)
      if (Option.isNone(json)) {
        return HttpServerResponse.unsafeJson(
          { _tag: "HttpApiDecodeError", issues: [], message: `request body is not valid JSON (or nests deeper than ${maxJsonDepth} levels)` },
          { status: 400 }
        )
      }
      return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBody(request, received.bytes, json.value))
    })
  )
