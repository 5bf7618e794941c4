import { Config, Effect } from "effect"
import type { ConfigError } from "effect/ConfigError"

/** A token bucket: `perSecond` requests sustained, and up to `burst` at once after a quiet spell. */
export interface Rate {
  readonly perSecond: number
  readonly burst: number
}

/** Which requests are counted, and how many each key may make. */
export interface RateLimitSettings {
  readonly enabled: boolean
  /** Per customer (a bearer token whose signature verifies), on public routes. */
  readonly customer: Rate
  /** Per client address on public routes, whoever is behind it (a token or not). */
  readonly address: Rate
  /** Per client address on `/v1/webhooks/*` (Razorpay and vendors send from a few addresses). */
  readonly webhooks: Rate
  /** Per client address on admin routes, when the request carries the right `x-admin-key`. */
  readonly admin: Rate
  /**
   * How many proxies in front of the server append the address they saw to `X-Forwarded-For`.
   * 0: the socket's peer is the client.
   */
  readonly trustedProxies: number
}

const perSecond = (name: string, fallback: number) =>
  Config.number(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a number of requests per second above 0`, validation: (n) => Number.isFinite(n) && n > 0 })
  )

const burst = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number of requests, at least 1`, validation: (n) => n >= 1 })
  )

const rate = (prefix: string, fallback: Rate): Config.Config<Rate> =>
  Config.all({ perSecond: perSecond(`${prefix}_PER_SECOND`, fallback.perSecond), burst: burst(`${prefix}_BURST`, fallback.burst) })

/** `true` is one proxy, `false` none; a number counts them. */
const trustedProxies: Config.Config<number> = Config.orElse(
  Config.map(Config.boolean("TRUST_PROXY"), (trusted) => (trusted ? 1 : 0)),
  () => Config.integer("TRUST_PROXY")
).pipe(
  Config.withDefault(0),
  Config.validate({ message: "TRUST_PROXY must be true, false or a number of proxies", validation: (n) => n >= 0 })
)

/**
 * `RATE_LIMIT_ENABLED` (true); `RATE_LIMIT_PUBLIC_PER_SECOND`/`_BURST` (100/200, what the
 * previous gateway allowed) per customer, and `RATE_LIMIT_IP_*` per address (the public values
 * unless set); `RATE_LIMIT_HOOKS_*` (1000/2000) per address on webhooks, and `RATE_LIMIT_ADMIN_*`
 * (the webhook values unless set) on admin routes; `TRUST_PROXY` (false).
 */
export const RateLimitSettingsFromConfig: Effect.Effect<RateLimitSettings, ConfigError> = Effect.gen(function*() {
  const customer = yield* rate("RATE_LIMIT_PUBLIC", { perSecond: 100, burst: 200 })
  const webhooks = yield* rate("RATE_LIMIT_HOOKS", { perSecond: 1000, burst: 2000 })
  return {
    enabled: yield* Config.boolean("RATE_LIMIT_ENABLED").pipe(Config.withDefault(true)),
    customer,
    address: yield* rate("RATE_LIMIT_IP", customer),
    webhooks,
    admin: yield* rate("RATE_LIMIT_ADMIN", webhooks),
    trustedProxies: yield* trustedProxies
  }
})
