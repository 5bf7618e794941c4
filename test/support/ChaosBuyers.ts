/**
 * Buyers for multi-process chaos tests: each wants one unit of a store-SKU and keeps asking
 * with the SAME reservation id until it gets a final answer (201 reserved, 409 sold out),
 * as an app retrying after a timeout or a 503 would. Plain promises: this is a load
 * client against real processes, on the wall clock.
 */
export interface BuyerOutcome {
  readonly id: string
  readonly outcome: "reserved" | "refused" | "gave-up"
  readonly attempts: number
  /** performance.now() when the final answer arrived. */
  readonly at: number
}

export interface StormReport {
  readonly outcomes: ReadonlyArray<BuyerOutcome>
  /** Non-final answers seen, by status ("network" for a dropped or timed-out request). */
  readonly retried: Record<string, number>
  /** Time of the kill and of the first final answer to a request sent after it. */
  readonly killedAt: number | undefined
  readonly firstAnswerAfterKill: number | undefined
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const runStorm = async (options: {
  readonly url: string
  readonly adminKey: string
  readonly buyers: number
  readonly idPrefix: string
  /** Buyers start over this many ms (arrivals, not one wall of requests). */
  readonly rampMs: number
  /** Called once, when this many buyers have reserved. */
  readonly killAfterReserved?: { readonly count: number; readonly kill: () => void }
  readonly deadlineMs?: number
}): Promise<StormReport> => {
  const retried: Record<string, number> = {}
  let reserved = 0
  let killedAt: number | undefined
  let firstAnswerAfterKill: number | undefined
  const deadline = performance.now() + (options.deadlineMs ?? 240_000)

  const buyer = async (i: number): Promise<BuyerOutcome> => {
    await pause((i * options.rampMs) / options.buyers)
    const id = `${options.idPrefix}-${i}`
    for (let attempt = 1; ; attempt++) {
      const sentAt = performance.now()
      let status: string
      try {
        const response = await fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-admin-key": options.adminKey },
          body: JSON.stringify({ reservationId: id, qty: 1, ttlSeconds: 3600 }),
          signal: AbortSignal.timeout(60_000)
        })
        const body = await response.text()
        status = String(response.status)
        const final = response.status === 201 ? "reserved" :
          response.status === 409 && body.includes("InsufficientStock") ? "refused" : undefined
        if (final !== undefined) {
          const at = performance.now()
          if (killedAt !== undefined && sentAt > killedAt && firstAnswerAfterKill === undefined) firstAnswerAfterKill = at
          if (final === "reserved" && ++reserved === options.killAfterReserved?.count) {
            killedAt = performance.now()
            options.killAfterReserved.kill()
          }
          return { id, outcome: final, attempts: attempt, at }
        }
      } catch (e) {
        status = e instanceof Error && e.name === "TimeoutError" ? "timeout" : "network"
      }
      retried[status] = (retried[status] ?? 0) + 1
      if (performance.now() > deadline) return { id, outcome: "gave-up", attempts: attempt, at: performance.now() }
      // Exponential backoff with full jitter, as a well-behaved app retries: 2,000 buyers
      // hammering every 100 ms would be a load test of the retry storm, not of failover.
      await pause(Math.random() * Math.min(4_000, 200 * 2 ** attempt))
    }
  }

  const outcomes = await Promise.all(Array.from({ length: options.buyers }, (_, i) => buyer(i)))
  return { outcomes, retried, killedAt, firstAnswerAfterKill }
}
