import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { PhoneE164 } from "@qc/domain/customers/Phone"
import { CustomersLive } from "@qc/entities/customers/CustomersLive"
import { Sms, SmsFailed, SmsLocal } from "@qc/entities/notifications/Sms"
import * as Migrations from "@qc/entities/platform/Migrations"
import { AuthSecret } from "@qc/server/BearerTokens"
import { SignIn } from "@qc/server/customers/SignIn"
import { Effect, Exit, Layer, Logger, LogLevel, Redacted, TestClock } from "effect"
import { eventually } from "../support/Drive.js"
import { lastOtp } from "../support/SignIn.js"
import { RoomyOtpLimits } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/** Sign-in alone, without the cluster (long TestClock jumps stay fast). */
const Database = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) =>
  Layer.effectDiscard(Effect.orDie(Migrations.run)).pipe(Layer.provideMerge(db.layer))))
const services = (sms: Layer.Layer<Sms, never, SqlClient.SqlClient>) =>
  SignIn.Default.pipe(
    Layer.provideMerge(CustomersLive),
    Layer.provideMerge(sms),
    Layer.provide(RoomyOtpLimits),
    Layer.provideMerge(Layer.succeed(AuthSecret, Redacted.make(new TextEncoder().encode("service-test-secret")))),
    Layer.provideMerge(Database)
  )

const phone = (n: string) => PhoneE164.make(`+91${n}`)

/** Real time for a sweep the TestClock woke to run its queries. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 30)))

/** Every log line written while `effect` runs, message and annotations as text. */
const logsOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, message }) => void lines.push(JSON.stringify({ message, annotations: [...annotations] })))
    const exit = yield* Effect.exit(effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.All)))
    return { exit, lines }
  })

describe("sign-in service (TestClock, no cluster)", () => {
  layer(services(SmsLocal), { timeout: "60 seconds" })((it) => {
    it.effect("a refresh token lives 30 days", () =>
      Effect.gen(function*() {
        const signIn = yield* SignIn
        yield* signIn.requestCode(phone("9876566601"), "en", "192.0.2.1")
        const first = yield* signIn.verify(phone("9876566601"), yield* lastOtp("9876566601"))
        yield* TestClock.adjust("30 days")
        expect(Exit.isFailure(yield* Effect.exit(signIn.refresh(first.refreshToken)))).toBe(true)

        yield* signIn.requestCode(phone("9876566601"), "en", "192.0.2.1")
        const second = yield* signIn.verify(phone("9876566601"), yield* lastOtp("9876566601"))
        yield* TestClock.adjust(30 * 86_400_000 - 1)
        expect((yield* signIn.refresh(second.refreshToken)).customerId).toBe(second.customerId)
      }))

    it.effect("the hourly sweep deletes a code once it has lapsed and a refresh token once it has expired, not before", () =>
      Effect.gen(function*() {
        const signIn = yield* SignIn
        const sql = yield* SqlClient.SqlClient
        const rows = Effect.orDie(Effect.all({
          codes: sql<{ n: number }>`SELECT count(*)::int AS n FROM otp_codes WHERE phone = ${phone("9876566605")}`,
          tokens: sql<{ n: number }>`SELECT count(*)::int AS n FROM refresh_tokens r JOIN customers c ON c.id = r.customer_id
            WHERE c.phone = ${phone("9876566606")}`
        }).pipe(Effect.map(({ codes, tokens }) => [codes[0].n, tokens[0].n])))
        yield* signIn.requestCode(phone("9876566605"), "en", "192.0.2.1") // never used
        yield* signIn.requestCode(phone("9876566606"), "en", "192.0.2.1")
        yield* signIn.verify(phone("9876566606"), yield* lastOtp("9876566606"))
        expect(yield* rows).toEqual([1, 1])
        const rowsAre = (expected: ReadonlyArray<number>) =>
          eventually(Effect.flatMap(rows, (r) => Effect.sync(() => expect(r).toEqual(expected))))
        // Sweeps run hourly from the layer's start, so this test sees them at some minute of the hour;
        // TestClock wakes a sweep but does not wait for its queries, hence `eventually`.
        yield* TestClock.adjust("4 minutes") // the code is still good: whatever sweeps ran kept it
        yield* realPause
        expect(yield* rows).toEqual([1, 1])
        yield* TestClock.adjust("61 minutes") // lapsed at 5 min; one sweep came in the hour after
        yield* rowsAre([0, 1])
        yield* TestClock.adjust("29 days") // 29 d 65 min since sign-in: the token lives 30 days
        yield* realPause
        expect(yield* rows).toEqual([0, 1])
        // Across its expiry an hour at a time, each sweep let finish its queries.
        for (let hour = 1; hour <= 26; hour++) {
          yield* TestClock.adjust("1 hour")
          yield* realPause
          if (hour <= 22) expect(yield* rows).toEqual([0, 1]) // 29 d 23 h 5 min at hour 22: not expired
        }
        yield* rowsAre([0, 0])
      }))

    it.effect("two verifies of one code at once: exactly one signs in", () =>
      Effect.gen(function*() {
        const signIn = yield* SignIn
        yield* signIn.requestCode(phone("9876566602"), "en", "192.0.2.1")
        const code = yield* lastOtp("9876566602")
        const exits = yield* Effect.all([0, 1, 2].map(() => Effect.exit(signIn.verify(phone("9876566602"), code))), { concurrency: "unbounded" })
        expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
      }))

    it.effect("neither the code nor a token reaches the logs", () =>
      Effect.gen(function*() {
        const signIn = yield* SignIn
        const { exit, lines } = yield* logsOf(Effect.gen(function*() {
          yield* signIn.requestCode(phone("9876566603"), "hi", "192.0.2.1")
          const code = yield* lastOtp("9876566603")
          const tokens = yield* signIn.verify(phone("9876566603"), code)
          const next = yield* signIn.refresh(tokens.refreshToken)
          // A reuse is logged (theft): it must name the customer, not the token.
          yield* Effect.exit(signIn.refresh(tokens.refreshToken))
          return [code, tokens.refreshToken, tokens.accessToken, next.refreshToken, next.accessToken]
        }))
        expect(Exit.isSuccess(exit)).toBe(true)
        if (Exit.isSuccess(exit)) for (const secret of exit.value) for (const line of lines) expect(line).not.toContain(secret)
        expect(lines.some((l) => l.includes("used again"))).toBe(true)
      }))
  })

  const failing = Layer.succeed(Sms, Sms.of({ send: () => Effect.fail(new SmsFailed({ message: "gateway down", retryable: true })) }))
  layer(services(failing), { timeout: "60 seconds" })((it) => {
    it.effect("an SMS gateway failure answers 503 ServiceUnavailable, never a 500", () =>
      Effect.gen(function*() {
        const signIn = yield* SignIn
        const error = yield* Effect.flip(signIn.requestCode(phone("9876566604"), "en", "192.0.2.1"))
        expect(error).toMatchObject({ _tag: "ServiceUnavailable", message: "the code could not be sent; retry shortly" })
      }))
  })
})
