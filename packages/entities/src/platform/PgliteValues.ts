/** Values into and out of PGlite, converted the way `pg` converts them. */
import { types, type Results } from "@electric-sql/pglite"

// Parse like `pg` (node-postgres) does, so the same code and tests run on PGlite and real Postgres:
// int8 stays a string (PGlite gives number or bigint), bytea is a Buffer, a date is local midnight.
export const parsers = {
  [types.INT8]: (value: string) => value,
  [types.BYTEA]: (value: string) => Buffer.from(value.slice(2), "hex"),
  [types.DATE]: (value: string): Date | number => {
    const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
    return ymd === null ? types.parsers[types.DATE](value, types.DATE) : new Date(+ymd[1], +ymd[2] - 1, +ymd[3])
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

// `pg` sends a Date as local time with its offset: a `timestamp` column then keeps local wall time
// and reads back as the same instant. PGlite's toISOString would shift it by the zone offset.
const dateToPg = (d: Date): string => {
  const offset = -d.getTimezoneOffset()
  const abs = Math.abs(offset)
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${offset >= 0 ? "+" : "-"}${pad(Math.floor(abs / 60))}:${
    pad(abs % 60)
  }`
}

const prepareArrayElement = (value: unknown): unknown =>
  value instanceof Date ? dateToPg(value) : Array.isArray(value) ? value.map(prepareArrayElement) : value

// Arrays are left to PGlite, which serialises them by the parameter's type (a Postgres array,
// or JSON for a json/jsonb parameter); other objects become JSON as in `pg`.
export const prepareValue = (value: unknown): unknown => {
  if (value === undefined || value === null) return null
  if (value instanceof Date) return dateToPg(value)
  if (value instanceof Uint8Array) return value
  if (Array.isArray(value)) return value.map(prepareArrayElement)
  if (typeof value === "object") {
    return JSON.stringify(value, (_, v: unknown) => typeof v === "bigint" ? v.toString() : v)
  }
  return value
}

// Several statements give one list of rows per statement, as `pg` returns them for a simple query.
export const rowsOf = <R>(results: ReadonlyArray<Results<R>>) =>
  results.length === 1 ? results[0].rows : results.map((result) => result.rows)
