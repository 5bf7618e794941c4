import { Clock, Duration, Effect, FiberSet, Stream, SubscriptionRef } from "effect"
import type { Scope } from "effect"
import { hmacSha256Hex } from "../../platform/Signatures.js"

/** How the events sent from now on are delivered; `setDelivery` replaces all of it at once. */
export interface DeliveryOptions {
  /** Send each event this many extra times (same event id, same body, each with its own retries). */
  readonly duplicate?: number
  /** Send the events of one payment or refund last-first (captured before authorized). */
  readonly reverse?: boolean
  /** Hold each batch of events this long (Effect clock) before its first attempt. */
  readonly delay?: Duration.DurationInput
  /** The next N attempts, whichever events they carry, are lost on the way: not sent, then retried. */
  readonly dropFirst?: number
}

export interface Delivery {
  readonly eventId: string
  readonly event: string
  /** 1 for the first try of a copy; duplicates start again at 1. */
  readonly attempt: number
  /** The receiver's HTTP status; "unreachable" for no webhook url, a refused connection or no answer in 5 s. */
  readonly status: number | "dropped" | "unreachable"
}

export interface WebhookEvent {
  readonly event: string
  readonly contains: ReadonlyArray<string>
  readonly payload: Readonly<Record<string, { readonly entity: unknown }>>
}

export interface Webhooks {
  readonly setUrl: (url: string) => Effect.Effect<void>
  readonly setDelivery: (options: DeliveryOptions) => Effect.Effect<void>
  /** Queues one batch (the events of one payment or refund) and returns without waiting for delivery. */
  readonly send: (events: ReadonlyArray<WebhookEvent>) => Effect.Effect<void>
  readonly deliveries: Effect.Effect<ReadonlyArray<Delivery>>
  readonly settled: Effect.Effect<void>
}

interface Copy {
  readonly eventId: string
  readonly event: string
  readonly body: string
  readonly signature: string
}

/** Razorpay wants an answer within 5 s. Real time on purpose: it bounds a socket, not simulated time. */
const ANSWER_TIMEOUT_MS = 5_000

/** How long to wait after a failed attempt: `first`, doubling each time, never more than `max`. */
export interface Backoff {
  readonly first: Duration.DurationInput
  readonly max: Duration.DurationInput
}

/** Kept for `deliveries`; a long-running stand-in process must not grow without bound. */
const LOGGED_DELIVERIES = 10_000

const post = (url: string, copy: Copy): Effect.Effect<number | "unreachable"> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, {
        method: "POST",
        body: copy.body,
        headers: {
          "content-type": "application/json",
          "user-agent": "Razorpay-Webhook/v1",
          "x-razorpay-signature": copy.signature,
          "x-razorpay-event-id": copy.eventId
        },
        signal: AbortSignal.any([signal, AbortSignal.timeout(ANSWER_TIMEOUT_MS)])
      })
      // Read the answer so the keep-alive connection is free for the next delivery.
      await response.arrayBuffer()
      return response.status
    },
    catch: () => "unreachable" as const
  }).pipe(Effect.merge)

/**
 * At-least-once delivery like Razorpay's: a non-2xx answer or a connection failure is retried with
 * exponential backoff on the Effect clock (so tests drive retries with TestClock) until
 * `maxAttempts`. Every attempt is logged: failures as warnings, a first-try success at debug level.
 * Delivery fibers live in the caller's scope.
 */
export const makeWebhooks = (options: {
  readonly secret: string
  readonly url: string | undefined
  readonly accountId: string
  readonly maxAttempts: number
  readonly backoff: Backoff
  readonly nextEventId: () => string
}): Effect.Effect<Webhooks, never, Scope.Scope> =>
  Effect.gen(function*() {
    const first = Duration.toMillis(options.backoff.first)
    const max = Duration.toMillis(options.backoff.max)
    const backoff = (failedAttempt: number) => Duration.millis(Math.min(first * 2 ** Math.min(failedAttempt - 1, 30), max))
    const fibers = yield* FiberSet.make()
    // Copies not yet delivered with 2xx nor given up; `settled` waits for zero.
    const pending = yield* SubscriptionRef.make(0)
    let url = options.url
    let settings: DeliveryOptions = {}
    let dropsLeft = 0
    const log: Array<Delivery> = []

    const attempt = (copy: Copy, n: number): Effect.Effect<boolean> =>
      Effect.gen(function*() {
        let status: Delivery["status"]
        if (dropsLeft > 0) {
          dropsLeft--
          status = "dropped"
        } else {
          status = url === undefined ? "unreachable" : yield* post(url, copy)
        }
        log.push({ eventId: copy.eventId, event: copy.event, attempt: n, status })
        if (log.length > LOGGED_DELIVERIES) log.shift()
        const ok = typeof status === "number" && status >= 200 && status < 300
        yield* logAttempt(copy, n, status, ok)
        return ok
      })

    const logAttempt = (copy: Copy, n: number, status: Delivery["status"], ok: boolean) => {
      const what = `webhook ${copy.event} ${copy.eventId} attempt ${n}/${options.maxAttempts}: ${status}`
      return ok
        ? n === 1 ? Effect.logDebug(`${what}, delivered`) : Effect.logInfo(`${what}, delivered after retrying`)
        : n >= options.maxAttempts
        ? Effect.logError(`${what}, giving up`)
        : Effect.logWarning(`${what}, next attempt in ${Duration.format(backoff(n))}`)
    }

    const retryFrom = (copy: Copy, n: number): Effect.Effect<void> =>
      Effect.sleep(backoff(n - 1)).pipe(
        Effect.zipRight(attempt(copy, n)),
        Effect.flatMap((ok) => ok || n >= options.maxAttempts ? Effect.void : retryFrom(copy, n + 1))
      )

    const done = SubscriptionRef.update(pending, (n) => n - 1)

    // First attempts go out one after another, so `reverse` decides arrival order; retries run on their own.
    const deliver = (copy: Copy) =>
      attempt(copy, 1).pipe(
        Effect.flatMap((ok) =>
          ok || options.maxAttempts <= 1
            ? done
            : FiberSet.run(fibers, retryFrom(copy, 2).pipe(Effect.ensuring(done)))
        )
      )

    const send = (events: ReadonlyArray<WebhookEvent>) =>
      Effect.gen(function*() {
        const createdAt = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const { delay = 0, duplicate = 0, reverse = false } = settings
        const copies = (reverse ? [...events].reverse() : events).flatMap((e) => {
          const body = JSON.stringify({
            entity: "event",
            account_id: options.accountId,
            event: e.event,
            contains: e.contains,
            payload: e.payload,
            created_at: createdAt
          })
          const copy: Copy = {
            eventId: options.nextEventId(),
            event: e.event,
            body,
            signature: hmacSha256Hex(options.secret, body)
          }
          return Array.from({ length: 1 + duplicate }, () => copy)
        })
        yield* SubscriptionRef.update(pending, (n) => n + copies.length)
        yield* FiberSet.run(
          fibers,
          Effect.sleep(delay).pipe(Effect.zipRight(Effect.forEach(copies, deliver, { discard: true })))
        )
      })

    return {
      setUrl: (next) => Effect.sync(() => void (url = next)),
      setDelivery: (next) =>
        Effect.sync(() => {
          settings = next
          dropsLeft = next.dropFirst ?? 0
        }),
      send,
      deliveries: Effect.sync(() => [...log]),
      settled: pending.changes.pipe(Stream.filter((n) => n === 0), Stream.take(1), Stream.runDrain)
    }
  })
