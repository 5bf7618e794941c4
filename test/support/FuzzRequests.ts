import fc from "fast-check"
import { encodeJson, familyOf, hostileByFamily, mutate, mutationArb, validValue } from "./FuzzSchema.js"
import type { Json, JsonSchema, Overrides } from "./FuzzSchema.js"

interface OpenApiOperation {
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required?: boolean; readonly schema: JsonSchema }>
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>> }
  readonly security?: ReadonlyArray<Readonly<Record<string, unknown>>>
}

/** What the fuzzer reads of `/openapi.json`. */
export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>> }
}

export interface Operation {
  readonly method: string
  readonly route: string
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required: boolean; readonly schema: JsonSchema }>
  readonly body: JsonSchema | undefined
  readonly auth: "admin" | "bearer" | "webhook" | "none"
}

/** Raw-body routes: the document has no body schema for them, and they are signed, not authenticated. */
export interface Webhook {
  readonly schema: JsonSchema
  /** Headers that make `body` genuine (a valid HMAC, a fresh event id). */
  readonly sign: (body: Uint8Array) => Readonly<Record<string, string>>
  readonly signatureHeader: string
}

export interface FuzzContext {
  readonly defs: Readonly<Record<string, JsonSchema>>
  /** Valid body fields by property name. */
  readonly fields: Overrides
  /** Valid path, query and header parameters by name. */
  readonly params: Readonly<Record<string, fc.Arbitrary<string>>>
  readonly adminKey: string
  readonly bearerTokens: ReadonlyArray<string>
  readonly webhooks: Readonly<Record<string, Webhook>>
}

export interface Sendable {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array | undefined
}

/** One generated request: `shape` names what is hostile in it, `build` encodes it when sent. */
export interface Plan {
  readonly op: Operation
  readonly shape: string
  readonly build: () => Sendable
}

const methods = new Set(["get", "post", "put", "patch", "delete"])

export const operationsOf = (doc: OpenApiDocument, webhooks: Readonly<Record<string, Webhook>>): ReadonlyArray<Operation> =>
  Object.entries(doc.paths).flatMap(([route, item]) =>
    Object.entries(item).filter(([method]) => methods.has(method)).map(([method, op]): Operation => ({
      method: method.toUpperCase(),
      route,
      parameters: (op.parameters ?? []).map((p) => ({ ...p, required: p.required === true })),
      body: op.requestBody?.content["application/json"]?.schema ?? webhooks[route]?.schema,
      auth: op.security?.some((s) => "adminKey" in s) ? "admin"
        : op.security?.some((s) => "bearer" in s) ? "bearer"
        : webhooks[route] !== undefined ? "webhook"
        : "none"
    })))

const utf8 = (text: string) => new TextEncoder().encode(text)
const hex = (bytes: ArrayLike<number>) => Array.from(bytes, (b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("")

/** `encodeURIComponent`, except that a lone surrogate is sent as its (invalid) 3-byte UTF-8 form. */
const encodeComponent = (text: string) =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    const u = c.charCodeAt(0)
    return hex([0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)])
  }).split(/(%[0-9A-F]{2})/).map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part))).join("")

/** Already URL-encoded, as an attacker types them. */
const hostileUrlParts: ReadonlyArray<readonly [string, string]> = [
  ["%00", "%00"], ["%ED%A0%80 (lone surrogate)", "%ED%A0%80x"], ["%FF", "%FF"], ["overlong NUL %C0%80", "%C0%80"],
  ["bad escape %zz", "%zz"], ["lone %", "%"], ["encoded ../", "%2e%2e%2f%2e%2e"], ["10 KB", "x".repeat(10_000)],
  ["-1", "-1"], ["1e308", "1e308"], ["2^53+1", "9007199254740993"], ["NaN", "NaN"], ["Infinity", "Infinity"],
  ["0x10", "0x10"], ["date +275760", "%2B275760-09-13T00:00:00Z"], ["space", "%20"], ["empty", ""],
  ["bidi", "%E2%80%AE"], ["emoji", "%F0%9F%92%A5"], ["encoded slash", "pune-baner%2Fskus"]
]
// NUL twice: Postgres refuses it in text, so it is the likeliest to turn into a 500.
const poisonSuffixes: ReadonlyArray<string> = ["%00", "%00", "%ED%A0%80", "%FF", "%0A", "'--"]

