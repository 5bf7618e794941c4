import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"
import { SingleRole } from "./ClusterRoles.js"
import { processLayer } from "./Processes.js"

/** `pnpm start`: everything in one process (embedded PGlite unless DATABASE_URL is set). */
NodeRuntime.runMain(Layer.launch(processLayer(SingleRole, { http: true, jobs: true })))
