import type { Channel } from "@qc/domain/notifications/Notification"

/**
 * Waits before the 2nd, 3rd and 4th attempt of a notification whose provider failed in a way
 * worth retrying (5xx, timeout, FCM unavailable): a blip is ridden out in 30 s, an outage
 * within ~13 minutes, after which a dead letter is more useful than a late "out for delivery".
 */
export const retryBackoffMs: ReadonlyArray<number> = [30_000, 120_000, 600_000]

/** One first attempt and a retry per backoff step. */
export const maxAttempts = retryBackoffMs.length + 1

/** What one attempt on one channel came to. */
export type AttemptOutcome =
  | { readonly _tag: "Delivered" }
  /** The provider failed; `retryable` when trying again later may help. */
  | { readonly _tag: "Failed"; readonly reason: string; readonly retryable: boolean }
  /** There was no one to send to: no device, or every device token refused (stale). */
  | { readonly _tag: "NoRecipient"; readonly reason: string }

/** The row's next state, and what becomes of the SMS held back for this push. */
export interface Decision {
  readonly status: "sent" | "pending" | "dropped" | "dead"
  /** When `pending`: epoch ms of the next attempt. */
  readonly dueAt: number | null
  readonly lastError: string | null
  /** `release`: send the held SMS now; `drop`: no longer needed; `keep`: the push is not done yet. */
  readonly heldSms: "release" | "drop" | "keep"
}

/** Per token: taken, or refused with a code (`stale` when the token is dead and must be deleted). */
export type TokenOutcome =
  | { readonly _tag: "Delivered" }
  | { readonly _tag: "Rejected"; readonly code: string; readonly retryable: boolean; readonly stale: boolean }

/**
 * A push to all of a customer's devices: delivered if any device took it; else worth retrying
 * if any refusal was (FCM unavailable on one device is not a stale token on another); else
 * nobody could take it.
 */
export const pushOutcome = (results: ReadonlyArray<TokenOutcome>): AttemptOutcome => {
  if (results.length === 0) return { _tag: "NoRecipient", reason: "no device" }
  if (results.some((r) => r._tag === "Delivered")) return { _tag: "Delivered" }
  const rejected = results.flatMap((r) => (r._tag === "Rejected" ? [r] : []))
  const retryable = rejected.find((r) => r.retryable)
  if (retryable !== undefined) return { _tag: "Failed", reason: `push: ${retryable.code}`, retryable: true }
  if (rejected.every((r) => r.stale)) return { _tag: "NoRecipient", reason: "every device token is stale" }
  return { _tag: "Failed", reason: `push: ${rejected[0].code}`, retryable: false }
}

/**
 * After attempt number `attempts` (1-based) of a row on `channel` ended in `outcome` at `now`.
 * Retryable failures wait `retryBackoffMs` and become a dead letter after `maxAttempts`; other
 * failures are dead at once (ops may fix the cause and replay). A push that ends without
 * reaching a device releases its held SMS; the SMS exists only for important kinds.
 */
export const decide = (channel: Channel, attempts: number, outcome: AttemptOutcome, now: number): Decision => {
  const push = channel === "push"
  switch (outcome._tag) {
    case "Delivered":
      return { status: "sent", dueAt: null, lastError: null, heldSms: push ? "drop" : "keep" }
    case "NoRecipient":
      return { status: "dropped", dueAt: null, lastError: outcome.reason, heldSms: push ? "release" : "keep" }
    case "Failed": {
      if (outcome.retryable && attempts < maxAttempts) {
        const wait = retryBackoffMs[Math.max(0, attempts - 1)]
        return { status: "pending", dueAt: now + wait, lastError: outcome.reason, heldSms: "keep" }
      }
      const spent = outcome.retryable ? `${outcome.reason} (after ${attempts} attempts)` : outcome.reason
      return { status: "dead", dueAt: null, lastError: spent, heldSms: push ? "release" : "keep" }
    }
  }
}

/**
 * How long a claimed row may stay `sending`. The provider call is cut off well before (see
 * `providerTimeoutMs`), so a row still `sending` after its lease was left by a runner that
 * died mid-send: delivery unknown, never resent by itself.
 */
export const leaseMs = 5 * 60_000
export const providerTimeoutMs = 60_000
export const interruptedReason = "interrupted; delivery unknown"
