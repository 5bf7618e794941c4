import { Schema } from "effect"

/** A timestamptz as the drivers hand it over (`pg` and our PGlite client: a Date; text elsewhere). */
const Timestamp = Schema.Union(Schema.ValidDateFromSelf, Schema.Date)

/** A timestamptz column as epoch milliseconds (what entity state keeps). */
export const EpochMillisFromTimestamp = Schema.transform(Timestamp, Schema.Number, {
  strict: true,
  decode: (date) => date.getTime(),
  encode: (ms) => new Date(ms)
})

/** A timestamptz column as a `DateTime.Utc` (what domain schemas carry). */
export const DateTimeFromTimestamp = Schema.transform(Timestamp, Schema.DateTimeUtcFromSelf, {
  strict: true,
  decode: (date) => Schema.decodeSync(Schema.DateTimeUtcFromDate)(date),
  encode: (dt) => Schema.encodeSync(Schema.DateTimeUtcFromDate)(dt)
})

/** A json/jsonb column decoded with its schema, whether the driver parsed it or handed over text. */
export const JsonColumn = <A, I>(schema: Schema.Schema<A, I>) => Schema.Union(schema, Schema.parseJson(schema))

export const epochMillis = Schema.decodeUnknownSync(EpochMillisFromTimestamp)
export const dateTimeOf = Schema.decodeUnknownSync(DateTimeFromTimestamp)
