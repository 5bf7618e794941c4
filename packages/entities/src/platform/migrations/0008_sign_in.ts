import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Sign-in by phone: one-time codes, refresh tokens, access-token versions, delivery addresses. */
export const signInMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Access tokens carry the version they were issued under (claim `tv`, absent = 0); "sign out
  // everywhere" bumps it. A counter, not a time: a token issued in the same second as the
  // sign-out would otherwise be refused or accepted by chance of `iat`'s rounding.
  yield* sql`ALTER TABLE customers ADD COLUMN token_version integer NOT NULL DEFAULT 0`
  // The latest code asked for a phone, as an HMAC bound to the phone: never the code itself.
  yield* sql`CREATE TABLE otp_codes (
    phone text PRIMARY KEY,
    code_hash text NOT NULL,
    language text NOT NULL CHECK (language IN ('en', 'hi')),
    expires_at timestamptz NOT NULL,
    attempts integer NOT NULL CHECK (attempts >= 0),
    sent_at timestamptz NOT NULL
  )`
  // Opaque refresh tokens, by their HMAC. A rotated token is kept (revoked) so that its reuse is seen.
  yield* sql`CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers(id),
    issued_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_reason text CHECK (revoked_reason IN ('rotated', 'logout', 'logout_all', 'reuse'))
  )`
  yield* sql`CREATE INDEX refresh_tokens_customer ON refresh_tokens (customer_id) WHERE revoked_at IS NULL`
  yield* sql`CREATE TABLE customer_addresses (
    id text PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers(id),
    label text NOT NULL,
    line1 text NOT NULL,
    line2 text,
    pincode text NOT NULL,
    lat double precision NOT NULL,
    lng double precision NOT NULL,
    created_at timestamptz NOT NULL
  )`
  yield* sql`CREATE INDEX customer_addresses_customer ON customer_addresses (customer_id, created_at, id)`
})
