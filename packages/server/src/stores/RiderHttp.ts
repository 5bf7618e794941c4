import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Effect } from "effect"

const notYet = () => Effect.dieMessage("not built yet")

export const RiderHttpLive = HttpApiBuilder.group(Api, "rider", (handlers) =>
  handlers.handle("status", notYet).handle("jobs", notYet).handle("pickedUp", notYet).handle("delivered", notYet))
