import { Schema } from "effect"

/** Money is integer paise everywhere (₹1 = 100 paise); never a float. */
export const Paise = Schema.Int.pipe(Schema.nonNegative(), Schema.brand("Paise"))
export type Paise = typeof Paise.Type

export const paise = (n: number): Paise => Paise.make(n)

/** `12345` → `"₹123.45"`; for logs and notifications only. */
export const formatInr = (amount: number): string =>
  `₹${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, "0")}`
