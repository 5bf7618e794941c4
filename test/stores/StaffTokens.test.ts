import { SqlClient } from "@effect/sql"
import { describe, expect, it, layer } from "@effect/vitest"
import { CurrentStaff } from "@qc/domain/Api"
import { StoreId } from "@qc/domain/Ids"
import { StaffId } from "@qc/domain/stores/StoreOps"
import { seedDemoCatalogue } from "@qc/entities/demo/Seed"
import * as Migrations from "@qc/entities/platform/Migrations"
import { AuthSecret, issueToken, verifyBearer } from "@qc/server/BearerTokens"
import { verifyToken } from "@qc/server/CustomerAuth"
import { knownFor, makeRiderBearer, makeStaffBearer } from "@qc/server/StaffAuth"
import { requireManager, requireStore } from "@qc/server/stores/StaffAccess"
import { Duration, Effect, Layer, Redacted, TestClock } from "effect"
import { createHmac } from "node:crypto"
import { makeTestDatabase } from "../support/TestDatabase.js"

const secret = new TextEncoder().encode("staff-token-secret")
const Secret = Layer.succeed(AuthSecret, Redacted.make(secret))
const T0 = Date.UTC(2026, 2, 10, 6, 0)
const day = Duration.hours(24)

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
/** A token signed with our secret and whatever claims a test needs (ours never has these shapes). */
const signed = (claims: Record<string, unknown>) => {
  const unsigned = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({ exp: T0 / 1000 + 3600, ...claims })}`
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`
}
const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"))

const refusal = <A, E extends { readonly _tag: string; readonly message: string }>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.flip(effect), (e) => [e._tag, e.message] as const)

describe("staff and rider tokens", () => {
  it.effect("carry role and store claims, and verify to who they were issued to", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const picker = yield* issueToken("pune-baner-picker-1", { role: "picker", storeId: "pune-baner" })
      const manager = yield* issueToken("pune-baner-manager", { role: "store_manager", storeId: "pune-baner" })
      const rider = yield* issueToken("rider-pune-baner-1", { role: "rider" })
      const customer = yield* issueToken("cust-demo-1")
      const iat = T0 / 1000
      const exp = iat + 24 * 3600
      expect(claimsOf(picker)).toEqual({ sub: "pune-baner-picker-1", role: "picker", store: "pune-baner", iat, exp })
      expect(claimsOf(rider)).toEqual({ sub: "rider-pune-baner-1", role: "rider", iat, exp })
      expect(claimsOf(customer)).toEqual({ sub: "cust-demo-1", iat, exp })
      expect(yield* verifyBearer(picker, secret, day)).toEqual({ role: "picker", staffId: "pune-baner-picker-1", storeId: "pune-baner" })
      expect(yield* verifyBearer(manager, secret, day)).toEqual({ role: "store_manager", staffId: "pune-baner-manager", storeId: "pune-baner" })
      expect(yield* verifyBearer(rider, secret, day)).toEqual({ role: "rider", riderId: "rider-pune-baner-1" })
      expect(yield* verifyBearer(customer, secret, day)).toEqual({ role: "customer", customerId: "cust-demo-1", tokenVersion: 0 })
      // A short-lived one, by the Effect clock like a customer's.
      const brief = yield* issueToken("pune-baner-picker-2", { role: "picker", storeId: "pune-baner", ttl: "1 hour" })
      yield* TestClock.adjust("59 minutes")
      expect((yield* verifyBearer(brief, secret, day)).role).toBe("picker")
      yield* TestClock.adjust("1 minute")
      expect(yield* refusal(verifyBearer(brief, secret, day))).toEqual(["Unauthorized", "bearer token expired"])
    }).pipe(Effect.provide(Secret)))

  it.effect("claims that do not fit the role are refused (401)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const verify = (claims: Record<string, unknown>) => refusal(verifyBearer(signed(claims), secret, day))
      expect(yield* verify({ sub: "pune-baner-picker-1", role: "admin" })).toEqual(["Unauthorized", "bearer token has an unknown role"])
      expect(yield* verify({ sub: "pune-baner-picker-1", role: "picker" })).toEqual(["Unauthorized", "staff token has no store"])
      expect(yield* verify({ sub: "pune-baner-picker-1", role: "picker", store: "no/such store" }))
        .toEqual(["Unauthorized", "staff token has no store"])
      expect(yield* verify({ role: "store_manager", store: "pune-baner" })).toEqual(["Unauthorized", "token has no staff member"])
      expect(yield* verify({ sub: "", role: "rider" })).toEqual(["Unauthorized", "token has no rider"])
      expect(yield* verify({ sub: 42 })).toEqual(["Unauthorized", "token has no customer"])
      // Signed with another key: the role inside is never looked at.
      const forged = `${signed({ sub: "x", role: "picker", store: "pune-baner" }).slice(0, -4)}AAAA`
      expect(yield* refusal(verifyBearer(forged, secret, day))).toEqual(["Unauthorized", "invalid bearer token"])
    }))

  it.effect("a staff or rider token is a valid token but not a customer's: 403", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const picker = yield* issueToken("pune-baner-picker-1", { role: "picker", storeId: "pune-baner" })
      const rider = yield* issueToken("rider-pune-baner-1", { role: "rider" })
      expect(yield* refusal(verifyToken(picker, secret, day)))
        .toEqual(["Forbidden", "these endpoints are for customers; this is a picker's token"])
      expect(yield* refusal(verifyToken(rider, secret, day)))
        .toEqual(["Forbidden", "these endpoints are for customers; this is a rider's token"])
    }).pipe(Effect.provide(Secret)))

  it.effect("requireStore and requireManager compare the token's store and role with the path's", () =>
    Effect.gen(function*() {
      const picker = { staffId: StaffId.make("pune-baner-picker-1"), role: "picker" as const, storeId: StoreId.make("pune-baner"), name: "Sachin Patil" }
      const asPicker = Effect.provideService(CurrentStaff, picker)
      const asManager = Effect.provideService(CurrentStaff, { ...picker, staffId: StaffId.make("pune-baner-manager"), role: "store_manager" as const })
      expect(yield* asPicker(requireStore("pune-baner"))).toEqual(picker)
      expect(yield* refusal(asPicker(requireStore("pune-aundh")))).toEqual(["Forbidden", "this token is for store pune-baner"])
      expect(yield* refusal(asPicker(requireManager("pune-baner"))))
        .toEqual(["Forbidden", "only the store manager of pune-baner may do this"])
      expect((yield* asManager(requireManager("pune-baner"))).role).toBe("store_manager")
      expect(yield* refusal(asManager(requireManager("pune-aundh")))).toEqual(["Forbidden", "this token is for store pune-baner"])
    }))
})

