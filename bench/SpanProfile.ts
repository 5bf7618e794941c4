import { Layer, Tracer } from "effect"
import type { Context, Exit, Option } from "effect"

interface Totals {
  count: number
  totalNs: bigint
  durations: Array<number>
}

/**
 * "Where the time goes": a tracer that keeps, per span name, how many spans ended and
 * their wall-clock durations (inclusive of children and of waiting). Spans come from
 * `Effect.fn`/`withSpan` in our code and from the libraries (sql.execute, http.server, …).
 */
export const makeSpanProfile = () => {
  const totals = new Map<string, Totals>()
  const record = (name: string, ns: bigint) => {
    let t = totals.get(name)
    if (t === undefined) totals.set(name, t = { count: 0, totalNs: 0n, durations: [] })
    t.count++
    t.totalNs += ns
    if (t.durations.length < 200_000) t.durations.push(Number(ns) / 1e6)
  }
  class ProfileSpan implements Tracer.Span {
    readonly _tag = "Span"
    readonly spanId = Math.random().toString(16).slice(2, 18).padEnd(16, "0")
    readonly traceId: string
    readonly sampled = true
    status: Tracer.SpanStatus
    readonly attributes = new Map<string, unknown>()
    readonly links: Array<Tracer.SpanLink>
    constructor(
      readonly name: string,
      readonly parent: Option.Option<Tracer.AnySpan>,
      readonly context: Context.Context<never>,
      links: Iterable<Tracer.SpanLink>,
      readonly startTime: bigint,
      readonly kind: Tracer.SpanKind
    ) {
      this.traceId = parent._tag === "Some" ? parent.value.traceId : `${this.spanId}${this.spanId}`
      this.status = { _tag: "Started", startTime }
      this.links = Array.from(links)
    }
    end(endTime: bigint, exit: Exit.Exit<unknown, unknown>) {
      this.status = { _tag: "Ended", startTime: this.startTime, endTime, exit }
      const text = this.attributes.get("db.query.text")
      record(
        typeof text === "string" ? `sql: ${text.replace(/\s+/g, " ").trim().slice(0, 90)}` : this.name,
        endTime - this.startTime
      )
    }
    attribute(key: string, value: unknown) {
      this.attributes.set(key, value)
    }
    event() {}
    addLinks(more: ReadonlyArray<Tracer.SpanLink>) {
      this.links.push(...more)
    }
  }
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => new ProfileSpan(name, parent, context, links, startTime, kind),
    context: (f) => f()
  })
  const rows = (wallMs: number, top = Number(process.env.BENCH_SPANS_TOP ?? 40)) =>
    [...totals].map(([name, t]) => {
      const sorted = [...t.durations].sort((a, b) => a - b)
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
      return {
        span: name,
        count: t.count,
        totalMs: Math.round(Number(t.totalNs) / 1e6),
        "busy×": Number((Number(t.totalNs) / 1e6 / wallMs).toFixed(2)),
        p50Ms: Number(at(0.5).toFixed(2)),
        p99Ms: Number(at(0.99).toFixed(2))
      }
    }).sort((a, b) => b.totalMs - a.totalMs).slice(0, top)
  return { layer: Layer.setTracer(tracer), rows, reset: () => totals.clear() }
}
