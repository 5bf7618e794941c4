import { describe, expect, it } from "@effect/vitest"
import { normalizeIndianMobile, Phone } from "@qc/domain/customers/Phone"
import { afterCheck, checkOtp, issueOtp, MAX_WRONG_TRIES, OTP_TTL_MS } from "@qc/entities/customers/OtpRules"
import type { OtpState } from "@qc/entities/customers/OtpRules"
import { otpHash, sameHash } from "@qc/entities/customers/SignInSecrets"
import { Either, Option, Schema } from "effect"
import * as fc from "fast-check"

const tenDigits = fc.tuple(fc.constantFrom("6", "7", "8", "9"), fc.stringMatching(/^[0-9]{9}$/)).map(([a, b]) => a + b)

describe("phone numbers", () => {
  it.prop("+91XXXXXXXXXX, 91XXXXXXXXXX and XXXXXXXXXX (spaces, dashes) all become +91XXXXXXXXXX", [tenDigits], ([n]) => {
    const e164 = `+91${n}`
    for (const spelling of [e164, `91${n}`, n, ` ${n.slice(0, 5)} ${n.slice(5)} `, `+91-${n.slice(0, 5)}-${n.slice(5)}`]) {
      expect(normalizeIndianMobile(spelling)).toEqual(Option.some(e164))
    }
  })

  it.prop("anything that is not an Indian mobile is refused", [fc.string({ maxLength: 16 })], ([s]) => {
    const result = normalizeIndianMobile(s)
    if (Option.isSome(result)) expect(result.value).toMatch(/^\+91[6-9][0-9]{9}$/)
  })

  it("landlines, short, long, other countries: refused, with a message that does not echo the number", () => {
    for (const bad of ["5123456789", "98765 4321", "987654321012", "+447911123456", "0919876543210", "+91 12345 67890", ""]) {
      expect(Option.isNone(normalizeIndianMobile(bad))).toBe(true)
      const decoded = Schema.decodeUnknownEither(Phone)(bad)
      expect(Either.isLeft(decoded)).toBe(true)
    }
  })
})

/** A try: the right code or not, some milliseconds after the code was issued. */
const tries = fc.array(fc.record({ right: fc.boolean(), after: fc.integer({ min: 0, max: OTP_TTL_MS + 60_000 }) }), { maxLength: 12 })
  .map((ts) => ts.sort((a, b) => a.after - b.after))

describe("one-time code rules", () => {
  it.prop("a code is accepted at most once, only before expiry, only with fewer than 5 wrong tries before it", [tries, fc.integer({ min: 0, max: 2 ** 40 })], ([ts, t0]) => {
    let state: OtpState | undefined = issueOtp("hash", t0)
    let wrong = 0
    let accepted = 0
    for (const t of ts) {
      const check = checkOtp(state, t.right, t0 + t.after)
      if (check._tag === "Accepted") {
        accepted++
        expect(t.right).toBe(true)
        expect(t.after).toBeLessThan(OTP_TTL_MS)
        expect(wrong).toBeLessThan(MAX_WRONG_TRIES)
      }
      if (state !== undefined && t.right && t.after < OTP_TTL_MS && wrong < MAX_WRONG_TRIES) expect(check._tag).toBe("Accepted")
      if (!t.right && state !== undefined && t.after < OTP_TTL_MS) wrong++
      state = afterCheck(check)
      if (state !== undefined) expect(state.attempts).toBe(wrong)
    }
    expect(accepted).toBeLessThanOrEqual(1)
  })

  it.prop("works at 4:59.999, refused at 5:00 whatever the tries", [fc.integer({ min: 0, max: 2 ** 40 })], ([t0]) => {
    const state = issueOtp("hash", t0)
    expect(checkOtp(state, true, t0 + OTP_TTL_MS - 1)._tag).toBe("Accepted")
    expect(checkOtp(state, true, t0 + OTP_TTL_MS)._tag).toBe("Expired")
    expect(afterCheck(checkOtp(state, false, t0 + OTP_TTL_MS))).toBeUndefined()
  })

  it("the fifth wrong try burns the code: the right one then fails; four leave it working", () => {
    let state: OtpState | undefined = issueOtp("hash", 0)
    for (let i = 1; i <= 4; i++) {
      const check = checkOtp(state, false, i)
      expect(check._tag).toBe("Wrong")
      state = afterCheck(check)
    }
    expect(checkOtp(state, true, 10)._tag).toBe("Accepted")
    const fifth = checkOtp(state, false, 10)
    expect(fifth._tag).toBe("Burned")
    expect(checkOtp(afterCheck(fifth), true, 11)._tag).toBe("Absent")
  })

  it.prop("hashes bind the code to its phone and secret, and compare equal only to themselves", [
    fc.stringMatching(/^[0-9]{6}$/),
    fc.stringMatching(/^[0-9]{6}$/),
    tenDigits,
    tenDigits
  ], ([code, other, p1, p2]) => {
    const secret = new TextEncoder().encode("s")
    const h = otpHash(secret, `+91${p1}`, code)
    expect(h).not.toContain(code)
    expect(sameHash(h, otpHash(secret, `+91${p1}`, code))).toBe(true)
    expect(sameHash(h, otpHash(secret, `+91${p1}`, other))).toBe(code === other)
    expect(sameHash(h, otpHash(secret, `+91${p2}`, code))).toBe(p1 === p2)
    expect(sameHash(h, otpHash(new TextEncoder().encode("t"), `+91${p1}`, code))).toBe(false)
    expect(sameHash(h, "not hex")).toBe(false)
  })
})
