import { CurrentCustomer, CustomerAuth } from "@qc/domain/Api"
import { Unauthorized } from "@qc/domain/Errors"
import { TokenVersions } from "@qc/entities/customers/TokenVersions"
import type { Duration } from "effect"
import { Effect, Layer, Option, Redacted } from "effect"
import { AuthSecret, maxTokenTtl, verifyBearer, wrongRole } from "./BearerTokens.js"

/**
 * The customer holder a token names, with the access-token version it carries (claim `tv`, 0
 * when absent): as `verifyBearer`, and then 403 for a staff or rider token (valid, but not a customer's).
 */
export const verifyCustomerToken = (token: string, secret: Uint8Array, maxTtl: Duration.Duration) =>
  Effect.flatMap(verifyBearer(token, secret, maxTtl), (holder) =>
    holder.role === "customer" ? Effect.succeed(holder) : Effect.fail(wrongRole(holder, "customers")))

/** The customer id a token names (see `verifyCustomerToken`). */
export const verifyToken = (token: string, secret: Uint8Array, maxTtl: Duration.Duration) =>
  Effect.map(verifyCustomerToken(token, secret, maxTtl), (holder) => holder.customerId)

/**
 * Customer tokens: well signed, for a customer the database knows, and of the customer's current
 * access-token version (a "sign out everywhere" bumps it). The version is cached per runner for
 * at most 10 s (`TokenVersions`), so checkout does not read the database on every request.
 */
export const CustomerAuthLive = Layer.effect(
  CustomerAuth,
  Effect.gen(function*() {
    const secret = yield* AuthSecret
    const maxTtl = yield* Effect.orDie(maxTokenTtl)
    const versions = yield* TokenVersions
    return CustomerAuth.of({
      bearer: (token) =>
        Effect.gen(function*() {
          const holder = yield* verifyCustomerToken(Redacted.value(token), Redacted.value(secret), maxTtl)
          const accepted = yield* versions.accepts(holder.customerId, holder.tokenVersion)
          if (Option.isNone(accepted)) return yield* Effect.fail(new Unauthorized({ message: "unknown customer" }))
          if (!accepted.value) return yield* Effect.fail(new Unauthorized({ message: "signed out; sign in again" }))
          return holder.customerId
        })
    })
  })
)

export { CurrentCustomer }
// Where these lived before staff and rider tokens; callers (tests, bench, other branches) import them from here.
export { AuthSecret, AuthSecretFromConfig, authSecretConfigured, issueToken, maxTokenTtl } from "./BearerTokens.js"
