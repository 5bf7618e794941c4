import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Effect } from "effect"

const notYet = () => Effect.dieMessage("not built yet")

export const StoreOpsHttpLive = HttpApiBuilder.group(Api, "storeOps", (handlers) =>
  handlers.handle("queue", notYet).handle("claim", notYet).handle("packed", notYet).handle("shift", notYet))
