import { HttpApiBuilder, HttpApiError, type HttpApp, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Cause, Effect, Option } from "effect"

const maxValue = 100
const maxIssues = 10
const maxPath = 10
const maxIssueMessage = 300
const maxMessage = 1_000

const cut = (text: string, max: number) => text.length > max ? `${text.slice(0, max)}…` : text

/** The tree message says what was expected first and what failed last: keep both ends. */
const cutMiddle = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max / 2)}…${text.slice(text.length - max / 2)}` : text

/**
 * Cuts every double-quoted string in `text` to `maxValue` characters. The formatters quote the
 * values they echo with JSON.stringify, so the quotes are balanced; one pass, no backtracking.
 */
export const shortenQuoted = (text: string): string => {
  let out = ""
  let inString = false
  let escaped = false
  let length = 0
  for (const char of text) {
    if (!inString) {
      out += char
      inString = char === "\""
      length = 0
      continue
    }
    const closing = char === "\"" && !escaped
    escaped = !escaped && char === "\\"
    if (closing) {
      out += length > maxValue ? "…\"" : "\""
      inString = false
    } else if (++length <= maxValue) {
      out += char
    }
  }
  return out
}

const shortenKey = (key: PropertyKey): PropertyKey => typeof key === "string" ? cut(key, maxValue) : key

/**
 * The platform echoes the offending input twice in a decode error (in the issue and in the
 * tree message): a 100 KB field made a 201 KB answer. Values are cut to 100 characters, issues
 * to ten, messages to a few hundred characters (the tree's middle goes: its ends say what was
 * expected and what failed), so a 400 stays a few KB whatever was sent;
 * `issues[].path` still names the field.
 */
export const shortenDecodeError = (error: HttpApiError.HttpApiDecodeError): HttpApiError.HttpApiDecodeError =>
  new HttpApiError.HttpApiDecodeError({
    issues: error.issues.slice(0, maxIssues).map((issue) => ({
      _tag: issue._tag,
      path: issue.path.slice(0, maxPath).map(shortenKey),
      message: cut(shortenQuoted(issue.message), maxIssueMessage)
    })),
    message: cutMiddle(shortenQuoted(error.message), maxMessage)
  })

/** Applied inside the API, where the decode error is still an error and not yet a 400 response. */
export const ShortDecodeErrorsLive = HttpApiBuilder.middleware(Api, (app) =>
  Effect.catchAllCause(app, (cause) => {
    const failure = Cause.failureOption<unknown>(cause)
    return Option.isSome(failure) && failure.value instanceof HttpApiError.HttpApiDecodeError
      ? Effect.fail(shortenDecodeError(failure.value))
      : Effect.failCause(cause)
  }))

const internalError = HttpServerResponse.unsafeJson({ _tag: "InternalError", message: "internal error" }, { status: 500 })

/**
 * A defect that escapes a handler would answer 500 with an empty body; clients get a JSON error
 * like every other one (no stack, no detail), and the cause goes to the log. Failures (the API's
 * errors, a missing route) and interruptions go on as they are.
 */
export const internalErrorBody = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.catchAllCause(app, (cause) =>
    Option.isSome(Cause.failureOption<unknown>(cause))
      ? Effect.failCause(cause)
      : Effect.flatMap(HttpServerError.causeResponse(cause), ([response]) =>
        response.status === 500 && response.body._tag === "Empty"
          ? Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
            Effect.as(
              Effect.logError("unhandled defect", cause).pipe(
                Effect.annotateLogs({ "http.method": request.method, "http.url": request.url })
              ),
              internalError
            ))
          : Effect.failCause(cause)))

/** Inside the API: outside it, the platform has already answered the empty 500 by the time a defect is seen. */
export const InternalErrorBodyLive = HttpApiBuilder.middleware(Api, internalErrorBody)
