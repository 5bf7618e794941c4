import type { Plan, Sendable } from "./FuzzRequests.js"

export interface Failure {
  readonly kind: "5xx" | "timeout" | "wedged" | "connection error" | "refused but changed" | "read changed" | "budget" | "setup"
  readonly plan?: Plan
  readonly request?: Sendable
  readonly detail: string
}

const short = (text: string, n: number) => (text.length > n ? `${text.slice(0, n)}… (${text.length} chars)` : text)
const start = (body: Uint8Array | undefined) => (body === undefined ? "" : Buffer.from(body.subarray(0, 400)).toString("utf8"))

const explain = (f: Failure) =>
  f.request === undefined || f.plan === undefined ? `${f.kind}: ${f.detail}` : [
    `${f.kind}: ${f.request.method} ${f.plan.op.route}: ${short(f.detail, 400)}`,
    `    input: ${short(f.plan.shape, 300)}`,
    `    repro: ${f.request.method} ${short(f.request.url, 200)} headers ${short(JSON.stringify(Object.keys(f.request.headers)), 160)}` +
    ` content-type ${f.request.headers["content-type"] ?? "none"} body ${short(JSON.stringify(start(f.request.body)), 300)}`
  ].join("\n")

/** One entry per distinct failure (kind, route, and the start of the answer with numbers blurred), with its count. */
export const distinct = (failures: ReadonlyArray<Failure>): ReadonlyArray<string> => {
  const groups = new Map<string, { readonly first: Failure; count: number }>()
  for (const f of failures) {
    const key = `${f.kind} ${f.request?.method} ${f.plan?.op.route} ${f.detail.replace(/[0-9a-f-]{8,}|\d+/g, "#").slice(0, 90)}`
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { first: f, count: 1 })
    else group.count++
  }
  return [...groups.values()].map((g) => `[x${g.count}] ${explain(g.first)}`)
}

/** Answers per operation and status (-1: client timeout, 0: connection error): the coverage the run reached. */
export class Tally {
  private readonly byOperation = new Map<string, Map<number, number>>()

  add(plan: Plan, status: number) {
    const key = `${plan.op.method} ${plan.op.route}`
    const counts = this.byOperation.get(key) ?? new Map<number, number>()
    this.byOperation.set(key, counts)
    counts.set(status, (counts.get(status) ?? 0) + 1)
  }

  get operations() {
    return this.byOperation.size
  }

  count(accept: (status: number) => boolean = () => true) {
    let n = 0
    for (const counts of this.byOperation.values()) for (const [status, c] of counts) if (accept(status)) n += c
    return n
  }

  summary() {
    return [...this.byOperation].map(([op, counts]) => `${op} ${[...counts].map(([s, n]) => `${s}:${n}`).join(" ")}`).join("\n")
  }
}
