import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { processLayer, requireClusterSettings } from "./Processes.js"

/** `pnpm api`: the HTTP API (`PORT`, default 8080) as a cluster client; hosts no entity. */
const ApiProcess = Layer.unwrapEffect(
  Effect.as(requireClusterSettings, processLayer({ _tag: "Client" }, { http: true, jobs: false }))
)

NodeRuntime.runMain(Layer.launch(ApiProcess))
