import { Schema } from "effect"

/** Money is integer paise everywhere (₹1 = 100 paise); never a float. */
export const Paise = Schema.Int.pipe(Schema.nonNegative(), Schema.brand("Paise"))
export type Paise = typeof Paise.Type

export const paise = (n: number): Paise => Paise.make(n)

/**
 * The least we ever charge: for one unit, and so for a whole order. Razorpay refuses an order
 * under ₹1, so a unit priced lower (a promotion at 0 or 50 paise) could only end in a failed
 * checkout; the pricing chain never goes below it and inputs below it are refused.
 */
export const minimumPrice = paise(100)

/**
 * The most one unit may cost, ₹1,00,000: far above any grocery item, and well inside the
 * 32-bit integer columns prices are stored in.
 */
export const maximumPrice = paise(10_000_000)

/** A unit price someone sends us (catalogue, promotion, competitor feed): whole paise in [₹1, ₹1,00,000]. */
export const PriceInput = Paise.pipe(
  Schema.greaterThanOrEqualTo(minimumPrice, { message: () => `must be at least ${minimumPrice} paise (₹1), the least a payment can be` }),
  Schema.lessThanOrEqualTo(maximumPrice, { message: () => `must be at most ${maximumPrice} paise (₹1,00,000)` })
)

/** `12345` → `"₹123.45"`; for logs and notifications only. */
export const formatInr = (amount: number): string =>
  `₹${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, "0")}`
