import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Lets the hourly sign-in sweep find lapsed one-time codes and refresh tokens by their expiry. */
export const signInExpiryMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX otp_codes_expires ON otp_codes (expires_at)`
  yield* sql`CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at)`
})
