import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Effect } from "effect"

export const WmsWebhookHttpLive = HttpApiBuilder.group(Api, "wmsWebhook", (handlers) =>
  handlers.handleRaw("wms", () => Effect.dieMessage("not built yet")))
