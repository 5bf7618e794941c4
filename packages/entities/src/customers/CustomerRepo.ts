import { SqlClient } from "@effect/sql"
import type { Language, ProfileUpdate } from "@qc/domain/customers/Customer"
import { AddressId, AddressLimitReached, maxAddresses } from "@qc/domain/customers/Customer"
import { PhoneE164 } from "@qc/domain/customers/Phone"
import { CustomerId } from "@qc/domain/orders/Order"
import { Effect, Option, Schema } from "effect"
import { newId } from "./SignInSecrets.js"

const CustomerRow = Schema.Struct({
  id: CustomerId,
  phone: PhoneE164,
  name: Schema.String,
  email: Schema.NullOr(Schema.String),
  language: Schema.Literal("en", "hi"),
  default_address_id: Schema.NullOr(AddressId)
})
export type CustomerRow = typeof CustomerRow.Type
const decodeCustomer = Schema.decodeUnknownSync(CustomerRow)

const AddressRow = Schema.Struct({
  id: AddressId,
  label: Schema.String,
  line1: Schema.String,
  line2: Schema.NullOr(Schema.String),
  pincode: Schema.String,
  lat: Schema.Number,
  lng: Schema.Number
})
export type AddressRow = typeof AddressRow.Type
const decodeAddresses = Schema.decodeUnknownSync(Schema.Array(AddressRow))

export interface NewAddressRow {
  readonly label: string
  readonly line1: string
  readonly line2?: string | undefined
  readonly pincode: string
  readonly lat: number
  readonly lng: number
}

/** Customers (profile, access-token version) and their delivery addresses. */
export class CustomerRepo extends Effect.Service<CustomerRepo>()("CustomerRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * The customer with this phone, created (name empty, `language`) if there is none. Two first
     * sign-ins of one phone at once: the unique phone index lets one insert, the other finds it.
     */
    const signInByPhone = (phone: string, language: Language, now: number) =>
      Effect.gen(function*() {
        const created = yield* sql<{ id: string; token_version: number }>`INSERT INTO customers (id, name, phone, created_at, language)
          VALUES (${newId("cus_")}, '', ${phone}, ${new Date(now)}, ${language})
          ON CONFLICT (phone) DO NOTHING RETURNING id, token_version`
        if (created.length > 0) return { customerId: created[0].id, tokenVersion: created[0].token_version, isNew: true }
        const [found] = yield* sql<{ id: string; token_version: number }>`SELECT id, token_version FROM customers WHERE phone = ${phone}`
        return { customerId: found.id, tokenVersion: found.token_version, isNew: false }
      }).pipe(Effect.orDie)

    /** The version an access token must carry (claim `tv`); none for an unknown customer. */
    const tokenVersion = (customerId: string) =>
      sql<{ token_version: number }>`SELECT token_version FROM customers WHERE id = ${customerId}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (r) => r.token_version)),
        Effect.orDie
      )

    /** Every access token issued so far stops working; answers the new version. */
    const bumpTokenVersion = (customerId: string, now: number) =>
      sql<{ token_version: number }>`UPDATE customers SET token_version = token_version + 1, tokens_revoked_at = ${new Date(now)}
        WHERE id = ${customerId} RETURNING token_version`.pipe(
        Effect.map((rows) => rows[0]?.token_version ?? 0),
        Effect.orDie
      )

    const find = (customerId: string) =>
      sql`SELECT id, phone, name, email, language, default_address_id FROM customers WHERE id = ${customerId}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), decodeCustomer)),
        Effect.orDie
      )

    /** Changes the fields present in `patch` (`null` clears email or the default address). */
    const update = (customerId: string, patch: ProfileUpdate) =>
      sql`UPDATE customers SET
          name = CASE WHEN ${patch.name !== undefined} THEN ${patch.name ?? null}::text ELSE name END,
          email = CASE WHEN ${patch.email !== undefined} THEN ${patch.email ?? null}::text ELSE email END,
          language = CASE WHEN ${patch.language !== undefined} THEN ${patch.language ?? null}::text ELSE language END,
          default_address_id = CASE WHEN ${patch.defaultAddressId !== undefined} THEN ${patch.defaultAddressId ?? null}::text
            ELSE default_address_id END
        WHERE id = ${customerId}`.pipe(Effect.asVoid, Effect.orDie)

    const addresses = (customerId: string) =>
      sql`SELECT id, label, line1, line2, pincode, lat, lng FROM customer_addresses
        WHERE customer_id = ${customerId} ORDER BY created_at, id`.pipe(Effect.map(decodeAddresses), Effect.orDie)

    /** Whether the address is the customer's, locking it until the transaction ends (a delete waits). */
    const lockAddress = (customerId: string, addressId: string) =>
      sql`SELECT id FROM customer_addresses WHERE id = ${addressId} AND customer_id = ${customerId} FOR UPDATE`.pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie
      )

    const addAddress = (customerId: string, address: NewAddressRow, now: number) =>
      Effect.gen(function*() {
        // The customer's row is locked so two saves at once cannot both slip under the cap.
        yield* sql`SELECT id FROM customers WHERE id = ${customerId} FOR UPDATE`
        const [{ n }] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM customer_addresses WHERE customer_id = ${customerId}`
        if (n >= maxAddresses) {
          return yield* Effect.fail(new AddressLimitReached({ maxAddresses, message: `at most ${maxAddresses} addresses; remove one first` }))
        }
        const id = AddressId.make(newId("adr_"))
        yield* sql`INSERT INTO customer_addresses (id, customer_id, label, line1, line2, pincode, lat, lng, created_at)
          VALUES (${id}, ${customerId}, ${address.label}, ${address.line1}, ${address.line2 ?? null}, ${address.pincode},
                  ${address.lat}, ${address.lng}, ${new Date(now)})`
        // The first address a customer saves is where they want things delivered until they say otherwise.
        yield* sql`UPDATE customers SET default_address_id = ${id} WHERE id = ${customerId} AND default_address_id IS NULL`
        return { id, label: address.label, line1: address.line1, line2: address.line2 ?? null, pincode: address.pincode, lat: address.lat, lng: address.lng }
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    /** Removes the address if it is the customer's, and the default with it if it was the default. */
    const removeAddress = (customerId: string, addressId: string) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`UPDATE customers SET default_address_id = NULL WHERE id = ${customerId} AND default_address_id = ${addressId}`
        yield* sql`DELETE FROM customer_addresses WHERE id = ${addressId} AND customer_id = ${customerId}`
      })).pipe(Effect.orDie)

    /** The pincode of the customer's default address, if they have one. */
    const defaultPincode = (customerId: string) =>
      sql<{ pincode: string }>`SELECT a.pincode FROM customers c JOIN customer_addresses a ON a.id = c.default_address_id
        WHERE c.id = ${customerId}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (r) => r.pincode)),
        Effect.orDie
      )

    return { defaultPincode, signInByPhone, tokenVersion, bumpTokenVersion, find, update, addresses, lockAddress, addAddress, removeAddress } as const
  })
}) {}
