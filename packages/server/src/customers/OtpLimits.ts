import { RateLimiter } from "@effect/experimental"
import { RateLimited, ServiceUnavailable } from "@qc/domain/Errors"
import { Cause, Config, Context, Duration, Effect, Layer } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { RateLimitSettingsFromConfig } from "../RateLimitSettings.js"
import { RateLimitStoreFromConfig } from "../RateLimitStore.js"

/** How often a code may be sent: to one phone, and from one client address. */
export interface OtpLimitSettings {
  /** At most one code per phone this often (the `resendAfterSeconds` of the answer); zero: no interval. */
  readonly resendAfter: Duration.Duration
  readonly perPhonePerHour: number
  readonly perAddressPerHour: number
  /** As `TRUST_PROXY`: how the client address is read. */
  readonly trustedProxies: number
}

/** Counts OTP requests; `take` fails with 429 over a limit, 503 when the store cannot count. */
export class OtpLimits extends Context.Tag("OtpLimits")<OtpLimits, {
  readonly settings: OtpLimitSettings
  readonly take: (phone: string, address: string) => Effect.Effect<void, RateLimited | ServiceUnavailable>
}>() {}

const retrySeconds = (retryAfter: Duration.Duration) => Math.max(1, Math.ceil(Math.round(Duration.toMillis(retryAfter)) / 1000))

/**
 * The address's hourly budget is taken first, so an address over its limit cannot spend a
 * phone's (an attacker cannot lock a victim out from a throttled address); then the phone's
 * resend interval and its hourly budget. Each code is a paid SMS, so unlike the general limits
 * this one fails closed: a store that cannot count answers 503.
 */
export const otpLimitsLayer = (settings: OtpLimitSettings): Layer.Layer<OtpLimits, never, RateLimiter.RateLimiterStore> =>
  Layer.effect(
    OtpLimits,
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make
      const hour = Duration.hours(1)
      const take = (phone: string, address: string) =>
        Effect.gen(function*() {
          yield* limiter.consume({ algorithm: "fixed-window", onExceeded: "fail", key: `otp-address:${address}`, limit: settings.perAddressPerHour, window: hour })
          if (Duration.toMillis(settings.resendAfter) > 0) {
            yield* limiter.consume({ algorithm: "token-bucket", onExceeded: "fail", key: `otp-resend:${phone}`, limit: 1, window: settings.resendAfter })
          }
          yield* limiter.consume({ algorithm: "fixed-window", onExceeded: "fail", key: `otp-phone:${phone}`, limit: settings.perPhonePerHour, window: hour })
        }).pipe(
          Effect.catchAll((error): Effect.Effect<never, RateLimited | ServiceUnavailable> => {
            if (error instanceof RateLimiter.RateLimitExceeded) {
              const seconds = retrySeconds(error.retryAfter)
              return Effect.fail(new RateLimited({ message: `too many codes asked for; retry in ${seconds} s`, retryAfterSeconds: seconds }))
            }
            return Effect.logWarning("OtpLimits: store unavailable; refusing to send codes").pipe(
              Effect.annotateLogs({ error: Cause.squash(Cause.fail(error)) }),
              Effect.zipRight(Effect.fail(new ServiceUnavailable({ message: "cannot send codes right now; retry shortly" })))
            )
          })
        )
      return OtpLimits.of({ settings, take })
    })
  ).pipe(Layer.provide(RateLimiter.layer))

const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number, at least 1`, validation: (n) => n >= 1 })
  )

/**
 * `OTP_RESEND_AFTER_SECONDS` (30), `OTP_RATE_PER_PHONE` (5 an hour), `OTP_RATE_PER_IP` (20 an
 * hour), the address read as `TRUST_PROXY` says; counted in Redis when `REDIS_URL` is set.
 */
export const OtpLimitSettingsFromConfig: Effect.Effect<OtpLimitSettings, ConfigError> = Effect.gen(function*() {
  return {
    resendAfter: Duration.seconds(yield* positiveInt("OTP_RESEND_AFTER_SECONDS", 30)),
    perPhonePerHour: yield* positiveInt("OTP_RATE_PER_PHONE", 5),
    perAddressPerHour: yield* positiveInt("OTP_RATE_PER_IP", 20),
    trustedProxies: (yield* RateLimitSettingsFromConfig).trustedProxies
  }
})

export const OtpLimitsFromConfig: Layer.Layer<OtpLimits, ConfigError> = Layer.unwrapEffect(
  Effect.map(OtpLimitSettingsFromConfig, (settings) => otpLimitsLayer(settings).pipe(Layer.provide(RateLimitStoreFromConfig)))
)
