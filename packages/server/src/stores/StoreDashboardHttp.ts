import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Effect } from "effect"

export const StoreDashboardHttpLive = HttpApiBuilder.group(Api, "storeDashboard", (handlers) =>
  handlers.handle("dashboard", () => Effect.dieMessage("not built yet")))
