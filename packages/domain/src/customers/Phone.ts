import { Option, ParseResult, Schema } from "effect"
import { safeText } from "../Text.js"

const e164India = /^\+91[6-9][0-9]{9}$/

/** An Indian mobile number in E.164 (`+91` and ten digits, the first 6-9): how phones are stored. */
export const PhoneE164 = Schema.String.pipe(
  Schema.pattern(e164India, { message: () => "must be an Indian mobile number in E.164 (+91 and ten digits)" }),
  Schema.brand("PhoneE164")
)
export type PhoneE164 = typeof PhoneE164.Type

/**
 * `+91XXXXXXXXXX`, `91XXXXXXXXXX` or `XXXXXXXXXX` (ten digits starting 6-9), spaces and dashes
 * allowed between digits, as E.164; none for anything else. The length decides: twelve digits
 * must start with 91, ten are the number itself.
 */
export const normalizeIndianMobile = (input: string): Option.Option<PhoneE164> => {
  const compact = input.trim().replace(/[\s-]/g, "")
  const digits = compact.startsWith("+91") ? compact.slice(3) : /^91[0-9]{10}$/.test(compact) ? compact.slice(2) : compact
  const e164 = `+91${digits}`
  return e164India.test(e164) ? Option.some(PhoneE164.make(e164)) : Option.none()
}

const message = "must be an Indian mobile number: +91 and ten digits, or the ten digits (starting 6-9)"

/** A phone as a customer types it, decoded to E.164; the 400 names the field and does not echo it. */
export const Phone = Schema.transformOrFail(safeText(20), PhoneE164, {
  strict: true,
  decode: (input, _, ast) =>
    Option.match(normalizeIndianMobile(input), {
      onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, message)),
      onSome: ParseResult.succeed
    }),
  encode: ParseResult.succeed
}).annotations({ message: () => message })
