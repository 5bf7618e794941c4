import { HttpClientRequest } from "@effect/platform"
import { Effect, Schema } from "effect"
import { adminKey, apiClients } from "./Stack.js"

/** What an app that skips validation (or an attacker) sends, and what it gets back. */
export const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const { raw } = yield* apiClients
    const response = yield* raw.execute(request)
    const text = yield* response.text
    const json: unknown = text === "" ? null : JSON.parse(text)
    return { status: response.status, text, json }
  })

export const asAdmin = HttpClientRequest.setHeader("x-admin-key", adminKey)

/** A JSON body as written, so fields the typed client would refuse still reach the server. */
export const withJson = (body: unknown) => HttpClientRequest.bodyText(JSON.stringify(body), "application/json")

const DecodeError = Schema.Struct({
  _tag: Schema.Literal("HttpApiDecodeError"),
  issues: Schema.Array(Schema.Struct({ path: Schema.Array(Schema.Union(Schema.String, Schema.Number)), message: Schema.String }))
})

/** The fields a 400 decode error names, joined by "." (`["items.0.skuId"]`), with their messages. */
export const refusedFields = (json: unknown) =>
  Schema.decodeUnknownSync(DecodeError)(json).issues.map((i) => ({ field: i.path.join("."), message: i.message }))
