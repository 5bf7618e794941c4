import { Effect } from "effect"
import { appendFileSync } from "node:fs"
import type { Plan, Sendable } from "./FuzzRequests.js"
import { Tally } from "./FuzzReport.js"
import type { Failure } from "./FuzzReport.js"
import { customers } from "./FuzzSetup.js"
import type { Setup } from "./FuzzSetup.js"
import { awaitingPayment, changes, fingerprint, send, settle } from "./FuzzStack.js"
import type { Outcome } from "./FuzzStack.js"
import { adminKey } from "./Stack.js"

export interface RunOptions {
  readonly timeoutMs: number
  /** A wedged entity turns every later request to it into a timeout: stop rather than wait them all out. */
  readonly budgetMs: number
  readonly maxTimeouts: number
  /** Every request and its answer, one JSON line each, for whoever reproduces a failure. */
  readonly log: string | undefined
}

const get = (url: string, headers: Record<string, string> = {}): Sendable => ({ method: "GET", url, headers, body: undefined })

/** Reads that answer at once unless the entity behind them is wedged, and the ids that name it. */
const probesFor = (setup: Setup) => [
  ...setup.skus.flatMap((sku) => ["pune-baner", "pune-aundh"].map((store) => ({ request: get(`/v1/stores/${store}/skus/${sku}`), names: [sku] }))),
  ...setup.orders.map((o) => ({
    request: get(`/v1/admin/orders/${o.orderId}`, { "x-admin-key": adminKey }),
    names: [o.orderId as string, o.payment.razorpayOrderId]
  }))
]

const mentions = (request: Sendable, text: string) =>
  request.url.includes(text) || (request.body !== undefined && Buffer.from(request.body).includes(text))

const statusOf = (outcome: Outcome) => (outcome._tag === "answered" ? outcome.status : outcome._tag === "timeout" ? -1 : 0)

/**
 * Sends the plans one at a time, so that any change to stock, orders or events between two
 * fingerprints is the last request's: a refused request (or a read) must leave none. After an
 * accepted one, an order it left awaiting payment is cancelled (its deadline would fire mid-run)
 * and what it set off is let land before the next fingerprint.
 */
export const runPlans = (base: string, setup: Setup, plans: ReadonlyArray<Plan>, options: RunOptions) =>
  Effect.gen(function*() {
    const failures: Array<Failure> = [...setup.problems]
    const tally = new Tally()
    const quarantined = new Set<string>()
    const started = Date.now()
    let timeouts = 0
    let before = yield* settle(2)

    const onTimeout = (plan: Plan, request: Sendable, index: number) =>
      Effect.gen(function*() {
        const first = timeouts === 1 ? ` (the first request that hung, #${index})` : ""
        failures.push({ kind: "timeout", plan, request, detail: `no answer within ${options.timeoutMs} ms${first}` })
        const hung = yield* Effect.filter(probesFor(setup), (probe) =>
          Effect.map(send(base, probe.request, 2000), (o) => o._tag === "timeout"), { concurrency: "unbounded" })
        for (const probe of hung.filter((p) => !p.names.every((n) => quarantined.has(n)))) {
          failures.push({ kind: "wedged", plan, request, detail: `${probe.request.method} ${probe.request.url} hangs since this request` })
        }
        // Later requests naming what this one named, or what stopped answering, are skipped:
        // they would only time out again and bury the other findings.
        const named = probesFor(setup).flatMap((p) => p.names).filter((n) => mentions(request, n))
        for (const name of [...hung.flatMap((p) => p.names), ...named]) quarantined.add(name)
      })

    const cancelAwaitingPayment = Effect.gen(function*() {
      for (const order of yield* awaitingPayment) {
        const token = setup.tokens[customers.findIndex((c) => c === order.customer_id)] ?? ""
        const request = { method: "POST", url: `/v1/orders/${order.id}/cancel`, headers: { authorization: `Bearer ${token}` }, body: undefined }
        yield* send(base, request, options.timeoutMs)
      }
    })

    for (const [index, plan] of plans.entries()) {
      if (Date.now() - started > options.budgetMs || timeouts >= options.maxTimeouts) {
        const detail = `stopped after ${Math.round((Date.now() - started) / 1000)} s and ${timeouts} timeouts, at request ${index} of ${plans.length}`
        failures.push({ kind: "budget", detail })
        break
      }
      const request = plan.build()
      if ([...quarantined].some((name) => mentions(request, name))) continue
      const outcome = yield* send(base, request, options.timeoutMs)
      tally.add(plan, statusOf(outcome))
      if (options.log !== undefined) {
        const answer = outcome._tag === "answered" ? outcome.body.slice(0, 300) : outcome._tag
        const line = { index, method: request.method, url: request.url.slice(0, 300), shape: plan.shape, status: statusOf(outcome), answer }
        appendFileSync(options.log, `${JSON.stringify(line)}\n`)
      }

      if (outcome._tag === "timeout") {
        timeouts++
        yield* onTimeout(plan, request, index)
      } else if (outcome._tag === "error") {
        failures.push({ kind: "connection error", plan, request, detail: outcome.message })
      } else if (outcome.status >= 500) {
        failures.push({ kind: "5xx", plan, request, detail: `${outcome.status} ${outcome.body}` })
      }

      if (outcome._tag === "answered" && (outcome.status >= 400 || request.method === "GET")) {
        const after = yield* fingerprint
        const changed = yield* changes(before, after)
        if (changed.length > 0) {
          const kind = outcome.status >= 400 ? "refused but changed" : "read changed"
          failures.push({ kind, plan, request, detail: `${outcome.status}: ${changed.join(", ")}; answer ${outcome.body}` })
        }
        before = after
      } else {
        yield* cancelAwaitingPayment
        // Payments and orders finish asynchronously (webhooks, the saga): a longer quiet spell.
        before = yield* settle(/orders|payments|razorpay/.test(request.url) ? 4 : 1)
      }
    }
    const elapsedMs = Date.now() - started

    // A poisoned message may wedge an entity without the request that sent it hanging.
    const finalProbes = yield* Effect.forEach(probesFor(setup), (probe) =>
      Effect.map(send(base, probe.request, 3000), (outcome) => ({ probe, outcome })), { concurrency: "unbounded" })
    for (const { outcome, probe } of finalProbes.filter(({ outcome }) => statusOf(outcome) !== 200)) {
      failures.push({ kind: "wedged", detail: `after the run, ${probe.request.method} ${probe.request.url} gave ${statusOf(outcome)}` })
    }
    return { failures, tally, elapsedMs } as const
  })
