/**
 * How long reservations hold stock, and how their expiry is enforced: one place for the
 * rules spread over the API bound, checkout, the entity's memory and the sweeper.
 * The entity releases a reservation at its expiry while in memory (a timer); the
 * sweeper covers entities that were not (after a restart or passivation).
 */
export const ReservationTtl = {
  /** The longest a reservation may hold stock: the API's bound on `ttlSeconds`. */
  maxSeconds: 86_400,
  /** Checkout's reservations outlive the payment window (90 s + the late-UPI check); the order releases them sooner. */
  checkoutSeconds: 15 * 60,
  /** How often the sweeper looks for expired reservations of entities not in memory. */
  sweepInterval: "10 seconds",
  /** Finished reservations stay in memory this long, so a retried message gets its first answer. */
  retentionMs: 7 * 86_400_000
} as const
