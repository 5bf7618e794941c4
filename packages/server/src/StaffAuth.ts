import { SqlClient } from "@effect/sql"
import { RiderAuth, StaffAuth } from "@qc/domain/Api"
import { Unauthorized } from "@qc/domain/Errors"
import type { StaffRole } from "@qc/domain/stores/StoreOps"
import { Clock, Duration, Effect, Layer, Option, Redacted } from "effect"
import { AuthSecret, maxTokenTtl, verifyBearer, wrongRole } from "./BearerTokens.js"

/**
 * How long a staff member or rider found in the database is taken as known without asking
 * again: a removed picker or a changed role takes effect within this, not at the next restart.
 */
export const knownFor = Duration.minutes(1)

/** `lookup`, with the rows it found remembered for `knownFor` (by the Effect clock); misses are asked again. */
const rememberFound = <A>(lookup: (id: string) => Effect.Effect<Option.Option<A>>) => {
  const found = new Map<string, { readonly value: A; readonly until: number }>()
  return (id: string) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const hit = found.get(id)
      if (hit !== undefined && hit.until > now) return Option.some(hit.value)
      const row = yield* lookup(id)
      if (Option.isSome(row)) found.set(id, { value: row.value, until: now + Duration.toMillis(knownFor) })
      else found.delete(id)
      return row
    })
}

const verifier = Effect.gen(function*() {
  const secret = yield* AuthSecret
  const maxTtl = yield* Effect.orDie(maxTokenTtl)
  return (token: Redacted.Redacted) => verifyBearer(Redacted.value(token), Redacted.value(secret), maxTtl)
})

/**
 * Store-app tokens: role `picker` or `store_manager` with a `store` claim, for a row of
 * `store_staff` with that id, store and role. A customer's or rider's token: 403; a staff
 * member the database does not know (or knows at another store or in another role): 401.
 */
export const makeStaffBearer = Effect.gen(function*() {
  const verify = yield* verifier
  const sql = yield* SqlClient.SqlClient
  const staffRow = rememberFound((id) =>
    sql<{ store_id: string; role: StaffRole; name: string }>`SELECT store_id, role, name FROM store_staff WHERE id = ${id}`.pipe(
      Effect.map((rows) => Option.fromNullable(rows[0])),
      Effect.orDie
    )
  )
  return (token: Redacted.Redacted) =>
    Effect.gen(function*() {
      const holder = yield* verify(token)
      if (holder.role !== "picker" && holder.role !== "store_manager") return yield* Effect.fail(wrongRole(holder, "store staff"))
      const row = yield* staffRow(holder.staffId)
      if (Option.isNone(row) || row.value.store_id !== holder.storeId || row.value.role !== holder.role) {
        return yield* Effect.fail(new Unauthorized({ message: "unknown staff member for this store and role; ask for a new token" }))
      }
      return { staffId: holder.staffId, role: holder.role, storeId: holder.storeId, name: row.value.name }
    })
})

/** Rider-app tokens: role `rider`, for a row of `riders`. Another role: 403; an unknown rider: 401. */
export const makeRiderBearer = Effect.gen(function*() {
  const verify = yield* verifier
  const sql = yield* SqlClient.SqlClient
  const riderName = rememberFound((id) =>
    sql<{ name: string }>`SELECT name FROM riders WHERE id = ${id}`.pipe(
      Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (r) => r.name)),
      Effect.orDie
    )
  )
  return (token: Redacted.Redacted) =>
    Effect.gen(function*() {
      const holder = yield* verify(token)
      if (holder.role !== "rider") return yield* Effect.fail(wrongRole(holder, "riders"))
      const name = yield* riderName(holder.riderId)
      if (Option.isNone(name)) return yield* Effect.fail(new Unauthorized({ message: "unknown rider; ask for a new token" }))
      return { riderId: holder.riderId, name: name.value }
    })
})

export const StaffAuthLive = Layer.effect(StaffAuth, Effect.map(makeStaffBearer, (bearer) => StaffAuth.of({ bearer })))
export const RiderAuthLive = Layer.effect(RiderAuth, Effect.map(makeRiderBearer, (bearer) => RiderAuth.of({ bearer })))
