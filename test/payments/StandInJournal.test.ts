import { describe, expect, it } from "@effect/vitest"
import { Payments } from "@qc/entities/payments/Payments"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Effect, Exit, Layer, Scope } from "effect"
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { env } from "../support/PaymentsFixture.js"

/** Runs `effect` against a stand-in on `journalFile`, then shuts that stand-in down (a restart). */
const session = <A, E>(journalFile: string, effect: Effect.Effect<A, E, Payments | StandIn.RazorpayStandIn>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(env({ journalFile }), scope)
    const exit = yield* Effect.exit(Effect.provide(effect, context))
    yield* Scope.close(scope, Exit.void)
    return yield* exit
  })

describe("the embedded stand-in's journal (its records across a restart)", () => {
  it.scopedLive("orders, captures and refunds outlive the process: a restarted stand-in lists them, refuses a second payment, repeats a keyed refund, takes payment of an order made before", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "qc-standin-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const file = join(dir, "standin-journal.jsonl")

      const before = yield* session(file, Effect.gen(function*() {
        const payments = yield* Payments
        const standIn = yield* StandIn.RazorpayStandIn
        const paid = yield* payments.createOrder({ amount: 54_900, currency: "INR", receipt: "qc-j-1" })
        const capture = yield* standIn.payQuietly(paid.id, { outcome: "capture" })
        const refund = yield* payments.refund({ paymentId: capture.id, amount: 1_000, idempotencyKey: "refund-key-0001" })
        const unpaid = yield* payments.createOrder({ amount: 12_300, currency: "INR", receipt: "qc-j-2" })
        return { paid, capture, refund, unpaid }
      }))
      // The process was killed in the middle of writing a line.
      appendFileSync(file, "{\"t\":\"payment\",\"v\":{\"id\":\"pay_torn")
      expect(readFileSync(file, "utf8").split("\n")).toHaveLength(7) // order; payment, order; refund, payment; order; the torn line

      yield* session(file, Effect.gen(function*() {
        const payments = yield* Payments
        const standIn = yield* StandIn.RazorpayStandIn
        const listed = yield* payments.fetchOrderPayments(before.paid.id)
        expect(listed).toHaveLength(1)
        expect(listed[0]).toMatchObject({ id: before.capture.id, amount: 54_900, status: "captured", amountRefunded: 1_000 })
        expect((yield* Effect.flip(standIn.pay(before.paid.id, { outcome: "capture" }))).message).toContain("already paid")
        const again = yield* payments.refund({ paymentId: before.capture.id, amount: 1_000, idempotencyKey: "refund-key-0001" })
        expect(again.id).toBe(before.refund.id)
        expect(yield* standIn.refunds(before.capture.id)).toHaveLength(1)
        const late = yield* standIn.payQuietly(before.unpaid.id, { outcome: "capture" })
        expect(late.orderId).toBe(before.unpaid.id)
        // New ids never repeat the old ones.
        const next = yield* payments.createOrder({ amount: 10_000, currency: "INR", receipt: "qc-j-3" })
        expect([before.paid.id, before.unpaid.id]).not.toContain(next.id)
      }))

      // Without a journal the stand-in remembers nothing (tests, `pnpm standin`).
      const forgetful = yield* session(file, Effect.void).pipe(
        Effect.zipRight(Effect.scoped(Effect.gen(function*() {
          const payments = yield* Payments
          return yield* Effect.either(payments.fetchOrderPayments(before.paid.id))
        }).pipe(Effect.provide(env()))))
      )
      expect(forgetful._tag).toBe("Left")
    }))
})
