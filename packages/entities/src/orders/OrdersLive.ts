import { Layer } from "effect"
import { OrderLive } from "./Order.js"
import { OrderDueSweepLive } from "./OrderDueSweep.js"
import { OrderPlacement } from "./OrderPlacement.js"
import { OrderRepo } from "./OrderRepo.js"
import { Quote } from "./Quote.js"
import { OrderStepsLive } from "./OrderSteps.js"
import { FulfilmentSettingsFromConfig } from "./FulfilmentSettings.js"
import { FulfilmentStepsLive } from "./FulfilmentSteps.js"

/**
 * The orders area on a runner: placement, the Order entities (each its own lifecycle), the
 * steps they take on stock and the gateway, the due-order sweep, and `Quote` (routing and
 * pricing, shared with the cart). Needs pricing, the
 * catalogue, the payments gateway, the outbox and sharding.
 */
export const OrdersLive = Layer.mergeAll(OrderLive, OrderDueSweepLive, OrderPlacement.Default).pipe(
  Layer.provideMerge(Layer.mergeAll(OrderRepo.Default, Quote.Default, OrderStepsLive, FulfilmentStepsLive, FulfilmentSettingsFromConfig))
)
