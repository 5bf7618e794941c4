import type { Language } from "@qc/domain/customers/Customer"
import type { PhoneE164 } from "@qc/domain/customers/Phone"
import { ServiceUnavailable, Unauthorized } from "@qc/domain/Errors"
import { CustomerId } from "@qc/domain/orders/Order"
import { CustomerRepo } from "@qc/entities/customers/CustomerRepo"
import { afterCheck, checkOtp, issueOtp, OTP_TTL_MS } from "@qc/entities/customers/OtpRules"
import { newOtpCode, newRefreshToken, otpHash, refreshTokenHash, sameHash } from "@qc/entities/customers/SignInSecrets"
import { SignInRepo } from "@qc/entities/customers/SignInRepo"
import { TokenVersions } from "@qc/entities/customers/TokenVersions"
import { Sms } from "@qc/entities/notifications/Sms"
import { otpText } from "@qc/entities/notifications/Templates"
import { SqlClient } from "@effect/sql"
import { Clock, Duration, Effect, Option, Redacted } from "effect"
import { AuthSecret, issueToken } from "../BearerTokens.js"
import { OtpLimits } from "./OtpLimits.js"

export const accessTokenTtl = Duration.hours(1)
export const refreshTokenTtl = Duration.days(30)

/** One answer for an absent, wrong, expired, burned or used code: which it was is not told. */
const codeRefused = new Unauthorized({ message: "code is wrong or has expired; ask for a new one" })
const refreshRefused = new Unauthorized({ message: "refresh token is not valid; sign in again" })

/**
 * Sign-in by phone. Codes and refresh tokens are stored as HMACs keyed from the auth secret;
 * neither they nor the code ever reach a log or an error body.
 */
