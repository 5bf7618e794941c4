import { RateLimiter } from "@effect/experimental"
import { Headers, type HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { RateLimited } from "@qc/domain/Errors"
import { sameSecret } from "@qc/entities/platform/Signatures"
import { Cause, Clock, Context, Duration, Effect, Exit, Layer, Option, Redacted } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { AdminKey } from "./AdminAuth.js"
import { clientAddress } from "./ClientAddress.js"
import type { TokenHolder } from "./BearerTokens.js"
import { AuthSecret, maxTokenTtl, verifyBearer } from "./BearerTokens.js"
import { RateLimitSettingsFromConfig } from "./RateLimitSettings.js"
import type { Rate, RateLimitSettings } from "./RateLimitSettings.js"
import { RateLimitStoreFromConfig } from "./RateLimitStore.js"

/** An app that answers 429 to a request over its limits before `app` sees it. */
export interface RateLimitMiddleware {
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R>
}

/** The middleware that answers 429 to a request over its limits before any route runs. */
export class RateLimits extends Context.Tag("RateLimits")<RateLimits, {
  readonly middleware: RateLimitMiddleware
}>() {}

/** Which limits a path is under: none for probes and scrapes, and webhooks and admin apart. */
export type RouteLimits = "none" | "webhooks" | "admin" | "public"

export const routeLimits = (url: string): RouteLimits => {
  const path = url.split("?", 1)[0]
  if (path === "/health" || path === "/metrics") return "none"
  if (path.startsWith("/v1/webhooks/")) return "webhooks"
  if (path.startsWith("/v1/admin/") || path.startsWith("/v1/dev/")) return "admin"
  return "public"
}

interface Bucket {
  readonly key: string
  readonly rate: Rate
}

/** A customer's bucket keeps its key of before staff tokens; staff and riders have their own. */
const holderKey = (holder: TokenHolder): string =>
  holder.role === "customer" ? `customer:${holder.customerId}` : holder.role === "rider" ? `rider:${holder.riderId}` : `staff:${holder.staffId}`

/** A store that fails is skipped this long, so that a hung Redis costs one request a timeout, not all. */
const SKIP_STORE_MS = 1_000
const WARN_EVERY_MS = 10_000
/** As the platform reads a bearer token (`HttpApiSecurity.bearer`). */
const bearerLength = "Bearer ".length

const tooManyRequests = (retryAfter: Duration.Duration) => {
  // Whole milliseconds first: window / limit may leave 2000.0000000002 ms, which is not 3 s.
  const seconds = Math.max(1, Math.ceil(Math.round(Duration.toMillis(retryAfter)) / 1000))
  const body: typeof RateLimited.Encoded = {
    _tag: "RateLimited",
    message: `too many requests; retry in ${seconds} s`,
    retryAfterSeconds: seconds
  }
  return HttpServerResponse.unsafeJson(body, { status: 429, headers: Headers.fromInput({ "retry-after": String(seconds) }) })
}

/**
 * Public routes: one bucket per verified token holder (customer, staff member or rider), then one
 * per client address, which everyone behind that address shares. The holder's bucket is taken first, so that a customer over
 * their own limit does not spend the shared one. A token that does not verify counts for
 * nothing: the request is only under its address's limit. Webhooks, and admin routes with the
 * right `x-admin-key`, have buckets of their own per address. Buckets are taken one after the
 * other; a refusal by the second has still spent a token of the first.
 *
 * Fail open: when the store fails (Redis down or slow), the request goes on; a warning says so
 * at most every 10 s, and the store is left alone for a second.
 */
export const makeRateLimits = (settings: RateLimitSettings) =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter.RateLimiter
    const secret = Redacted.value(yield* AuthSecret)
    const adminKey = Redacted.value((yield* AdminKey).key)
    const maxTtl = yield* Effect.orDie(maxTokenTtl)
    let skipStoreUntil = Number.NEGATIVE_INFINITY
    let lastWarnAt = Number.NEGATIVE_INFINITY
    let suppressed = 0

    const storeFailed = (cause: Cause.Cause<unknown>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        skipStoreUntil = now + SKIP_STORE_MS
        if (now - lastWarnAt < WARN_EVERY_MS) return Effect.sync(() => void suppressed++)
        const annotations = { error: Cause.squash(cause), suppressed }
        lastWarnAt = now
        suppressed = 0
        return Effect.logWarning("RateLimits: store unavailable; letting requests through").pipe(Effect.annotateLogs(annotations))
      })

    const take = (bucket: Bucket) =>
      limiter.consume({
        algorithm: "token-bucket",
        onExceeded: "fail",
        key: bucket.key,
        // The library refills `limit` tokens per `window`: one every 1/perSecond s, `burst` at most.
        limit: bucket.rate.burst,
        window: Duration.millis((1000 * bucket.rate.burst) / bucket.rate.perSecond)
      })

    const holderOf = (request: HttpServerRequest.HttpServerRequest) => {
      const authorization = request.headers.authorization
      return authorization === undefined
        ? Effect.succeedNone
        : Effect.option(verifyBearer(authorization.slice(bearerLength), secret, maxTtl))
    }

    const bucketsFor = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<ReadonlyArray<Bucket>> => {
      const route = routeLimits(request.url)
      if (route === "none") return Effect.succeed([])
      const address = clientAddress(request, settings.trustedProxies)
      if (route === "webhooks") return Effect.succeed([{ key: `webhooks:${address}`, rate: settings.webhooks }])
      const givenKey = request.headers["x-admin-key"]
      if (route === "admin" && givenKey !== undefined && sameSecret(givenKey, adminKey)) {
        return Effect.succeed([{ key: `admin:${address}`, rate: settings.admin }])
      }
      const byAddress: Bucket = { key: `address:${address}`, rate: settings.address }
      return Effect.map(holderOf(request), (holder) =>
        Option.match(holder, {
          onNone: () => [byAddress],
          onSome: (h) => [{ key: holderKey(h), rate: settings.customer }, byAddress]
        }))
    }

    const refusal = (buckets: ReadonlyArray<Bucket>) =>
      Effect.gen(function*() {
        if (buckets.length === 0 || (yield* Clock.currentTimeMillis) < skipStoreUntil) return Option.none()
        const taken = yield* Effect.exit(Effect.forEach(buckets, take, { discard: true }))
        if (Exit.isSuccess(taken)) return Option.none()
        const failure = Cause.failureOption(taken.cause)
        if (Option.isSome(failure) && failure.value instanceof RateLimiter.RateLimitExceeded) {
          return Option.some(tooManyRequests(failure.value.retryAfter))
        }
        if (Cause.isInterruptedOnly(taken.cause)) return yield* Effect.interrupt
        yield* storeFailed(taken.cause)
        return Option.none()
      })

    const middleware: RateLimitMiddleware = (app) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const refused = yield* Effect.flatMap(bucketsFor(request), refusal)
        return Option.isSome(refused) ? refused.value : yield* app
      })
    return middleware
  })

