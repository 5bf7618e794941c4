import { CurrentCustomer, CustomerAuth } from "@qc/domain/Api"
import { Unauthorized } from "@qc/domain/Errors"
import { CustomerId } from "@qc/domain/Order"
import { SqlClient } from "@effect/sql"
import { secretInDataDir } from "@qc/entities/Secrets"
import { Config, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { jwtVerify, SignJWT } from "jose"

/** The HS256 key for customer tokens. */
export class AuthSecret extends Context.Tag("AuthSecret")<AuthSecret, Redacted.Redacted<Uint8Array>>() {}

/**
 * `AUTH_SECRET`, or else a random secret kept in `DATA_DIR/auth-secret`, so tokens
 * printed by `pnpm run token` and at start keep working across restarts of the embedded mode.
 */
export const AuthSecretFromConfig = Layer.effect(
  AuthSecret,
  Effect.gen(function*() {
    const configured = yield* Config.option(Config.redacted("AUTH_SECRET"))
    if (Option.isSome(configured)) return Redacted.make(new TextEncoder().encode(Redacted.value(configured.value)))
    const { secret } = yield* secretInDataDir("auth-secret")
    return Redacted.make(new TextEncoder().encode(Redacted.value(secret)))
  })
)

export const issueToken = (customerId: string, ttl = "30d") =>
  Effect.flatMap(AuthSecret, (secret) =>
    Effect.promise(() =>
      new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(customerId).setIssuedAt().setExpirationTime(ttl)
        .sign(Redacted.value(secret))
    ))

const unauthorized = (message: string) => new Unauthorized({ message })

export const CustomerAuthLive = Layer.effect(
  CustomerAuth,
  Effect.gen(function*() {
    const secret = yield* AuthSecret
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
        Effect.tryPromise({
          try: () => jwtVerify(Redacted.value(token), Redacted.value(secret), { algorithms: ["HS256"] }),
          catch: () => unauthorized("invalid or expired bearer token")
        }).pipe(
          Effect.flatMap(({ payload }) =>
            Option.match(Schema.decodeUnknownOption(CustomerId)(payload.sub), {
              onNone: () => Effect.fail(unauthorized("token has no customer")),
              onSome: (id) =>
                Effect.filterOrFail(exists(id), (ok) => ok, () => unauthorized("unknown customer")).pipe(Effect.as(id))
            })
          )
        )
    })
  })
)

export { CurrentCustomer }
