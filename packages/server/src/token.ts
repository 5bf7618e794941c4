/**
 * `pnpm run token [customerId]`: prints a bearer token for a customer (default the first demo
 * customer), signed with AUTH_SECRET or the embedded mode's secret in DATA_DIR, valid for
 * AUTH_MAX_TOKEN_TTL (24 hours unless set).
 */
import { NodeRuntime } from "@effect/platform-node"
import { demoCustomers } from "@qc/entities/demo/Seed"
import { Console, Effect } from "effect"
import { AuthSecretFromConfig, issueToken } from "./CustomerAuth.js"

const customerId = process.argv[2] ?? demoCustomers[0].id

NodeRuntime.runMain(
  issueToken(customerId).pipe(Effect.flatMap(Console.log), Effect.provide(AuthSecretFromConfig)),
  { disableErrorReporting: false }
)