/** The limits of `settings`, counted in the RateLimiterStore provided (memory or Redis). */
export const rateLimitsLayer = (
  settings: RateLimitSettings
): Layer.Layer<RateLimits, never, RateLimiter.RateLimiterStore | AuthSecret | AdminKey> =>
  Layer.effect(RateLimits, Effect.map(makeRateLimits(settings), (middleware) => ({ middleware }))).pipe(
    Layer.provide(RateLimiter.layer)
  )

/** No limits: every request goes on. */
export const RateLimitsOff: Layer.Layer<RateLimits> = Layer.succeed(RateLimits, { middleware: (app) => app })

const describe = (rate: Rate) => `${rate.perSecond}/s burst ${rate.burst}`

/** `RATE_LIMIT_*` and `TRUST_PROXY` (RateLimitSettings), counted in Redis when `REDIS_URL` is set. */
export const RateLimitsFromConfig: Layer.Layer<RateLimits, ConfigError, AuthSecret | AdminKey> = Layer.unwrapEffect(
  Effect.map(RateLimitSettingsFromConfig, (settings) =>
    settings.enabled
      ? Layer.tap(rateLimitsLayer(settings).pipe(Layer.provide(RateLimitStoreFromConfig)), () =>
        Effect.logInfo(
          `RateLimits: customer ${describe(settings.customer)}, address ${describe(settings.address)}, ` +
            `webhooks ${describe(settings.webhooks)}, admin ${describe(settings.admin)}, trusted proxies ${settings.trustedProxies}`
        ))
      : Layer.tap(RateLimitsOff, () => Effect.logInfo("RateLimits: off (RATE_LIMIT_ENABLED=false)")))
)
