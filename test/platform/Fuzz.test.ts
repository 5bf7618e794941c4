import { HttpServer } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { VendorPromotion } from "@qc/domain/pricing/Pricing"
import { Effect, JSONSchema, Layer } from "effect"
import fc from "fast-check"
import { appendFileSync } from "node:fs"
import { operationsOf, planArb } from "../support/FuzzRequests.js"
import type { OpenApiDocument, Operation, Plan } from "../support/FuzzRequests.js"
import { distinct } from "../support/FuzzReport.js"
import { runPlans } from "../support/FuzzRun.js"
import type { JsonSchema } from "../support/FuzzSchema.js"
import { contextFor, prepare } from "../support/FuzzSetup.js"
import { KnownSecretPayments } from "../support/FuzzStack.js"
import { stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/**
 * The acceptance test: every route of `/openapi.json`, a few thousand generated requests
 * (fixed seed), mostly hostile: NUL, lone surrogates, huge numbers and strings, impossible dates,
 * wrong types and content types, bad credentials, and webhooks validly signed over hostile bodies.
 * No answer may be a 5xx, none may hang, and a refused request may change no stock, order or event.
 *
 * FUZZ_RUNS (default 3000), FUZZ_TIMEOUT_MS (per request, 10 s), FUZZ_BUDGET_MS (whole run, 150 s),
 * FUZZ_LOG (a file: every request and answer as JSON lines).
 */
const seed = 20_250_611
const runs = Number(process.env.FUZZ_RUNS ?? 3000)
const options = {
  timeoutMs: Number(process.env.FUZZ_TIMEOUT_MS ?? 10_000),
  budgetMs: Number(process.env.FUZZ_BUDGET_MS ?? 150_000),
  maxTimeouts: 8,
  log: process.env.FUZZ_LOG
}

const StackLive = Layer.unwrapScoped(
  Effect.map(makeTestDatabase, (db) => stackLayer(db.layer, { payments: KnownSecretPayments }))
)

// Bodies, and webhooks above all (checked only after their signature), get more requests than reads.
const weight = (op: Operation) => (op.auth === "webhook" ? 3 : op.body !== undefined ? 2 : 1)

/** Round robin over the operations, so that a wedge late in the run has starved no route. */
const interleave = (perOperation: ReadonlyArray<ReadonlyArray<Plan>>): ReadonlyArray<Plan> =>
  Array.from({ length: Math.max(...perOperation.map((p) => p.length)) }, (_, i) => perOperation.flatMap((p) => p[i] ?? []))
    .flat()

describe("fuzzing every route in /openapi.json", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("no input gets a 5xx or hangs, and a refused request changes no stock, order or event", () =>
      Effect.gen(function*() {
        const address = (yield* HttpServer.HttpServer).address
        const base = `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}`
        const setup = yield* prepare
        const doc = yield* Effect.promise(() => fetch(`${base}/openapi.json`).then((r) => r.json() as Promise<OpenApiDocument>))
        // The vendor webhook's body is raw in the document: its schema comes from the domain.
        const promotion: { readonly $defs: Record<string, JsonSchema> } = JSON.parse(JSON.stringify(JSONSchema.make(VendorPromotion)))
        const ctx = contextFor(setup, { ...promotion.$defs, ...doc.components.schemas })
        const operations = operationsOf(doc, ctx.webhooks)
        const unit = runs / operations.reduce((n, op) => n + weight(op), 0)
        const plans = interleave(operations.map((op, i) =>
          fc.sample(planArb(op, ctx), { seed: seed + i, numRuns: Math.ceil(unit * weight(op)) })
        ))

        const { elapsedMs, failures, tally } = yield* runPlans(base, setup, plans, options)

        const accepted = tally.count((s) => s >= 200 && s < 300)
        const summary = `${tally.count()} requests in ${elapsedMs} ms, ${accepted} accepted; status:count per operation\n${tally.summary()}`
        if (options.log !== undefined) appendFileSync(options.log, `${summary}\n`)
        expect(distinct(failures), `${failures.length} failures`).toEqual([])
        // The fuzzer must reach every route, and get past the schemas into the business rules.
        expect(tally.operations, summary).toBe(operations.length)
        expect(accepted / tally.count(), summary).toBeGreaterThan(0.1)
      }), { timeout: 600_000 })
  })
})
