import fc from "fast-check"

/** The part of JSON Schema our OpenAPI document (and `JSONSchema.make`) uses. */
export interface JsonSchema {
  readonly $ref?: string
  readonly type?: string
  readonly description?: string
  readonly format?: string
  readonly enum?: ReadonlyArray<Json>
  readonly anyOf?: ReadonlyArray<JsonSchema>
  readonly properties?: Readonly<Record<string, JsonSchema>>
  readonly required?: ReadonlyArray<string>
  readonly items?: JsonSchema
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: number
  readonly exclusiveMaximum?: number
  readonly minLength?: number
  readonly maxLength?: number
  readonly minItems?: number
  readonly maxItems?: number
  readonly pattern?: string
}

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** Valid values for fields whose schema alone cannot say what the server knows (ids, pincodes). */
export type Overrides = Readonly<Record<string, fc.Arbitrary<Json>>>

/** Replaced by the literal after `JSON.stringify`: number tokens that no JS number serialises to. */
const rawToken = (literal: string) => `\u0001raw:${literal}`
export const encodeJson = (value: Json): string =>
  JSON.stringify(value).replace(/"\\u0001raw:([^"]*)"/g, "$1")

const nested = (depth: number): Json => {
  let value: Json = "bottom"
  for (let i = 0; i < depth; i++) value = { a: value }
  return value
}

type Family = "string" | "number" | "date" | "shape"

/** What an attacker puts in a field, by the kind of field it is aimed at; labels name the input in reports. */
export const hostileByFamily: Readonly<Record<Family, ReadonlyArray<readonly [string, Json]>>> = {
  string: [
    ["NUL", "\u0000"], ["NUL inside", "a\u0000b"], ["NUL inside", "a\u0000b"], ["lone high surrogate", "\ud800x"], ["lone low surrogate", "\udfff"],
    ["100 KB string", "x".repeat(100_000)], ["empty string", ""], ["blank string", "   "],
    ["bidi/zero-width", "\u202e\u200b\ufeff"], ["astral chars", "💥🛒".repeat(40)], ["SQL quote", "x'; --"]
  ],
  number: [
    ["1e308", 1e308], ["-1e308", -1e308], ["2^53+1", 2 ** 53 + 1], ["-(2^53+1)", -(2 ** 53 + 1)], ["2^31", 2 ** 31],
    ["zero", 0], ["zero", 0], ["-1", -1], ["1.5", 1.5], ["1e400 literal", rawToken("1e400")], ["-0 literal", rawToken("-0")],
    ["30-digit literal", rawToken("123456789012345678901234567890")], ["NaN string", "NaN"], ["Infinity string", "Infinity"],
    ["numeric string", "5"]
  ],
  date: [
    ["date \"5\"", "5"], ["date +275760", "+275760-09-13T00:00:00Z"], ["date past max", "+275760-09-13T00:00:00.001Z"],
    ["date -271821", "-271821-04-19T00:00:00Z"], ["date 2024-02-30", "2024-02-30T00:00:00Z"],
    ["date without zone", "2030-01-01T00:00:00"], ["date year 0", "0000-01-01T00:00:00Z"], ["date year 9999", "9999-12-31T23:59:59Z"],
    ["date +14:00 offset past max", "+275760-09-13T00:00:00-14:00"], ["date 24:00", "2030-01-01T24:00:00Z"]
  ],
  shape: [
    ["true", true], ["null", null], ["empty array", []], ["empty object", {}], ["array of NUL", ["\u0000", "\ud800"]],
    ["__proto__ object", JSON.parse("{\"__proto__\":{\"polluted\":1},\"constructor\":{\"prototype\":1}}")],
    ["deep nesting", nested(3000)]
  ]
}
export const hostileValues = Object.values(hostileByFamily).flat()

export const familyOf = (value: Json | undefined): Family =>
  typeof value === "number" ? "number"
    : typeof value === "string" && !Number.isNaN(Date.parse(value)) && /^\d{4}-/.test(value) ? "date"
    : typeof value === "string" ? "string"
    : "shape"

const isDate = (schema: JsonSchema) => schema.format === "date-time" || /date.?time/i.test(schema.description ?? "")

/** Follows `$ref`s (`#/components/schemas/X` or `#/$defs/X`), keeping sibling keywords. */
export const resolve = (schema: JsonSchema, defs: Readonly<Record<string, JsonSchema>>): JsonSchema => {
  if (schema.$ref === undefined) return schema
  const { $ref, ...rest } = schema
  const target = defs[$ref.slice($ref.lastIndexOf("/") + 1)]
  return target === undefined ? rest : { ...resolve(target, defs), ...rest }
}

const numberRange = (schema: JsonSchema, integer: boolean) => {
  const step = integer ? 1 : 0.01
  const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + step : -1000)
  const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - step : 1000)
  // Sane magnitudes: a valid request should reach the business rules, not only the bounds.
  return { min: Math.max(lo, Math.min(hi, -1000)), max: Math.min(hi, Math.max(lo, 1000)) }
}

