import { SqlClient } from "@effect/sql"
import type { Language } from "@qc/domain/customers/Customer"
import { Effect, Option, Schema } from "effect"
import { EpochMillisFromTimestamp } from "../platform/SqlValues.js"
import type { OtpState } from "./OtpRules.js"

const OtpRow = Schema.Struct({
  code_hash: Schema.String,
  language: Schema.Literal("en", "hi"),
  expires_at: EpochMillisFromTimestamp,
  attempts: Schema.Number
})
const decodeOtp = Schema.decodeUnknownSync(OtpRow)

const RefreshRow = Schema.Struct({
  customer_id: Schema.String,
  expires_at: EpochMillisFromTimestamp,
  revoked_reason: Schema.NullOr(Schema.Literal("rotated", "logout", "logout_all", "reuse"))
})
const decodeRefresh = Schema.decodeUnknownSync(RefreshRow)
export type RefreshTokenRow = typeof RefreshRow.Type

/** One-time codes and refresh tokens, stored by their hashes only. */
export class SignInRepo extends Effect.Service<SignInRepo>()("SignInRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Replaces the phone's code (a new request makes the old code useless). */
    const saveCode = (phone: string, state: OtpState, language: Language, now: number) =>
      sql`INSERT INTO otp_codes (phone, code_hash, language, expires_at, attempts, sent_at)
        VALUES (${phone}, ${state.codeHash}, ${language}, ${new Date(state.expiresAt)}, ${state.attempts}, ${new Date(now)})
        ON CONFLICT (phone) DO UPDATE SET code_hash = EXCLUDED.code_hash, language = EXCLUDED.language,
          expires_at = EXCLUDED.expires_at, attempts = EXCLUDED.attempts, sent_at = EXCLUDED.sent_at`.pipe(Effect.asVoid, Effect.orDie)

    /** The phone's code, locked until the transaction ends (tries on one code take turns). */
    const lockCode = (phone: string) =>
      sql`SELECT code_hash, language, expires_at, attempts FROM otp_codes WHERE phone = ${phone} FOR UPDATE`.pipe(
        Effect.map((rows) =>
          Option.map(Option.fromNullable(rows[0]), (row) => {
            const r = decodeOtp(row)
            return { state: { codeHash: r.code_hash, expiresAt: r.expires_at, attempts: r.attempts }, language: r.language }
          })
        ),
        Effect.orDie
      )

    const countAttempt = (phone: string, attempts: number) =>
      sql`UPDATE otp_codes SET attempts = ${attempts} WHERE phone = ${phone}`.pipe(Effect.asVoid, Effect.orDie)

    const removeCode = (phone: string) => sql`DELETE FROM otp_codes WHERE phone = ${phone}`.pipe(Effect.asVoid, Effect.orDie)

    /**
     * Deletes codes and refresh tokens past their expiry (neither can be used any more; a
     * lapsed refresh token is refused whether or not its row is there). Answers the counts.
     */
    const deleteExpired = (now: number) =>
      Effect.gen(function*() {
        const codes = yield* sql`DELETE FROM otp_codes WHERE expires_at < ${new Date(now)} RETURNING phone`
        const tokens = yield* sql`DELETE FROM refresh_tokens WHERE expires_at < ${new Date(now)} RETURNING customer_id`
        return { codes: codes.length, refreshTokens: tokens.length }
      }).pipe(Effect.orDie)

    const saveRefreshToken = (hash: string, customerId: string, now: number, expiresAt: number) =>
      sql`INSERT INTO refresh_tokens (token_hash, customer_id, issued_at, expires_at)
        VALUES (${hash}, ${customerId}, ${new Date(now)}, ${new Date(expiresAt)})`.pipe(Effect.asVoid, Effect.orDie)

    const lockRefreshToken = (hash: string) =>
      sql`SELECT customer_id, expires_at, revoked_reason FROM refresh_tokens WHERE token_hash = ${hash} FOR UPDATE`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), decodeRefresh)),
        Effect.orDie
      )

    type Reason = "rotated" | "logout" | "logout_all" | "reuse"

    /** Revokes one token if it is still live. */
    const revokeRefreshToken = (hash: string, reason: Reason, now: number) =>
      sql`UPDATE refresh_tokens SET revoked_at = ${new Date(now)}, revoked_reason = ${reason}
        WHERE token_hash = ${hash} AND revoked_at IS NULL`.pipe(Effect.asVoid, Effect.orDie)

    /** Revokes every live token of the customer. */
    const revokeAllRefreshTokens = (customerId: string, reason: Reason, now: number) =>
      sql`UPDATE refresh_tokens SET revoked_at = ${new Date(now)}, revoked_reason = ${reason}
        WHERE customer_id = ${customerId} AND revoked_at IS NULL`.pipe(Effect.asVoid, Effect.orDie)

    return {
      saveCode,
      lockCode,
      countAttempt,
      removeCode,
      deleteExpired,
      saveRefreshToken,
      lockRefreshToken,
      revokeRefreshToken,
      revokeAllRefreshTokens
    } as const
  })
}) {}
