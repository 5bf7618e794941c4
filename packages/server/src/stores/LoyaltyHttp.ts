import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Effect } from "effect"

export const LoyaltyHttpLive = HttpApiBuilder.group(Api, "loyalty", (handlers) =>
  handlers.handle("balance", () => Effect.dieMessage("not built yet")))
