/** How long a code works, from the moment it is issued. */
export const OTP_TTL_MS = 5 * 60_000

/** Wrong tries a code survives: the fifth wrong one burns it. */
export const MAX_WRONG_TRIES = 5

/** The code waiting for a phone: its hash, when it stops working, and how many wrong tries it has had. */
export interface OtpState {
  readonly codeHash: string
  readonly expiresAt: number
  readonly attempts: number
}

/**
 * What a try does to the code. `Accepted`, `Expired` and `Burned` remove it (a code works once);
 * `Wrong` keeps it with one more attempt counted. The caller answers all but `Accepted` alike.
 */
export type OtpCheck =
  | { readonly _tag: "Accepted" }
  | { readonly _tag: "Wrong"; readonly next: OtpState }
  | { readonly _tag: "Burned" }
  | { readonly _tag: "Expired" }
  | { readonly _tag: "Absent" }

/** A fresh code issued at `now`: it replaces whatever the phone had. */
export const issueOtp = (codeHash: string, now: number): OtpState => ({ codeHash, expiresAt: now + OTP_TTL_MS, attempts: 0 })

/**
 * One try at `now`, `matches` telling whether the code given hashes to the stored one. A code
 * works while `now < expiresAt` (at 4:59 yes, at 5:00 no) and until its fifth wrong try.
 */
export const checkOtp = (state: OtpState | undefined, matches: boolean, now: number): OtpCheck => {
  if (state === undefined) return { _tag: "Absent" }
  if (now >= state.expiresAt) return { _tag: "Expired" }
  if (state.attempts >= MAX_WRONG_TRIES) return { _tag: "Burned" }
  if (matches) return { _tag: "Accepted" }
  const attempts = state.attempts + 1
  return attempts >= MAX_WRONG_TRIES ? { _tag: "Burned" } : { _tag: "Wrong", next: { ...state, attempts } }
}

/** The code left after a try: none once accepted, expired or burned. */
export const afterCheck = (check: OtpCheck): OtpState | undefined => (check._tag === "Wrong" ? check.next : undefined)
