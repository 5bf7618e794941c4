import { Layer } from "effect"
import { LoyaltyHttpLive } from "./LoyaltyHttp.js"
import { RiderHttpLive } from "./RiderHttp.js"
import { StoreDashboardHttpLive } from "./StoreDashboardHttp.js"
import { StoreOpsHttpLive } from "./StoreOpsHttp.js"
import { StoresAdminHttpLive } from "./StoresAdminHttp.js"
import { WmsWebhookHttpLive } from "./WmsWebhookHttp.js"

/** Dark-store operations, riders, store admin, the WMS webhook and loyalty: every group after CONFIRMED. */
export const FulfilmentApiLive = Layer.mergeAll(
  StoreOpsHttpLive,
  StoreDashboardHttpLive,
  RiderHttpLive,
  StoresAdminHttpLive,
  WmsWebhookHttpLive,
  LoyaltyHttpLive
)