const paramArb = (name: string, schema: JsonSchema, ctx: FuzzContext, header: boolean) => {
  const valid = ctx.params[name] ?? validValue(schema, ctx.defs, {}).map((v) => typeof v === "string" ? v : JSON.stringify(v))
  const hostile: fc.Arbitrary<readonly [string, string]> = header
    ? fc.constantFrom<readonly [string, string]>(
      ["empty", ""], ["blank", " "], ["200 chars", "k".repeat(200)], ["20 KB", "k".repeat(20_000)], ["latin-1", "\u00e9\u00ff"], ["tab", "a\tb"], ["%00", "%00"]
    )
    : fc.oneof(
      fc.constantFrom(...hostileUrlParts),
      fc.tuple(valid, fc.constantFrom(...poisonSuffixes)).map(([v, s]) => [`valid+${s}`, encodeComponent(v) + s] as const),
      // Aimed at the parameter's kind: a date parameter gets impossible dates, a number huge ones.
      fc.tuple(valid, fc.nat()).map(([v, n]) => {
        const family = hostileByFamily[familyOf(/^\d+$/.test(v) ? Number(v) : v)]
        const [label, value] = family[n % family.length]
        const text = typeof value === "string" ? value.replace(/^\u0001raw:/, "") : JSON.stringify(value)
        return [label, encodeComponent(text)] as const
      })
    )
  return fc.record({ valid: valid.map((v) => header ? v : encodeComponent(v)), hostile })
}

