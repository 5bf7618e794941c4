import { Forbidden, Unauthorized } from "@qc/domain/Errors"
import { StoreId } from "@qc/domain/Ids"
import { CustomerId } from "@qc/domain/orders/Order"
import type { StaffRole } from "@qc/domain/stores/StoreOps"
import { RiderId, StaffId, TokenRole } from "@qc/domain/stores/StoreOps"
import { configuredOrKeptSecret } from "@qc/entities/platform/Secrets"
import { Clock, Config, Context, Duration, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { errors, jwtVerify, SignJWT } from "jose"

/** The HS256 key of every bearer token (customers, staff, riders). */
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

/** Who a token is for: a staff token names its store (`store` claim); no `role` claim means a customer. */
export type TokenFor =
  | {
    readonly role?: "customer" | "rider"
    readonly ttl?: Duration.DurationInput
    /** A customer's access-token version (claim `tv`); tokens without it are of version 0. */
    readonly tokenVersion?: number
  }
  | { readonly role: StaffRole; readonly storeId: string; readonly ttl?: Duration.DurationInput }

/** Who a verified token was issued to. */
export type TokenHolder =
  | { readonly role: "customer"; readonly customerId: CustomerId; readonly tokenVersion: number }
  | { readonly role: StaffRole; readonly staffId: StaffId; readonly storeId: StoreId }
  | { readonly role: "rider"; readonly riderId: RiderId }

/**
 * A token for `subject` (a customer, staff or rider id), valid from now (Effect clock) for
 * `ttl`, by default the longest allowed. Claims: `sub`, and `role` + `store` for staff, `role` for riders,
 * `tv` for a customer's token issued with a `tokenVersion`.
 */
export const issueToken = (subject: string, options: TokenFor = {}) =>
  Effect.gen(function*() {
    const secret = yield* AuthSecret
    const lifetime = options.ttl === undefined ? yield* Effect.orDie(maxTokenTtl) : Duration.decode(options.ttl)
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const exp = now + Math.floor(Duration.toSeconds(lifetime))
    const claims = "storeId" in options
      ? { role: options.role, store: options.storeId }
      : options.role === "rider"
      ? { role: options.role }
      : options.tokenVersion === undefined
      ? {}
      : { tv: options.tokenVersion }
    return yield* Effect.promise(() =>
      new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(subject).setIssuedAt(now).setExpirationTime(exp)
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

/** A claim decoded with `schema`, or a 401 saying what the token lacks. */
const claim = <A, I>(schema: Schema.Schema<A, I>, value: unknown, lacking: string) =>
  Either.match(Schema.decodeUnknownEither(schema)(value), {
    onLeft: () => Effect.fail(unauthorized(lacking)),
    onRight: (a) => Effect.succeed(a)
  })

/**
 * Who a token was issued to, if its HS256 signature checks out, it carries an `exp` that has
 * not passed and that is at most `maxTtl` ahead of now, and its claims fit its role. "Now" is
 * the Effect clock. Every bearer middleware starts here.
 */
export const verifyBearer = (token: string, secret: Uint8Array, maxTtl: Duration.Duration): Effect.Effect<TokenHolder, Unauthorized> =>
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
    const role = yield* claim(TokenRole, payload.role ?? "customer", "bearer token has an unknown role")
    switch (role) {
      case "customer":
        return {
          role,
          customerId: yield* claim(CustomerId, payload.sub, "token has no customer"),
          tokenVersion: yield* claim(Schema.NonNegativeInt, payload.tv ?? 0, "bearer token has an invalid version (tv)")
        }
      case "rider":
        return { role, riderId: yield* claim(RiderId, payload.sub, "token has no rider") }
      case "picker":
      case "store_manager":
        return {
          role,
          staffId: yield* claim(StaffId, payload.sub, "token has no staff member"),
          storeId: yield* claim(StoreId, payload.store, "staff token has no store")
        }
    }
  })

const roleNames: Record<TokenHolder["role"], string> = {
  customer: "customer",
  picker: "picker",
  store_manager: "store manager",
  rider: "rider"
}

/** 403 for a valid token of another role: the caller is known, but may not use this endpoint. */
export const wrongRole = (holder: TokenHolder, endpointsFor: string) =>
  new Forbidden({ message: `these endpoints are for ${endpointsFor}; this is a ${roleNames[holder.role]}'s token` })
