/**
 * `pnpm run token`: prints a bearer token, signed with AUTH_SECRET or the embedded mode's secret
 * in DATA_DIR, valid for AUTH_MAX_TOKEN_TTL (24 hours unless set). Only the token goes to stdout.
 *
 *   pnpm run token                               the first demo customer
 *   pnpm run token <customerId>                  a customer
 *   pnpm run token picker <storeId> [staffId]    a picker (default `{storeId}-picker-1`)
 *   pnpm run token store_manager <storeId> [staffId]   the manager (default `{storeId}-manager`)
 *   pnpm run token rider <riderId>               a rider
 *
 * The database is not asked: a token for someone it does not know is refused (401) when used.
 */
import { Args, Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { StoreId } from "@qc/domain/Ids"
import { CustomerId } from "@qc/domain/orders/Order"
import { RiderId, StaffId } from "@qc/domain/stores/StoreOps"
import { demoCustomers } from "@qc/entities/demo/Seed"
import { Cause, Console, Effect, Exit, Logger, LogLevel, Option } from "effect"
import type { TokenFor } from "./BearerTokens.js"
import { AuthSecretFromConfig, issueToken } from "./BearerTokens.js"

const print = (subject: string, options?: TokenFor) =>
  issueToken(subject, options).pipe(Effect.flatMap(Console.log), Effect.provide(AuthSecretFromConfig))

const customerId = Args.text({ name: "customerId" }).pipe(
  Args.withSchema(CustomerId),
  Args.withDescription(`a customer id (default ${demoCustomers[0].id})`),
  Args.optional
)
const storeId = Args.text({ name: "storeId" }).pipe(Args.withSchema(StoreId), Args.withDescription("e.g. pune-baner"))
const staffId = Args.text({ name: "staffId" }).pipe(Args.withSchema(StaffId), Args.optional)

const staffCommand = (role: "picker" | "store_manager", defaultSuffix: string) =>
  Command.make(role, { storeId, staffId }, ({ staffId, storeId }) =>
    print(Option.getOrElse(staffId, () => `${storeId}-${defaultSuffix}`), { role, storeId })).pipe(
      Command.withDescription(`a ${role} token for a store (staff id default {storeId}-${defaultSuffix})`)
    )

const rider = Command.make("rider", { riderId: Args.text({ name: "riderId" }).pipe(Args.withSchema(RiderId)) }, ({ riderId }) =>
  print(riderId, { role: "rider" })).pipe(Command.withDescription("a rider token, e.g. rider rider-pune-baner-1"))

const token = Command.make("token", { customerId }, ({ customerId }) =>
  print(Option.getOrElse(customerId, () => demoCustomers[0].id))).pipe(
    Command.withDescription("Prints a bearer token: a customer's (default the first demo customer), a picker's, a store manager's or a rider's."),
    Command.withSubcommands([staffCommand("picker", "picker-1"), staffCommand("store_manager", "manager"), rider])
  )

const cli = Command.run(token, { name: "token", version: "0.0.0" })

NodeRuntime.runMain(
  cli(process.argv).pipe(
    Effect.provide(NodeContext.layer),
    // Logs (where the secret is kept) go to stderr: `TOKEN=$(pnpm -s run token)` gets the token alone.
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
    Logger.withMinimumLogLevel(LogLevel.Info)
  ),
  {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      if (Exit.isSuccess(exit)) return onExit(0)
      const failure = Cause.failureOption(exit.cause)
      // @effect/cli has already printed what was wrong with the arguments.
      if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) return onExit(2)
      process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
      return onExit(1)
    }
  }
)
