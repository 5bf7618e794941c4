import { Schema } from "effect"

const isoWithZone =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/

/** The years an input instant may fall in: no business date of ours is outside them. */
export const inputYears = { from: 2000, to: 2100 } as const

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** A real calendar date and wall time, in the accepted years, at a real offset. */
const isRealInstant = (text: string): boolean => {
  const m = isoWithZone.exec(text)
  if (m === null) return false
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((d) => Number(d ?? 0))
  return year >= inputYears.from && year <= inputYears.to &&
    month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) &&
    hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59
}

const IsoText = Schema.String.pipe(
  Schema.maxLength(40, { message: () => "must be an ISO 8601 date-time of at most 40 characters" }),
  Schema.pattern(isoWithZone, {
    message: () => "must be an ISO 8601 date-time with a zone, e.g. 2025-03-10T18:00:00Z or 2025-03-10T23:30:00+05:30"
  }),
  Schema.filter(isRealInstant, {
    message: () => `must be a real date and time in the years ${inputYears.from}–${inputYears.to}`,
    jsonSchema: { format: "date-time" },
    description: `ISO 8601 date-time with a zone (Z or ±hh:mm), years ${inputYears.from}–${inputYears.to}`
  })
)

/**
 * An instant a client or partner sends us (best-before, promotion window, `at`): ISO 8601
 * with its zone spelled out, so `"5"` or a date without a zone is refused rather than
 * guessed at, and only in the years 2000–2100, which also keeps it inside what Postgres'
 * `timestamptz` and JS dates hold. Decodes to `DateTime.Utc` and encodes as
 * `Schema.DateTimeUtc` does (`…Z`), so digests of stored bodies do not change.
 */
export const DateTimeInput = IsoText.pipe(Schema.compose(Schema.DateTimeUtc))
export type DateTimeInput = typeof DateTimeInput.Type
