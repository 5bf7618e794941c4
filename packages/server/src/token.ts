/**
 * `pnpm run token [customerId]`: prints a bearer token for a customer (default the first demo
 * customer), signed with AUTH_SECRET or the embedded mode's secret in DATA_DIR.
 */
import { NodeRuntime } from "@effect/platform-node"
import { demoCustomers } from "@qc/entities/Seed"
import { Console, Effect } from "effect"
import { AuthSecretFromConfig, issueToken } from "./CustomerAuth.js"

const customerId = process.argv[2] ?? demoCustomers[0].id

NodeRuntime.runMain(
  issueToken(customerId).pipe(Effect.flatMap(Console.log), Effect.provide(AuthSecretFromConfig)),
  { disableErrorReporting: false }
)
