import { Clock, Effect, Layer, Schedule } from "effect"
import { CustomerRepo } from "./CustomerRepo.js"
import { DeviceRepo } from "./DeviceRepo.js"
import { SignInRepo } from "./SignInRepo.js"
import { TokenVersions } from "./TokenVersions.js"

/**
 * Deletes lapsed one-time codes and refresh tokens, hourly (and at start). Every process that
 * serves sign-in sweeps: the DELETEs are idempotent and cheap on their indexes.
 */
export const SignInSweepLive = Layer.scopedDiscard(Effect.gen(function*() {
  const repo = yield* SignInRepo
  const sweep = Effect.gen(function*() {
    const deleted = yield* repo.deleteExpired(yield* Clock.currentTimeMillis)
    if (deleted.codes + deleted.refreshTokens > 0) {
      yield* Effect.logDebug(`sign-in sweep: ${deleted.codes} lapsed code(s), ${deleted.refreshTokens} lapsed refresh token(s) deleted`)
    }
  }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("sign-in sweep failed", cause)))
  yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced("1 hour")))
}))

/** Customers' repositories, the access-token versions every runner checks tokens against, and the sign-in sweep. */
export const CustomersLive = Layer.mergeAll(DeviceRepo.Default, TokenVersions.Default, CustomerRepo.Default, SignInSweepLive).pipe(
  Layer.provideMerge(SignInRepo.Default)
)
