import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto"

/**
 * Keys derived from the auth secret, one per use, so that an OTP hash can never stand for a
 * refresh-token hash or a JWT signature.
 */
const derive = (secret: Uint8Array, purpose: string) => createHmac("sha256", secret).update(purpose).digest()

/** Six digits from the crypto RNG, zero-padded. */
export const newOtpCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, "0")

/** The stored form of `code` for `phone`: HMAC-SHA256 (hex), so a code for one phone is worthless for another. */
export const otpHash = (secret: Uint8Array, phone: string, code: string): string =>
  createHmac("sha256", derive(secret, "otp-code-v1")).update(`${phone}:${code}`).digest("hex")

/** Whether two hex hashes are equal, in constant time (lengths checked first: both are SHA-256). */
export const sameHash = (a: string, b: string): boolean => {
  const x = Buffer.from(a, "hex")
  const y = Buffer.from(b, "hex")
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y)
}

/** An opaque refresh token: 32 random bytes, base64url. */
export const newRefreshToken = (): string => randomBytes(32).toString("base64url")

/** The stored form of a refresh token (it is looked up by this, so the token never sits in the database). */
export const refreshTokenHash = (secret: Uint8Array, token: string): string =>
  createHmac("sha256", derive(secret, "refresh-token-v1")).update(token).digest("hex")

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

/** `prefix` and 20 random characters of [0-9a-z] (about 103 bits): `cus_…`, `adr_…`. */
export const newId = (prefix: string): string => {
  let id = prefix
  for (let i = 0; i < 20; i++) id += idAlphabet[randomInt(0, 36)]
  return id
}
