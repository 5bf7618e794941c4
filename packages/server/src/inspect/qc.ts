import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Logger, LogLevel, Option, Predicate } from "effect"
import { cli, NotFound, UsageProblem } from "./Cli.js"

/**
 * `pnpm qc <command>`: inspection of the cluster and its database. Reads only.
 * Exit codes: 0 ok, 1 not found, 2 usage (bad arguments, no DATABASE_URL),
 * 3 Postgres unreachable or failing (or a bug, with its trace).
 */

const causeText = (error: unknown): string =>
  Predicate.hasProperty(error, "cause") && error.cause instanceof Error ? `: ${error.cause.message}` : ""

const isSqlError = (u: unknown): u is { readonly message: string; readonly cause: unknown } => Predicate.isTagged(u, "SqlError")

const exitCodeOf = (cause: Cause.Cause<unknown>): Effect.Effect<number> => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const e = failure.value
    // @effect/cli has already printed what was wrong with the arguments.
    if (ValidationError.isValidationError(e)) return Effect.succeed(2)
    if (e instanceof NotFound) return Effect.succeed(1)
    if (e instanceof UsageProblem) return Effect.as(Console.error(`qc: ${e.message}`), 2)
  }
  const sqlError = [...Cause.failures(cause), ...Cause.defects(cause)].find(isSqlError)
  if (sqlError !== undefined) {
    return Effect.as(Console.error(`qc: Postgres: ${sqlError.message}${causeText(sqlError)}`), 3)
  }
  if (Cause.isInterruptedOnly(cause)) return Effect.succeed(130)
  return Effect.as(Console.error(Cause.pretty(cause)), 3)
}

const program = cli(process.argv).pipe(
  Effect.as(0),
  Effect.catchAllCause(exitCodeOf),
  Effect.provide(NodeContext.layer),
  // Library logs go to stderr, so `--json` leaves one document on stdout.
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
  Logger.withMinimumLogLevel(LogLevel.Error)
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : 3)
})
