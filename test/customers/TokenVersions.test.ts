import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { CustomerRepo } from "@qc/entities/customers/CustomerRepo"
import { TokenVersions } from "@qc/entities/customers/TokenVersions"
import * as Migrations from "@qc/entities/platform/Migrations"
import { Context, Effect, Layer, Option, TestClock } from "effect"
import { makeTestDatabase } from "../support/TestDatabase.js"

const Database = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) =>
  Layer.effectDiscard(Effect.orDie(Migrations.run)).pipe(Layer.provideMerge(db.layer))))

/** Two runners' caches over one database: each builds its own. */
const twoRunners = Effect.all([Layer.build(TokenVersions.DefaultWithoutDependencies), Layer.build(TokenVersions.DefaultWithoutDependencies)]).pipe(
  Effect.map(([a, b]) => [Context.get(a, TokenVersions), Context.get(b, TokenVersions)] as const)
)

describe("access-token versions across runners (TestClock)", () => {
  layer(Database, { timeout: "60 seconds" })((it) => {
    it.scoped("the runner that signs out refuses at once; another within 10 s; a newer token is accepted everywhere at once", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO customers (id, name, phone, created_at) VALUES ('cus_versions', '', '+919876555501', now())`
        const [a, b] = yield* twoRunners.pipe(Effect.provide(CustomerRepo.Default))
        expect(yield* a.accepts("cus_versions", 0)).toEqual(Option.some(true))
        expect(yield* b.accepts("cus_versions", 0)).toEqual(Option.some(true))

        const repo = yield* Effect.provide(CustomerRepo, CustomerRepo.Default)
        yield* a.bumped("cus_versions", yield* repo.bumpTokenVersion("cus_versions", 0))
        expect(yield* a.accepts("cus_versions", 0)).toEqual(Option.some(false))
        // B still has version 0 in memory, but a token of version 1 (signed in on A) makes it look again.
        expect(yield* b.accepts("cus_versions", 1)).toEqual(Option.some(true))
        expect(yield* b.accepts("cus_versions", 0)).toEqual(Option.some(false))
        expect(yield* a.accepts("cus_unknown", 0)).toEqual(Option.none())
      }))

    it.scoped("an old token on a runner that cached the old version: accepted for at most 10 s", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO customers (id, name, phone, created_at) VALUES ('cus_stale', '', '+919876555502', now())`
        const [a, b] = yield* twoRunners.pipe(Effect.provide(CustomerRepo.Default))
        expect(yield* b.accepts("cus_stale", 0)).toEqual(Option.some(true))
        const repo = yield* Effect.provide(CustomerRepo, CustomerRepo.Default)
        yield* a.bumped("cus_stale", yield* repo.bumpTokenVersion("cus_stale", 0))
        yield* TestClock.adjust("9 seconds")
        expect(yield* b.accepts("cus_stale", 0)).toEqual(Option.some(true))
        yield* TestClock.adjust("1 second")
        expect(yield* b.accepts("cus_stale", 0)).toEqual(Option.some(false))
      }))
  })
})
