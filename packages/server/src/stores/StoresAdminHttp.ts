import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Effect } from "effect"

const notYet = () => Effect.dieMessage("not built yet")

export const StoresAdminHttpLive = HttpApiBuilder.group(Api, "storesAdmin", (handlers) =>
  handlers.handle("createStore", notYet).handle("updateStore", notYet).handle("cancelOrder", notYet).handle("undeliverable", notYet))