/** Migrated, demo-seeded (12 stores, their staff), and a rider of the test's own. */
const Database = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) =>
  Layer.effectDiscard(Effect.gen(function*() {
    yield* Effect.orDie(Migrations.run)
    yield* seedDemoCatalogue({ skuCount: 5 })
    const sql = yield* SqlClient.SqlClient
    // The demo seeds riders too (rider-{storeId}-{n}); this one is the test's own.
    yield* Effect.orDie(sql`INSERT INTO riders (id, name, phone, home_store_id, region, lat, lng, updated_at)
      VALUES ('rider-tokens-test', 'Arjun Pawar', '+919811100001', 'pune-baner', 'pune-west', 18.559, 73.7868, now())
      ON CONFLICT (id) DO NOTHING`)
  })).pipe(Layer.provideMerge(db.layer))
)).pipe(Layer.provideMerge(Secret))

describe("staff and rider middleware over the database", () => {
  layer(Database, { timeout: "60 seconds" })((it) => {
    it.effect("a demo picker's and manager's tokens give their name, store and role; other roles 403; strangers 401", () =>
      Effect.gen(function*() {
        const staff = yield* makeStaffBearer
        const as = (token: string) => staff(Redacted.make(token))
        const picker = yield* issueToken("pune-baner-picker-1", { role: "picker", storeId: "pune-baner" })
        const me = yield* as(picker)
        expect([me.staffId, me.role, me.storeId]).toEqual(["pune-baner-picker-1", "picker", "pune-baner"])
        expect(me.name.length).toBeGreaterThan(0)
        const manager = yield* as(yield* issueToken("pune-aundh-manager", { role: "store_manager", storeId: "pune-aundh" }))
        expect([manager.role, manager.storeId]).toEqual(["store_manager", "pune-aundh"])
        expect(yield* refusal(as(yield* issueToken("cust-demo-1"))))
          .toEqual(["Forbidden", "these endpoints are for store staff; this is a customer's token"])
        expect(yield* refusal(as(yield* issueToken("rider-pune-baner-1", { role: "rider" }))))
          .toEqual(["Forbidden", "these endpoints are for store staff; this is a rider's token"])
        const unknown = ["Unauthorized", "unknown staff member for this store and role; ask for a new token"]
        expect(yield* refusal(as(yield* issueToken("pune-baner-picker-9", { role: "picker", storeId: "pune-baner" })))).toEqual(unknown)
        // The row exists, but at another store or in another role than the token says.
        expect(yield* refusal(as(yield* issueToken("pune-baner-picker-1", { role: "picker", storeId: "pune-aundh" })))).toEqual(unknown)
        expect(yield* refusal(as(yield* issueToken("pune-baner-picker-1", { role: "store_manager", storeId: "pune-baner" })))).toEqual(unknown)
      }))

    it.effect("a rider's token gives the rider; other roles 403; an unknown rider 401", () =>
      Effect.gen(function*() {
        const rider = yield* makeRiderBearer
        const as = (token: string) => rider(Redacted.make(token))
        expect(yield* as(yield* issueToken("rider-tokens-test", { role: "rider" }))).toEqual({ riderId: "rider-tokens-test", name: "Arjun Pawar" })
        expect(yield* refusal(as(yield* issueToken("pune-baner-picker-1", { role: "picker", storeId: "pune-baner" }))))
          .toEqual(["Forbidden", "these endpoints are for riders; this is a picker's token"])
        expect(yield* refusal(as(yield* issueToken("cust-demo-1"))))
          .toEqual(["Forbidden", "these endpoints are for riders; this is a customer's token"])
        expect(yield* refusal(as(yield* issueToken("rider-nobody", { role: "rider" })))).toEqual(["Unauthorized", "unknown rider; ask for a new token"])
      }))

    it.effect("a removed staff member is refused once the remembered row is older than knownFor", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const staff = yield* makeStaffBearer
        const token = yield* issueToken("pune-kothrud-picker-2", { role: "picker", storeId: "pune-kothrud" })
        expect((yield* staff(Redacted.make(token))).staffId).toBe("pune-kothrud-picker-2")
        yield* Effect.orDie(sql`DELETE FROM store_staff WHERE id = 'pune-kothrud-picker-2'`)
        // Remembered: no query per request.
        yield* TestClock.adjust(Duration.subtract(knownFor, Duration.seconds(1)))
        expect((yield* staff(Redacted.make(token))).staffId).toBe("pune-kothrud-picker-2")
        yield* TestClock.adjust("2 seconds")
        expect((yield* refusal(staff(Redacted.make(token))))[0]).toBe("Unauthorized")
      }))

    it.effect("demo staff: two pickers and a manager for each of the 12 stores, each named once; a restart keeps who is on shift", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* Effect.orDie(sql`UPDATE store_staff SET on_shift = true WHERE id = 'pune-baner-picker-2'`)
        // A second start finds the stores and seeds staff again: rows there stay as they are.
        yield* seedDemoCatalogue({ skuCount: 5 })
        const rows = yield* Effect.orDie(sql<{ role: string; n: number; on_shift: number }>`
          SELECT role, count(*)::int AS n, count(*) FILTER (WHERE on_shift)::int AS on_shift FROM store_staff GROUP BY role ORDER BY role`)
        expect(rows).toEqual([{ role: "picker", n: 24, on_shift: 1 }, { role: "store_manager", n: 12, on_shift: 0 }])
        const names = yield* Effect.orDie(sql<{ n: number }>`SELECT count(DISTINCT name)::int AS n FROM store_staff`)
        expect(names[0].n).toBe(36)
        const baner = yield* Effect.orDie(sql<{ id: string; role: string }>`SELECT id, role FROM store_staff WHERE store_id = 'pune-baner' ORDER BY id`)
        expect(baner).toEqual([
          { id: "pune-baner-manager", role: "store_manager" },
          { id: "pune-baner-picker-1", role: "picker" },
          { id: "pune-baner-picker-2", role: "picker" }
        ])
      }))
  })
})