/** Values the schema accepts (overrides by property name win). */
export const validValue = (
  schema: JsonSchema,
  defs: Readonly<Record<string, JsonSchema>>,
  overrides: Overrides,
  name?: string
): fc.Arbitrary<Json> => {
  const override = name === undefined ? undefined : overrides[name]
  if (override !== undefined) return override
  const s = resolve(schema, defs)
  if (s.enum !== undefined) return fc.constantFrom(...s.enum)
  if (s.anyOf !== undefined) return fc.oneof(...s.anyOf.map((a) => validValue(a, defs, overrides)))
  if (isDate(s)) return fc.integer({ min: 1, max: 60 * 24 * 30 }).map((m) => new Date(Date.now() + m * 60_000).toISOString())
  switch (s.type) {
    case "null":
      return fc.constant(null)
    case "boolean":
      return fc.boolean()
    case "integer": {
      const { min, max } = numberRange(s, true)
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    }
    case "number":
      return fc.double({ ...numberRange(s, false), noNaN: true, noDefaultInfinity: true })
    case "array":
      return fc.array(validValue(s.items ?? {}, defs, overrides, name), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, Math.max(s.minItems ?? 0, 3))
      })
    case "object": {
      const entries = Object.entries(s.properties ?? {}).map(([key, prop]) =>
        fc.tuple(fc.constant(key), validValue(prop, defs, overrides, key), s.required?.includes(key) ? fc.constant(true) : fc.boolean())
      )
      return fc.tuple(...entries).map((fields) =>
        Object.fromEntries(fields.filter(([, , present]) => present).map(([key, value]) => [key, value]))
      )
    }
    case "string": {
      const min = s.minLength ?? 0
      const max = Math.min(s.maxLength ?? 24, 24)
      return s.pattern === undefined
        ? fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) })
        : fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= (s.maxLength ?? 10_000))
    }
    default:
      return fc.constant("?")
  }
}

type Path = ReadonlyArray<string | number>

const isRecord = (value: Json | undefined): value is { readonly [key: string]: Json } =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const pathsOf = (value: Json, prefix: Path = []): Array<Path> => {
  if (value === null || typeof value !== "object" || prefix.length > 4) return [prefix]
  const children: Array<Path> = Array.isArray(value)
    ? value.flatMap((v, i) => pathsOf(v, [...prefix, i]))
    : Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))
  return [prefix, ...children]
}

const update = (value: Json, path: Path, f: (v: Json | undefined) => Json | undefined): Json | undefined => {
  if (path.length === 0) return f(value)
  const [head, ...tail] = path
  if (Array.isArray(value)) {
    const copy: Array<Json> = [...value]
    const next = update(copy[Number(head)] ?? null, tail, f)
    if (next === undefined) copy.splice(Number(head), 1)
    else copy[Number(head)] = next
    return copy
  }
  if (!isRecord(value)) return value
  const record: { [key: string]: Json } = { ...value }
  const next = update(record[head] ?? null, tail, f)
  if (next === undefined) delete record[head]
  else record[head] = next
  return record
}

type Mutation = "replace" | "remove" | "append NUL" | "append lone surrogate" | "prepend NUL" | "extra field" | "over-long"
const mutations: ReadonlyArray<Mutation> = [
  "replace", "replace", "replace", "replace", "remove", "append NUL", "append NUL", "append lone surrogate", "prepend NUL",
  "extra field", "over-long"
]

const at = (value: Json | undefined, path: Path): Json | undefined =>
  path.length === 0 || value === null || typeof value !== "object" ? value
    : at(Array.isArray(value) ? value[Number(path[0])] : isRecord(value) ? value[path[0]] : undefined, path.slice(1))

const poisons: Partial<Record<Mutation, true>> = { "append NUL": true, "prepend NUL": true, "append lone surrogate": true, "over-long": true }

/**
 * One change at one place in `value`: a poisoned string leaf, a leaf replaced by a hostile value
 * (mostly of the leaf's own kind, so that it gets past the type check), a missing or extra field.
 */
export const mutate = (value: Json, choice: readonly [number, number, Mutation, number, number]) => {
  const [pick, leafPick, mutation, hostilePick, familyPick] = choice
  const paths = pathsOf(value)
  const leaves = paths.filter((p) => { const v = at(value, p); return v === null || typeof v !== "object" })
  const strings = leaves.filter((p) => typeof at(value, p) === "string")
  const objects = paths.filter((p) => isRecord(at(value, p)))
  const candidates = poisons[mutation] && strings.length > 0 ? strings
    : mutation === "extra field" && objects.length > 0 ? objects
    : mutation === "remove" ? paths.filter((p) => p.length > 0)
    : leafPick % 5 !== 0 && leaves.length > 0 ? leaves
    : paths
  const path = candidates.length > 0 ? candidates[pick % candidates.length] : []
  const current = at(value, path)
  const pool = familyPick % 10 < 7 ? hostileByFamily[familyOf(current)] : hostileValues
  const hostile = pool[hostilePick % pool.length]
  const where = path.length === 0 ? "body" : `body.${path.join(".")}`
  const poison = (suffix: string, prepend = false) => (v: Json | undefined) =>
    typeof v === "string" ? (prepend ? suffix + v : v + suffix) : suffix
  const change: [string, (v: Json | undefined) => Json | undefined] =
    mutation === "replace" ? [`${where}=${hostile[0]}`, () => hostile[1]]
      : mutation === "remove" ? [`${where} missing`, () => undefined]
      : mutation === "append NUL" ? [`${where}+"\\u0000"`, poison("\u0000")]
      : mutation === "prepend NUL" ? [`"\\u0000"+${where}`, poison("\u0000", true)]
      : mutation === "append lone surrogate" ? [`${where}+"\\ud800"`, poison("\ud800")]
      : mutation === "over-long" ? [`${where} over-long`, (v) => typeof v === "string" ? v.repeat(200) + "x".repeat(300) : "x".repeat(70_000)]
      : [`${where} extra field ${hostile[0]}`, (v) =>
        isRecord(v) ? { ...v, ["extra\u0000"]: hostile[1] } : { value: v ?? null, extra: hostile[1] }]
  return { value: update(value, path, change[1]) ?? null, label: change[0] }
}

export const mutationArb = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...mutations), fc.nat(), fc.nat())
