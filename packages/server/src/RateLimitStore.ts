import { RateLimiter } from "@effect/experimental"
import * as RateLimiterRedis from "@effect/experimental/RateLimiter/Redis"
import { Config, Effect, Exit, Layer, Option, Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"

type RedisStoreOptions = Parameters<typeof RateLimiterRedis.make>[0]

/** ioredis options of a `redis://[user:password@]host[:port][/db]` URL (`rediss://`: TLS). */
export const redisOptionsOf = (url: string): RedisStoreOptions => {
  const parsed = new URL(url)
  const db = Number(parsed.pathname.slice(1) || "0")
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.username === "" ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === "" ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {})
  }
}

/**
 * The library's token buckets in Redis (one Lua script per request: atomic across processes),
 * keys `<prefix><bucket>` and `<prefix><bucket>:refill`.
 *
 * A limiter must not slow requests down when Redis is away, so a command that cannot be sent is
 * failed at the next reconnection attempt (`maxRetriesPerRequest: 0`) and any command after
 * 250 ms (`commandTimeout`, also a Redis that accepts and never answers); RateLimits then lets
 * the request through. The offline queue stays on: commands sent while the first connection is
 * being made wait for it instead of failing. Reconnection attempts back off to one every 5 s.
 *
 * The library's client is out of reach: its `quit` at shutdown fails when Redis is unreachable
 * and a command is still queued (measured: the scope's close died and the client went on
 * reconnecting for ever). So it is built in a scope of our own whose close failure is dropped,
 * and from shutdown on the retry strategy answers "stop", which ends the client.
 */
export const rateLimitStoreRedis = (options: { readonly url: string; readonly prefix?: string }) =>
  Layer.scoped(
    RateLimiter.RateLimiterStore,
    Effect.gen(function*() {
      const connection = yield* Effect.try({
        try: () => redisOptionsOf(options.url),
        catch: () => new Error("REDIS_URL is not a redis:// URL")
      }).pipe(Effect.orDie)
      let closing = false
      const client = yield* Scope.make()
      yield* Effect.addFinalizer(() =>
        Effect.suspend(() => {
          closing = true
          return Effect.ignore(Effect.sandbox(Scope.close(client, Exit.void)))
        })
      )
      return yield* Scope.extend(
        RateLimiterRedis.make({
          ...connection,
          prefix: options.prefix ?? "ratelimit:",
          connectionName: "rate-limits",
          maxRetriesPerRequest: 0,
          commandTimeout: 250,
          connectTimeout: 2_000,
          retryStrategy: (attempt: number) => (closing ? null : Math.min(attempt * 200, 5_000))
        }),
        client
      )
    })
  )

/** `REDIS_URL` set → Redis, shared by every process; else memory, this process only. */
export const RateLimitStoreFromConfig: Layer.Layer<RateLimiter.RateLimiterStore, ConfigError> = Layer.unwrapEffect(
  Effect.map(Config.option(Config.nonEmptyString("REDIS_URL")), (url) =>
    Option.match(url, {
      onNone: () => Layer.tap(RateLimiter.layerStoreMemory, () => Effect.logInfo("RateLimits store: memory (REDIS_URL unset)")),
      onSome: (url) => Layer.tap(rateLimitStoreRedis({ url }), () => Effect.logInfo("RateLimits store: redis"))
    }))
)
