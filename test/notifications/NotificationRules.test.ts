import { describe, expect, it } from "@effect/vitest"
import type { AttemptOutcome, TokenOutcome } from "@qc/entities/notifications/NotificationRules"
import { decide, maxAttempts, pushOutcome, retryBackoffMs } from "@qc/entities/notifications/NotificationRules"
import { FastCheck as fc } from "effect"

const token: fc.Arbitrary<TokenOutcome> = fc.oneof(
  fc.constant({ _tag: "Delivered" } as const),
  fc.record({ _tag: fc.constant("Rejected" as const), code: fc.constantFrom("messaging/internal-error", "messaging/registration-token-not-registered", "messaging/invalid-argument"), retryable: fc.boolean(), stale: fc.boolean() })
)
const failure: fc.Arbitrary<AttemptOutcome> = fc.record({ _tag: fc.constant("Failed" as const), reason: fc.constant("boom"), retryable: fc.boolean() })
const outcome: fc.Arbitrary<AttemptOutcome> = fc.oneof(
  fc.constant({ _tag: "Delivered" } as const),
  failure,
  fc.constant({ _tag: "NoRecipient", reason: "no device" } as const)
)
const channel = fc.constantFrom("push" as const, "sms" as const)

/** Runs a row through attempts until it leaves `pending`; answers the decisions in order. */
const lifetime = (ch: "push" | "sms", outcomes: ReadonlyArray<AttemptOutcome>) => {
  const decisions = []
  let now = 0
  for (let attempts = 1; attempts <= outcomes.length; attempts++) {
    const d = decide(ch, attempts, outcomes[attempts - 1], now)
    decisions.push(d)
    if (d.status !== "pending") break
    now = d.dueAt!
  }
  return decisions
}

describe("delivery rules", () => {
  it("a row is attempted at most 4 times, waiting 30 s, 2 min, 10 min, and always ends sent, dropped or dead", () => {
    fc.assert(fc.property(channel, fc.array(outcome, { minLength: 8, maxLength: 8 }), (ch, outcomes) => {
      const decisions = lifetime(ch, outcomes)
      expect(decisions.length).toBeLessThanOrEqual(maxAttempts)
      const last = decisions[decisions.length - 1]
      expect(["sent", "dropped", "dead"]).toContain(last.status)
      decisions.slice(0, -1).forEach((d, i) => {
        expect(d.status).toBe("pending")
        expect(d.heldSms).toBe("keep")
        const started = decisions.slice(0, i).reduce((t, p) => p.dueAt ?? t, 0)
        expect(d.dueAt! - started).toBe(retryBackoffMs[i])
      })
    }), { numRuns: 3_000, seed: 5 })
  })

  it("retryable failures only become a dead letter after the 4th attempt; others at once", () => {
    fc.assert(fc.property(channel, fc.integer({ min: 1, max: 10 }), fc.boolean(), (ch, attempts, retryable) => {
      const d = decide(ch, attempts, { _tag: "Failed", reason: "x", retryable }, 1_000)
      expect(d.status).toBe(retryable && attempts < maxAttempts ? "pending" : "dead")
    }))
  })

  it("the held SMS goes out exactly when a push ends without reaching a device, and never for an SMS row", () => {
    fc.assert(fc.property(channel, fc.integer({ min: 1, max: maxAttempts }), outcome, (ch, attempts, o) => {
      const d = decide(ch, attempts, o, 0)
      const ended = d.status === "dead" || d.status === "dropped"
      const expected = ch === "sms" ? "keep" : d.status === "sent" ? "drop" : ended ? "release" : "keep"
      expect(d.heldSms).toBe(expected)
    }))
  })

  it("a push is delivered if any device took it, retried if any refusal may pass, else nobody could take it", () => {
    fc.assert(fc.property(fc.array(token, { maxLength: 6 }), (results) => {
      const o = pushOutcome(results)
      const rejected = results.filter((r) => r._tag === "Rejected")
      const expected = results.length === 0
        ? { _tag: "NoRecipient" }
        : results.some((r) => r._tag === "Delivered")
        ? { _tag: "Delivered" }
        : rejected.some((r) => r.retryable)
        ? { _tag: "Failed", retryable: true }
        : rejected.every((r) => r.stale)
        ? { _tag: "NoRecipient" }
        : { _tag: "Failed", retryable: false }
      expect(o).toMatchObject(expected)
    }), { numRuns: 3_000, seed: 9 })
  })
})