const rawBodies: ReadonlyArray<readonly [string, () => Uint8Array]> = [
  ["empty body", () => utf8("")], ["truncated JSON", () => utf8("{\"a\":")], ["JSON null", () => utf8("null")],
  ["JSON array", () => utf8("[]")], ["bare 1e400", () => utf8("1e400")], ["NUL byte", () => utf8("\u0000")],
  ["invalid UTF-8", () => Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ["BOM + JSON", () => utf8("\ufeff{}")], ["UTF-16 JSON", () => new Uint8Array(Buffer.from("{\"a\":1}", "utf16le"))],
  ["100k nested arrays", () => utf8("[".repeat(100_000) + "]".repeat(100_000))],
  ["duplicate keys", () => utf8("{\"qty\":1,\"qty\":\"x\"}")], ["2 MB body", () => utf8(`{"x":"${"y".repeat(2_000_000)}"}`)]
]

const contentTypes: ReadonlyArray<string | undefined> = [
  "text/plain", "multipart/form-data; boundary=zz", "application/x-www-form-urlencoded", undefined,
  "application/json; charset=utf-16", "application/json; charset=\"", "application/jsonx", "*/*"
]

const extraHeaders: ReadonlyArray<readonly [string, string]> = [
  ["content-encoding", "gzip"], ["accept", "application/xml"], ["x-forwarded-for", "\u00ff"],
  ["cookie", "a=".repeat(2000)], ["x-razorpay-event-id", "e".repeat(5000)], ["accept-charset", "utf-16"]
]

type Aspect = "path" | "query" | "headers" | "body" | "content type" | "auth"

const authHeaders = (op: Operation, ctx: FuzzContext, token: string, body: Uint8Array | undefined): Record<string, string> => {
  if (op.auth === "admin") return { "x-admin-key": ctx.adminKey }
  if (op.auth === "bearer") return { authorization: `Bearer ${token}` }
  if (op.auth === "webhook") return { ...ctx.webhooks[op.route].sign(body ?? new Uint8Array()) }
  return {}
}

const wrongAuth = (op: Operation, ctx: FuzzContext, token: string): ReadonlyArray<readonly [string, Record<string, string>]> => [
  ["no credentials", {}],
  ["wrong admin key", { "x-admin-key": `${ctx.adminKey}x` }],
  ["10 KB admin key", { "x-admin-key": "k".repeat(10_000) }],
  ["latin-1 admin key", { "x-admin-key": "\u00e9\u00ff" }],
  ["bare Bearer", { authorization: "Bearer" }],
  ["tampered token", { authorization: `Bearer ${token.slice(0, -3)}abc` }],
  ["garbage JWT", { authorization: "Bearer a.b.c" }],
  ["Basic auth", { authorization: "Basic Zm9vOmJhcg==" }],
  ["8 KB bearer", { authorization: `Bearer ${"a".repeat(8000)}` }],
  ["bearer where admin key is due", op.auth === "admin" ? { authorization: `Bearer ${token}` } : { "x-admin-key": ctx.adminKey }],
  ...(op.auth === "webhook"
    ? [
      ["non-hex signature", { [ctx.webhooks[op.route].signatureHeader]: "zz" }],
      ["empty signature", { [ctx.webhooks[op.route].signatureHeader]: "" }],
      ["all-zero signature", { [ctx.webhooks[op.route].signatureHeader]: "0".repeat(64) }],
      ["10 KB signature", { [ctx.webhooks[op.route].signatureHeader]: "a".repeat(10_000) }]
    ] as const
    : [])
]

/** Requests for `op`: a fifth fully valid, the rest hostile in one aspect (one in five, two). */
export const planArb = (op: Operation, ctx: FuzzContext): fc.Arbitrary<Plan> => {
  const hasBody = op.method !== "GET" && op.method !== "DELETE"
  // Weighted: most bugs hide behind a body that gets past the credentials and the content type.
  const weighted = (aspect: Aspect, n: number) => Array.from({ length: n }, () => aspect)
  const aspects: ReadonlyArray<Aspect> = [
    ...weighted("path", op.parameters.some((p) => p.in === "path") ? 2 : 0),
    ...weighted("query", op.parameters.some((p) => p.in === "query") ? 3 : 1),
    ...weighted("headers", 1),
    ...weighted("auth", 1),
    ...weighted("body", hasBody ? 8 : 0),
    ...weighted("content type", hasBody ? 1 : 0)
  ]
  const body = op.body ?? { type: "object", properties: {} }
  return fc.record({
    valid: fc.nat(99).map((n) => n < 20),
    // Mostly one hostile aspect: a bad credential or content type would hide the body behind a 401 or 415.
    hostile: fc.tuple(fc.constantFrom(...aspects), fc.nat(9), fc.constantFrom(...aspects)).map(([a, n, b]) => n < 2 ? [a, b] : [a]),
    params: fc.tuple(...op.parameters.map((p) => paramArb(p.name, p.schema, ctx, p.in === "header"))),
    target: fc.nat(),
    variant: fc.nat(2),
    optional: fc.nat(),
    unknownQuery: fc.constantFrom(...hostileUrlParts),
    validBody: validValue(body, ctx.defs, ctx.fields),
    mutations: fc.tuple(mutationArb, mutationArb, fc.nat(9)).map(([a, b, n]) => (n < 2 ? [a, b] : [a])),
    raw: fc.nat(99).map((n) => n < 12),
    rawBody: fc.constantFrom(...rawBodies),
    contentType: fc.constantFrom(...contentTypes),
    token: fc.constantFrom(...ctx.bearerTokens),
    wrongAuth: fc.nat(),
    extraHeader: fc.constantFrom(...extraHeaders)
  }).map((c): Plan => {
    const bad = new Set<Aspect>(c.valid ? [] : c.hostile)
    const shape: Array<string> = []
    // In a hostile location, one parameter is hostile or missing (0: hostile, 1: missing, 2: extra ones).
    const location = (where: string): Aspect => (where === "path" ? "path" : where === "header" ? "headers" : "query")
    const at = (where: string) => op.parameters.filter((p) => p.in === where)
    const targeted = (where: string) => at(where)[c.target % Math.max(at(where).length, 1)]
    let url = op.route
    const query: Array<string> = []
    const headers: Record<string, string> = {}
    op.parameters.forEach((p, i) => {
      const value = c.params[i]
      const chosen = bad.has(location(p.in)) && targeted(p.in) === p
      const hostile = chosen && (p.in === "path" || c.variant === 0)
      const missing = chosen && !hostile && c.variant === 1
      if (hostile) shape.push(`${p.in} ${p.name}=${value.hostile[0]}`)
      if (missing) shape.push(`${p.in} ${p.name} missing`)
      const text = hostile ? value.hostile[1] : value.valid
      if (p.in === "path") url = url.replace(`{${p.name}}`, text === "" ? "%20" : text)
      else if (missing) return
      else if (p.in === "header") headers[p.name] = text
      else if (p.required || hostile || (c.optional >> i) % 2 === 1) query.push(`${p.name}=${text}`)
    })
    if (bad.has("query") && (c.variant === 2 || at("query").length === 0)) {
      shape.push(`query extra=${c.unknownQuery[0]}, duplicated params`)
      query.push(...query, `__proto__=${c.unknownQuery[1]}`)
    }
    if (bad.has("headers") && (c.variant === 2 || at("header").length === 0)) {
      shape.push(`header ${c.extraHeader[0]}`)
      headers[c.extraHeader[0]] = c.extraHeader[1]
    }
    let bodyValue: Json | undefined = hasBody && (op.body !== undefined || bad.has("body")) ? c.validBody : undefined
    let rawBody: (() => Uint8Array) | undefined
    if (bad.has("body") && c.raw) {
      shape.push(`raw body: ${c.rawBody[0]}`)
      rawBody = c.rawBody[1]
    } else if (bad.has("body") && bodyValue !== undefined) {
      for (const choice of c.mutations) {
        const next = mutate(bodyValue, choice)
        bodyValue = next.value
        shape.push(next.label)
      }
    }
    const contentType = bad.has("content type") ? c.contentType : "application/json"
    if (bad.has("content type")) shape.push(`content-type: ${contentType ?? "none"}`)
    const wrongs = wrongAuth(op, ctx, c.token)
    const wrong = wrongs[c.wrongAuth % wrongs.length]
    if (bad.has("auth")) shape.push(`auth: ${wrong[0]}`)
    const finalUrl = query.length === 0 ? url : `${url}?${query.join("&")}`
    return {
      op,
      shape: shape.length === 0 ? "valid" : shape.join("; "),
      build: () => {
        const bytes = rawBody !== undefined ? rawBody() : bodyValue === undefined ? undefined : utf8(encodeJson(bodyValue))
        const auth = bad.has("auth") ? wrong[1] : authHeaders(op, ctx, c.token, bytes)
        return {
          method: op.method,
          url: finalUrl,
          headers: { ...headers, ...auth, ...(bytes !== undefined && contentType !== undefined ? { "content-type": contentType } : {}) },
          body: bytes
        }
      }
    }
  })
}
