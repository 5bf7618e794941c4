import { InvalidInput, ServiceUnavailable } from "@qc/domain/Errors"
import { Cause, Chunk } from "effect"

/** Every error object in a cause and in the `cause` chain of each (SqlError wraps the driver's error). */
const errorsIn = (cause: Cause.Cause<unknown>): ReadonlyArray<unknown> => {
  const out: Array<unknown> = []
  const visit = (e: unknown, depth: number) => {
    if (e === null || e === undefined || depth > 5) return
    out.push(e)
    if (typeof e === "object" && "cause" in e) visit((e as { readonly cause: unknown }).cause, depth + 1)
  }
  for (const e of Chunk.toReadonlyArray(Cause.failures(cause))) visit(e, 0)
  for (const e of Chunk.toReadonlyArray(Cause.defects(cause))) visit(e, 0)
  return out
}

const codeOf = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e && typeof (e as { readonly code: unknown }).code === "string"
    ? (e as { readonly code: string }).code
    : undefined

/**
 * SQLSTATE class 22 (data exception): the value itself cannot be stored, e.g. a NUL in
 * text (22021), a lone surrogate in JSON (22P02/22P05), a date out of range (22008).
 * Retrying it can never succeed; it is the client's input.
 */
const isDataException = (e: unknown) => codeOf(e)?.startsWith("22") === true

/**
 * The database cannot be reached or is shutting down (SQLSTATE classes 08, 53, 57, 58; a
 * socket error): every statement would fail alike, so splitting a batch only multiplies
 * the attempts.
 */
const isUnavailable = (e: unknown) => {
  const code = codeOf(e)
  return code !== undefined && (/^(08|53|57|58)/.test(code) || /^E(CONN|TIMEDOUT|PIPE|HOSTUNREACH|NETUNREACH)/.test(code))
}

/** Whether a failed batch is worth splitting to find the inputs that poisoned it. */
export const worthSplitting = (cause: Cause.Cause<unknown>): boolean =>
  !Cause.isInterruptedOnly(cause) && !errorsIn(cause).some(isUnavailable)

/**
 * What a caller is told when its change could not be committed: 400 when the database
 * refused the value itself, 503 (retry with the same operation id) otherwise. Never the
 * driver's message, which may quote the input or name internals.
 */
export const commitFailure = (cause: Cause.Cause<unknown>): InvalidInput | ServiceUnavailable =>
  errorsIn(cause).some(isDataException)
    ? new InvalidInput({ message: "a value in the request cannot be stored (e.g. a NUL character or an invalid date); nothing was changed" })
    : new ServiceUnavailable({ message: "the change could not be committed; nothing was applied, retry with the same id" })
