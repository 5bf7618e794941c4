import { NodeRuntime } from "@effect/platform-node"
import { Config, Effect, Layer, Option } from "effect"
import { RunnerRoleFromEnv } from "./ClusterRoles.js"
import { processLayer, requireClusterSettings } from "./Processes.js"

/**
 * `pnpm runner`: hosts the entities of the regions in `REGIONS` (default: all) and the
 * cluster-wide singletons, at `RUNNER_HOST:RUNNER_PORT`; serves the HTTP API too when `PORT` is set.
 */
const RunnerProcess = Layer.unwrapEffect(
  Effect.gen(function*() {
    yield* requireClusterSettings
    const role = yield* Effect.orDie(RunnerRoleFromEnv)
    const http = Option.isSome(yield* Effect.orDie(Config.option(Config.integer("PORT"))))
    return processLayer(role, { http, jobs: true })
  })
)

NodeRuntime.runMain(Layer.launch(RunnerProcess))
