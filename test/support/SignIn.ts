import { HttpApiClient } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Api } from "@qc/domain/Api"
import { normalizeIndianMobile } from "@qc/domain/customers/Phone"
import { Effect, Option } from "effect"

/** The latest sign-in code texted to `phone` (any accepted spelling), as a developer reads it: from `local_messages`. */
export const lastOtp = (phone: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const to = Option.getOrElse(normalizeIndianMobile(phone), () => phone)
    const rows = yield* sql<{ body: string }>`SELECT body FROM local_messages
      WHERE channel = 'sms' AND recipient = ${to} AND data->>'kind' = 'otp' ORDER BY id DESC LIMIT 1`
    const code = /\b(\d{6})\b/.exec(rows[0]?.body ?? "")?.[1]
    if (code === undefined) return yield* Effect.dieMessage(`no sign-in code was texted to ${to}`)
    return code
  }).pipe(Effect.orDie)

/**
 * Signs `phone` in over HTTP (OTP request, the code from `local_messages`, verify), creating the
 * customer on their first sign-in. Needs the test stack (its HTTP client and database).
 */
export const signIn = (phone: string) =>
  Effect.gen(function*() {
    const client = yield* HttpApiClient.make(Api)
    const e164 = yield* Option.match(normalizeIndianMobile(phone), {
      onNone: () => Effect.dieMessage(`${phone} is not an Indian mobile number`),
      onSome: Effect.succeed
    })
    yield* client.auth.otp({ payload: { phone: e164 } })
    const code = yield* lastOtp(e164)
    const { accessToken, customerId, refreshToken } = yield* client.auth.verify({ payload: { phone: e164, code } })
    return { accessToken, refreshToken, customerId }
  }).pipe(Effect.orDie)
