import { createHash, createHmac, timingSafeEqual } from "node:crypto"

/** HMAC-SHA256 of a body, hex: how Razorpay, our vendors and the WMS sign webhooks. */
export const hmacSha256Hex = (secret: string | Uint8Array, body: string | Uint8Array): string =>
  createHmac("sha256", secret).update(body).digest("hex")

const SHA256_HEX = /^[0-9a-fA-F]{64}$/

/**
 * Whether `signature` is the hex HMAC-SHA256 of `body` under `secret`, compared in constant
 * time. The format is checked first: `Buffer.from(s, "hex")` stops silently at the first
 * non-hex character, so a truncated or padded signature must not reach the comparison.
 */
export const signatureMatches = (secret: string | Uint8Array, body: string | Uint8Array, signature: string | undefined): boolean =>
  typeof signature === "string" && SHA256_HEX.test(signature) &&
  timingSafeEqual(createHmac("sha256", secret).update(body).digest(), Buffer.from(signature, "hex"))

/**
 * Constant-time equality of two secrets (API keys, basic-auth headers). Both are hashed
 * first, so the comparison takes the same time whatever their lengths.
 */
export const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest())
