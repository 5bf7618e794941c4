import { Schema } from "effect"
import { CustomerId } from "../orders/Order.js"
import { safeText } from "../Text.js"
import { Language } from "./Customer.js"
import { Phone } from "./Phone.js"

export const OtpRequest = Schema.Struct({ phone: Phone, language: Schema.optional(Language) })

/** The same answer whether the phone belongs to a customer or not. */
export const OtpSent = Schema.Struct({
  expiresInSeconds: Schema.Int,
  /** How long before another code may be asked for this phone. */
  resendAfterSeconds: Schema.Int
})

/** `code` is not checked for shape here: a 400 would echo it back; anything but the code is a 401. */
export const VerifyRequest = Schema.Struct({ phone: Phone, code: safeText(16) })

export const RefreshRequest = Schema.Struct({ refreshToken: safeText(256) })

/** An access token (Bearer, `expiresIn` seconds) and the refresh token that gets the next one. */
export const Tokens = Schema.Struct({
  accessToken: Schema.String,
  refreshToken: Schema.String,
  expiresIn: Schema.Int,
  customerId: CustomerId
})

export const SignedIn = Schema.Struct({
  ...Tokens.fields,
  /** True when this sign-in created the customer. */
  isNew: Schema.Boolean
})