export class SignIn extends Effect.Service<SignIn>()("SignIn", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const authSecret = yield* AuthSecret
    const secret = Redacted.value(authSecret)
    const codes = yield* SignInRepo
    const customers = yield* CustomerRepo
    const versions = yield* TokenVersions
    const sms = yield* Sms
    const limits = yield* OtpLimits

    /**
     * Sends a new code, replacing the phone's previous one. The same work and answer whether
     * or not a customer has this phone: customers are not looked at until a code is verified.
     */
    const requestCode = Effect.fn("SignIn.requestCode")(function*(phone: PhoneE164, language: Language, address: string) {
      yield* limits.take(phone, address)
      const now = yield* Clock.currentTimeMillis
      const code = newOtpCode()
      yield* codes.saveCode(phone, issueOtp(otpHash(secret, phone, code), now), language, now)
      yield* sms.send({ to: phone, text: otpText(code, language), kind: "otp" }).pipe(
        Effect.catchAll((failure) =>
          Effect.logWarning("SignIn: the OTP SMS was not sent").pipe(
            Effect.annotateLogs({ reason: failure.message }),
            Effect.zipRight(Effect.fail(new ServiceUnavailable({ message: "the code could not be sent; retry shortly" })))
          )
        )
      )
      return { expiresInSeconds: OTP_TTL_MS / 1000, resendAfterSeconds: Math.round(Duration.toSeconds(limits.settings.resendAfter)) }
    })

    /** A new refresh token for the customer, stored by its hash; call inside the transaction that justifies it. */
    const mintRefreshToken = (customerId: string, now: number) => {
      const token = newRefreshToken()
      return Effect.as(codes.saveRefreshToken(refreshTokenHash(secret, token), customerId, now, now + Duration.toMillis(refreshTokenTtl)), token)
    }

    const tokensFor = (customerId: string, tokenVersion: number, refreshToken: string) =>
      Effect.map(
        issueToken(customerId, { ttl: accessTokenTtl, tokenVersion }).pipe(Effect.provideService(AuthSecret, authSecret)),
        (accessToken) => ({
          accessToken,
          refreshToken,
          expiresIn: Duration.toSeconds(accessTokenTtl),
          customerId: CustomerId.make(customerId)
        })
      )

    /**
     * Checks the code (a wrong try counted, the fifth burning it; a right one used up), then
     * signs the customer in, creating them on their first sign-in.
     */
    const verify = Effect.fn("SignIn.verify")(function*(phone: PhoneE164, code: string) {
      const outcome = yield* sql.withTransaction(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const stored = yield* codes.lockCode(phone)
        const state = Option.getOrUndefined(Option.map(stored, (s) => s.state))
        // Hashed even when there is no code, so an absent code takes as long as a wrong one.
        const matches = sameHash(otpHash(secret, phone, code), state?.codeHash ?? "00".repeat(32)) && /^[0-9]{6}$/.test(code)
        const check = checkOtp(state, matches, now)
        if (check._tag === "Absent") return Option.none()
        const left = afterCheck(check)
        yield* left === undefined ? codes.removeCode(phone) : codes.countAttempt(phone, left.attempts)
        if (check._tag !== "Accepted" || Option.isNone(stored)) return Option.none()
        const customer = yield* customers.signInByPhone(phone, stored.value.language, now)
        const refreshToken = yield* mintRefreshToken(customer.customerId, now)
        return Option.some({ ...customer, refreshToken })
      })).pipe(Effect.orDie)
      if (Option.isNone(outcome)) return yield* Effect.fail(codeRefused)
      const { customerId, isNew, refreshToken, tokenVersion } = outcome.value
      return { ...(yield* tokensFor(customerId, tokenVersion, refreshToken)), isNew }
    })

    /**
     * Rotation: the token is spent and a new one answered. A token already rotated coming
     * back means two holders (one of them a thief): every refresh token of the customer is revoked.
     */
    const refresh = Effect.fn("SignIn.refresh")(function*(refreshToken: string) {
      const hash = refreshTokenHash(secret, refreshToken)
      const outcome = yield* sql.withTransaction(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const row = yield* codes.lockRefreshToken(hash)
        if (Option.isNone(row)) return Option.none()
        const { customer_id: customerId, expires_at, revoked_reason } = row.value
        if (revoked_reason === "rotated") {
          yield* codes.revokeAllRefreshTokens(customerId, "reuse", now)
          yield* Effect.logWarning("SignIn: a rotated refresh token was used again; all of the customer's refresh tokens revoked").pipe(
            Effect.annotateLogs({ customerId })
          )
          return Option.none()
        }
        if (revoked_reason !== null || now >= expires_at) return Option.none()
        const version = yield* customers.tokenVersion(customerId)
        if (Option.isNone(version)) return Option.none()
        yield* codes.revokeRefreshToken(hash, "rotated", now)
        const next = yield* mintRefreshToken(customerId, now)
        return Option.some({ customerId, tokenVersion: version.value, refreshToken: next })
      })).pipe(Effect.orDie)
      if (Option.isNone(outcome)) return yield* Effect.fail(refreshRefused)
      return yield* tokensFor(outcome.value.customerId, outcome.value.tokenVersion, outcome.value.refreshToken)
    })

    /** Revokes one refresh token; the same answer whatever the token was. */
    const logout = Effect.fn("SignIn.logout")(function*(refreshToken: string) {
      const now = yield* Clock.currentTimeMillis
      yield* codes.revokeRefreshToken(refreshTokenHash(secret, refreshToken), "logout", now)
    })

    /** Every refresh token revoked, every access token issued so far refused (this runner at once, others within 10 s). */
    const logoutAll = Effect.fn("SignIn.logoutAll")(function*(customerId: string) {
      const version = yield* sql.withTransaction(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* codes.revokeAllRefreshTokens(customerId, "logout_all", now)
        return yield* customers.bumpTokenVersion(customerId, now)
      })).pipe(Effect.orDie)
      yield* versions.bumped(customerId, version)
    })

    return { requestCode, verify, refresh, logout, logoutAll } as const
  })
}) {}
