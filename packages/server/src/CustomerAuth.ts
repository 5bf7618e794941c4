import { CurrentCustomer, CustomerAuth } from "@qc/domain/Api"
import { Unauthorized } from "@qc/domain/Errors"
import type { CustomerId } from "@qc/domain/orders/Order"
import { SqlClient } from "@effect/sql"
import type { Duration } from "effect"
import { Effect, Layer, Redacted } from "effect"
import { AuthSecret, maxTokenTtl, verifyBearer, wrongRole } from "./BearerTokens.js"

/**
 * The customer a token names: as `verifyBearer`, and then 403 for a staff or rider token
 * (valid, but not a customer's).
 */
export const verifyToken = (token: string, secret: Uint8Array, maxTtl: Duration.Duration) =>
  Effect.flatMap(verifyBearer(token, secret, maxTtl), (holder) =>
    holder.role === "customer" ? Effect.succeed(holder.customerId) : Effect.fail(wrongRole(holder, "customers")))

export const CustomerAuthLive = Layer.effect(
  CustomerAuth,
  Effect.gen(function*() {
    const secret = yield* AuthSecret
    const maxTtl = yield* Effect.orDie(maxTokenTtl)
    const sql = yield* SqlClient.SqlClient
    const known = new Set<string>()
    const exists = (id: CustomerId) =>
      known.has(id) ? Effect.succeed(true) : sql`SELECT 1 FROM customers WHERE id = ${id}`.pipe(
        Effect.map((rows) => {
          if (rows.length > 0) known.add(id)
          return rows.length > 0
        }),
        Effect.orDie
      )
    return CustomerAuth.of({
      bearer: (token) =>
        Effect.flatMap(verifyToken(Redacted.value(token), Redacted.value(secret), maxTtl), (id) =>
          Effect.filterOrFail(exists(id), (ok) => ok, () => new Unauthorized({ message: "unknown customer" })).pipe(Effect.as(id)))
    })
  })
)

export { CurrentCustomer }
// Where these lived before staff and rider tokens; callers (tests, bench, other branches) import them from here.
export { AuthSecret, AuthSecretFromConfig, authSecretConfigured, issueToken, maxTokenTtl } from "./BearerTokens.js"
