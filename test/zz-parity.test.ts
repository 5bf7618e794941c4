import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import { it, expect } from "@effect/vitest"
import * as PgliteClient from "@qc/entities/PgliteClient"
import { Effect, Redacted } from "effect"
import * as util from "node:util"

const body = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`DROP TABLE IF EXISTS parity`
  yield* sql`CREATE TABLE parity (i INT, b BIGINT, n NUMERIC, f FLOAT8, t TEXT, ts TIMESTAMP, tz TIMESTAMPTZ, d DATE, j JSONB, js JSON, by BYTEA, bo BOOLEAN, ta TEXT[], ia INT[], ba BIGINT[], u UUID, iv INTERVAL)`
  const at = new Date("2024-05-01T10:20:30.123Z")
  const row = { i: 1, b: 12345678901234567n, n: "1.50", f: 2.5, t: "x", ts: at, tz: at, d: new Date(2024, 0, 2), j: { a: [1, { b: 2 }] }, js: { z: 1 }, by: Buffer.from([1, 2, 255]), bo: true, ta: ["a", "b,c", "d\"e"], ia: [1, 2], ba: ["1", "2"], u: "a9550782-4cda-4f86-878b-110c0ee59e9d", iv: "1 day" }
  const out: Record<string, unknown> = {}
  out.inserted = yield* sql`INSERT INTO parity ${sql.insert(row)} RETURNING *`
  out.textParams = yield* sql`SELECT ${at}::text AS date_as_text, ${true}::text AS bool_text, ${12n}::text AS big_text, ${"x"} AS plain, ${1.5} AS num_unknown`
  out.literals = yield* sql`SELECT '2024-01-02'::date AS d, '2024-01-02 03:04:05.678'::timestamp AS ts, '2024-01-02 03:04:05.678+05:30'::timestamptz AS tz, '1 day'::interval AS iv, 1.5::numeric AS n, ARRAY[1,2]::int8[] AS ia, 'NaN'::float8 AS nan, 1::oid AS o, '{"a":1}'::json AS j, ARRAY['2024-01-02'::date] AS da, '\\x0102'::bytea AS by, 'infinity'::timestamptz AS inf, 10::int2 AS s, 1.25::float4 AS r`
  out.values = yield* sql`SELECT 1 AS a, 'x' AS b, 2::int8 AS c`.values
  out.multi = yield* sql.unsafe("SELECT 1 AS a; SELECT 2 AS b").unprepared
  out.whereDate = yield* sql`SELECT count(*)::int AS n FROM parity WHERE ts = ${at} AND tz = ${at}`
  return out
})

const run = <E>(layer: import("effect/Layer").Layer<SqlClient.SqlClient, E>) => body.pipe(Effect.provide(layer))

it.live("parity", () =>
  Effect.gen(function*() {
    const pg = yield* run(PgClient.layer({ url: Redacted.make("postgres://postgres@127.0.0.1:55439/postgres") }))
    const lite = yield* run(PgliteClient.layer({}))
    console.log(util.inspect({ pg, lite }, { depth: 8 }))
    for (const key of Object.keys(pg)) {
      try { expect(lite[key]).toStrictEqual(pg[key]) } catch (e) { console.log("DIFF", key, String(e).slice(0, 2000)) }
    }
  }), 60_000)
