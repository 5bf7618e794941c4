import { CurrentCustomer, CustomerAuth } from "@qc/domain/Api"
import { Unauthorized } from "@qc/domain/Errors"
import { CustomerId } from "@qc/domain/orders/Order"
import { SqlClient } from "@effect/sql"
import { configuredOrKeptSecret } from "@qc/entities/platform/Secrets"
import { Clock, Config, Context, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { errors, jwtVerify, SignJWT } from "jose"

/** The HS256 key for customer tokens. */
export class AuthSecret extends Context.Tag("AuthSecret")<AuthSecret, Redacted.Redacted<Uint8Array>>() {}

const configuredSecret = Config.option(Config.redacted("AUTH_SECRET"))

/** Whether `AUTH_SECRET` is set; if not, the server makes up its own secret (kept in DATA_DIR). */
export const authSecretConfigured = Effect.map(configuredSecret, Option.isSome)

/**
 * `AUTH_SECRET`, or else a random secret kept in `DATA_DIR/auth-secret`, so tokens
 * printed by `pnpm run token` and at start keep working across restarts of the embedded mode.
 */
export const AuthSecretFromConfig = Layer.effect(
  AuthSecret,
  Effect.map(configuredOrKeptSecret("AUTH_SECRET", "auth-secret"), ({ secret }) => Redacted.make(new TextEncoder().encode(Redacted.value(secret))))
)

/**
 * How far ahead of now a token's `exp` may be: `AUTH_MAX_TOKEN_TTL`, in hours ("24") or as a
 * duration ("90 minutes"); 24 hours by default. A stolen token is then good for a day at most,
 * whatever its issuer wrote into it.
 */
export const maxTokenTtl: Config.Config<Duration.Duration> = Config.orElse(
  Config.map(Config.number("AUTH_MAX_TOKEN_TTL"), Duration.hours),
  () => Config.duration("AUTH_MAX_TOKEN_TTL")
).pipe(
  Config.withDefault(Duration.hours(24)),
  Config.validate({ message: "AUTH_MAX_TOKEN_TTL must be more than zero", validation: (d) => Duration.toMillis(d) > 0 })
)

/** Clocks of the machine that issued a token and of this one may differ by this much. */
const clockSkew = Duration.minutes(1)

/** A token for `customerId`, valid from now (Effect clock) for `ttl`, by default the longest allowed. */
export const issueToken = (customerId: string, ttl?: Duration.DurationInput) =>
  Effect.gen(function*() {
    const secret = yield* AuthSecret
    const lifetime = ttl === undefined ? yield* Effect.orDie(maxTokenTtl) : Duration.decode(ttl)
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const exp = now + Math.floor(Duration.toSeconds(lifetime))
    return yield* Effect.promise(() =>
      new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(customerId).setIssuedAt(now).setExpirationTime(exp)
        .sign(Redacted.value(secret))
    )
  })

const unauthorized = (message: string) => new Unauthorized({ message })

const refusal = (error: unknown) =>
  unauthorized(
    error instanceof errors.JWTExpired
      ? "bearer token expired"
      : error instanceof errors.JWTClaimValidationFailed && error.claim === "exp" && error.reason === "missing"
      ? "bearer token has no expiry (exp)"
      : "invalid bearer token"
  )

/**
 * The customer a token names, if its HS256 signature checks out, it carries an `exp` that has
 * not passed and that is at most `maxTtl` ahead of now. "Now" is the Effect clock.
 */
export const verifyToken = (token: string, secret: Uint8Array, maxTtl: Duration.Duration) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const { payload } = yield* Effect.tryPromise({
      try: () => jwtVerify(token, secret, { algorithms: ["HS256"], currentDate: new Date(now), requiredClaims: ["exp"] }),
      catch: refusal
    })
    const latest = now + Duration.toMillis(maxTtl) + Duration.toMillis(clockSkew)
    if (payload.exp === undefined || payload.exp * 1000 > latest) {
      return yield* Effect.fail(unauthorized(`bearer token lives longer than ${Duration.format(maxTtl)}; ask for a new one`))
    }
    return yield* Option.match(Schema.decodeUnknownOption(CustomerId)(payload.sub), {
      onNone: () => Effect.fail(unauthorized("token has no customer")),
      onSome: Effect.succeed
    })
  })

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
          Effect.filterOrFail(exists(id), (ok) => ok, () => unauthorized("unknown customer")).pipe(Effect.as(id)))
    })
  })
)

export { CurrentCustomer }
