import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AdminAuth, CustomerAuth, RiderAuth, StaffAuth } from "../Auth.js"
import { Store } from "../catalogue/Catalogue.js"
import { Forbidden, StoreNotFound, Unauthorized } from "../Errors.js"
import { StoreId } from "../Ids.js"
import { OrderId, OrderNotCancellable, OrderNotFound, OrderView } from "../orders/Order.js"
import { safeText } from "../Text.js"
import { NotOnShift, OrderStateConflict, PackedReportInvalid, PickConflict, PickLineInvalid, StoreExists } from "./FulfilmentErrors.js"
import { RiderJobs, RiderStatusUpdate } from "./Riders.js"
import { InvalidWmsEvent } from "./WmsEvents.js"
import { NewStore, PackedReport, PickedReport, PickQueue, PickTask, StoreDashboard, StoreSettings, StoreSettingsUpdate } from "./StoreOps.js"

const StorePath = Schema.Struct({ storeId: StoreId })
const StoreOrderPath = Schema.Struct({ storeId: StoreId, orderId: OrderId })
const OrderPath = Schema.Struct({ orderId: OrderId })

/** The store app: pickers and the store manager of one store (their token names it). */
export class StoreOpsGroup extends HttpApiGroup.make("storeOps")
  .add(HttpApiEndpoint.get("queue", "/v1/ops/stores/:storeId/queue").setPath(StorePath).addSuccess(PickQueue))
  .add(
    HttpApiEndpoint.post("claim", "/v1/ops/stores/:storeId/orders/:orderId/claim")
      .setPath(StoreOrderPath)
      .addSuccess(PickTask)
      .addError(OrderNotFound)
      .addError(PickConflict)
      .addError(NotOnShift)
  )
  .add(
    HttpApiEndpoint.put("picked", "/v1/ops/stores/:storeId/orders/:orderId/lines/:lineNo/picked")
      .setPath(Schema.Struct({ ...StoreOrderPath.fields, lineNo: Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)) }))
      .setPayload(PickedReport)
      .addSuccess(PickTask)
      .addError(OrderNotFound)
      .addError(PickConflict)
      .addError(PickLineInvalid)
  )
  .add(
    HttpApiEndpoint.post("packed", "/v1/ops/stores/:storeId/orders/:orderId/packed")
      .setPath(StoreOrderPath)
      .setPayload(PackedReport)
      .addSuccess(OrderView)
      .addError(OrderNotFound)
      .addError(OrderStateConflict)
      .addError(PackedReportInvalid)
  )
  .add(
    HttpApiEndpoint.put("shift", "/v1/ops/stores/:storeId/shift")
      .setPath(StorePath)
      .setPayload(Schema.Struct({ onShift: Schema.Boolean }))
      .addSuccess(Schema.Struct({ staffId: Schema.String, onShift: Schema.Boolean }))
  )
  .addError(StoreNotFound)
  .middleware(StaffAuth)
  .annotate(OpenApi.Title, "Store operations")
  .annotate(OpenApi.Description, "Pick queue, claim, packed, shifts, the manager's dashboard (staff bearer token of that store)")
{}

/** The store manager's dashboard data (the page at `/ops` polls it). */
export class StoreDashboardGroup extends HttpApiGroup.make("storeDashboard")
  .add(HttpApiEndpoint.get("dashboard", "/v1/ops/stores/:storeId/dashboard").setPath(StorePath).addSuccess(StoreDashboard))
  .addError(StoreNotFound)
  .middleware(StaffAuth)
  .annotate(OpenApi.Title, "Store dashboard")
{}

/** The rider app. */
export class RiderGroup extends HttpApiGroup.make("rider")
  .add(HttpApiEndpoint.put("status", "/v1/rider/status").setPayload(RiderStatusUpdate).addSuccess(RiderJobs))
  .add(HttpApiEndpoint.get("jobs", "/v1/rider/jobs").addSuccess(RiderJobs))
  .add(
    HttpApiEndpoint.post("pickedUp", "/v1/rider/orders/:orderId/picked-up")
      .setPath(OrderPath)
      .addSuccess(RiderJobs)
      .addError(OrderNotFound)
      .addError(OrderStateConflict)
  )
  .add(
    HttpApiEndpoint.post("delivered", "/v1/rider/orders/:orderId/delivered")
      .setPath(OrderPath)
      .addSuccess(RiderJobs)
      .addError(OrderNotFound)
      .addError(OrderStateConflict)
  )
  .middleware(RiderAuth)
  .annotate(OpenApi.Title, "Rider")
  .annotate(OpenApi.Description, "Go online, see assignments, report picked up and delivered (rider bearer token)")
{}

export const UndeliverableRequest = Schema.Struct({
  reason: safeText(200),
  /** The goods: back on the shelf, or written off (damaged, perishable). */
  stock: Schema.Literal("restock", "write_off")
})

/** Stores and fulfilment for ops (x-admin-key). */
export class StoresAdminGroup extends HttpApiGroup.make("storesAdmin")
  .add(
    HttpApiEndpoint.post("createStore", "/v1/admin/stores").setPayload(NewStore).addSuccess(Store, { status: 201 }).addError(StoreExists)
  )
  .add(
    HttpApiEndpoint.patch("updateStore", "/v1/admin/stores/:storeId")
      .setPath(StorePath)
      .setPayload(StoreSettingsUpdate)
      .addSuccess(StoreSettings)
      .addError(StoreNotFound)
  )
  .add(
    HttpApiEndpoint.post("cancelOrder", "/v1/admin/orders/:orderId/cancel")
      .setPath(OrderPath)
      .addSuccess(OrderView)
      .addError(OrderNotFound)
      .addError(OrderNotCancellable)
  )
  .add(
    HttpApiEndpoint.post("undeliverable", "/v1/admin/orders/:orderId/undeliverable")
      .setPath(OrderPath)
      .setPayload(UndeliverableRequest)
      .addSuccess(OrderView)
      .addError(OrderNotFound)
      .addError(OrderStateConflict)
  )
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Stores admin")
{}

/** The warehouse-management system reports packing; authenticated by `x-wms-signature` over the raw body. */
export class WmsWebhookGroup extends HttpApiGroup.make("wmsWebhook")
  .add(
    HttpApiEndpoint.post("wms", "/v1/webhooks/wms")
      .addSuccess(Schema.Struct({ status: Schema.Literal("processed", "duplicate", "ignored") }))
      .addError(Unauthorized)
      .addError(InvalidWmsEvent)
      .addError(OrderStateConflict)
      .addError(PackedReportInvalid)
  )
  .annotate(OpenApi.Title, "WMS webhook")
{}

export const LoyaltyBalance = Schema.Struct({
  points: Schema.Int,
  entries: Schema.Array(Schema.Struct({ orderId: Schema.String, points: Schema.Int, at: Schema.DateTimeUtc }))
})

export class LoyaltyGroup extends HttpApiGroup.make("loyalty")
  .add(HttpApiEndpoint.get("balance", "/v1/me/loyalty").addSuccess(LoyaltyBalance))
  .middleware(CustomerAuth)
  .annotate(OpenApi.Title, "Loyalty")
{}

export { Forbidden }
