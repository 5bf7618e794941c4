import { Clock, Duration, Effect, Option } from "effect"
import { CustomerRepo } from "./CustomerRepo.js"

/**
 * How long a customer's access-token version is taken from memory: checkout must not read the
 * database on every request, and another runner sees a "sign out everywhere" within this.
 */
export const versionCachedFor = Duration.seconds(10)

const maxEntries = 50_000

/**
 * The access-token version of each customer, cached per runner. The runner that bumps it (sign
 * out everywhere) knows the new one at once; a token carrying a version newer than the cached
 * one (issued on another runner after a bump there) makes this runner read it again.
 */
export class TokenVersions extends Effect.Service<TokenVersions>()("TokenVersions", {
  effect: Effect.gen(function*() {
    const repo = yield* CustomerRepo
    const cache = new Map<string, { readonly version: number; readonly until: number }>()

    const remember = (customerId: string, version: number, now: number) => {
      if (cache.size >= maxEntries) {
        for (const [id, entry] of cache) if (entry.until <= now) cache.delete(id)
        if (cache.size >= maxEntries) cache.clear()
      }
      cache.set(customerId, { version, until: now + Duration.toMillis(versionCachedFor) })
    }

    /** The customer's current version, none if there is no such customer (not remembered: it may be created soon). */
    const current = (customerId: string, atLeast: number) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const hit = cache.get(customerId)
        if (hit !== undefined && hit.until > now && hit.version >= atLeast) return Option.some(hit.version)
        const version = yield* repo.tokenVersion(customerId)
        if (Option.isSome(version)) remember(customerId, version.value, now)
        else cache.delete(customerId)
        return version
      })

    /** After a committed bump (sign out everywhere): this runner refuses older tokens from now on. */
    const bumped = (customerId: string, version: number) =>
      Effect.map(Clock.currentTimeMillis, (now) => remember(customerId, version, now))

    /** Whether a token of `tokenVersion` is still good for the customer: none for an unknown customer. */
    const accepts = (customerId: string, tokenVersion: number) =>
      Effect.map(current(customerId, tokenVersion), Option.map((version) => version === tokenVersion))

    return { current, bumped, accepts } as const
  }),
  dependencies: [CustomerRepo.Default]
}) {}
