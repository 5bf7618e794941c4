import { HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import { apiClients } from "./Stack.js"

/** One scrape: every sample by `name{label="value",...}` (labels sorted), and the response's content type. */
export interface Scrape {
  readonly status: number
  readonly contentType: string | undefined
  readonly samples: ReadonlyMap<string, number>
}

const seriesKey = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`).join(",")}}`

/** Parses the Prometheus text format our values use (no escaped quotes or commas in label values). */
export const parseSamples = (text: string): ReadonlyMap<string, number> => {
  const samples = new Map<string, number>()
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? "").split(",").filter((p) => p !== "")) {
      const [key, value] = pair.split("=")
      labels[key] = value.replace(/^"|"$/g, "")
    }
    samples.set(seriesKey(match[1], labels), match[3] === "+Inf" ? Infinity : Number(match[3]))
  }
  return samples
}

/** The value of one series in a scrape (0 when absent: a counter that never moved is not listed). */
export const valueOf = (scrape: Scrape, name: string, labels: Record<string, string> = {}) =>
  scrape.samples.get(seriesKey(name, labels)) ?? 0

/** The series' value, `undefined` if the scrape does not have it (a gauge that must be there, even at 0). */
export const seriesOf = (scrape: Scrape, name: string, labels: Record<string, string> = {}) =>
  scrape.samples.get(seriesKey(name, labels))

/** `GET /metrics` as Prometheus sends it: no customer token, optionally a bearer token. */
export const scrape = (token?: string) =>
  Effect.gen(function*() {
    const { raw } = yield* apiClients
    const request = HttpClientRequest.get("/metrics")
    const response = yield* raw.execute(token === undefined ? request : HttpClientRequest.bearerToken(request, token))
    const text = yield* response.text
    return {
      status: response.status,
      contentType: response.headers["content-type"],
      samples: response.status === 200 ? parseSamples(text) : new Map()
    } satisfies Scrape
  })
