import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { CartGroup } from "./customers/CartApi.js"
import { CatalogAdminGroup, CatalogGroup, PricingAdminGroup, VendorWebhooksGroup } from "./catalogue/CatalogueApi.js"
import { Sku, Store } from "./catalogue/Catalogue.js"
import {
  InsufficientStock,
  InvalidInput,
  OperationIdReused,
  RateLimited,
  ReservationNotFound,
  ReservationStateConflict,
  ServiceUnavailable,
  SkuNotFound,
  StockWouldGoNegative,
  StoreNotFound,
  StoreSkuNotFound,
  Unauthorized
} from "./Errors.js"
import { AuthGroup, MeGroup } from "./customers/CustomersApi.js"
import { StoredDomainEvent } from "./events/DomainEvent.js"
import { ReservationId, SkuId, StoreId } from "./Ids.js"
import {
  AdminOrderView,
  CartConflict,
  DevPaymentOrderUnknown,
  DevPaymentRefused,
  DevPaymentsUnavailable,
  IdempotencyKeyReused,
  NotServiceable,
  OrderBelowMinimum,
  OrderId,
  OrderNotCancellable,
  OrderNotFound,
  OrderView,
  PaymentGatewayUnavailable,
  PlacedOrder,
  PlaceOrderRequest,
  PriceChanged
} from "./orders/Order.js"
import {
  AdjustPayload,
  LedgerEntry,
  ReceivePayload,
  Reservation,
  ReservePayload,
  StoreSkuSnapshot
} from "./stock/StoreSku.js"
import { NotificationsAdminGroup } from "./notifications/NotificationsApi.js"
import { safeText } from "./Text.js"
import { LoyaltyGroup, RiderGroup, StoreDashboardGroup, StoreOpsGroup, StoresAdminGroup, WmsWebhookGroup } from "./stores/StoresApi.js"

export { AdminAuth, CurrentCustomer, CurrentRider, CurrentStaff, CustomerAuth, RiderAuth, StaffAuth } from "./Auth.js"
import { AdminAuth, CustomerAuth } from "./Auth.js"

const StorePath = Schema.Struct({ storeId: StoreId })
const StockPath = Schema.Struct({ storeId: StoreId, skuId: SkuId })
const ReservationPath = Schema.Struct({ storeId: StoreId, skuId: SkuId, reservationId: ReservationId })

export const Health = Schema.Struct({ status: Schema.Literal("ok"), stores: Schema.Int, skus: Schema.Int })

export class HealthGroup extends HttpApiGroup.make("health", { topLevel: true })
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health))
{}

export const StoreSkuItem = Schema.Struct({ sku: Sku, stock: StoreSkuSnapshot })

export const StoreSkuPage = Schema.Struct({
  items: Schema.Array(StoreSkuItem),
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: Schema.NullOr(Schema.String)
})

export class StoresGroup extends HttpApiGroup.make("stores")
  .add(HttpApiEndpoint.get("list", "/v1/stores").addSuccess(Schema.Array(Store)))
  .add(
    HttpApiEndpoint.get("skus", "/v1/stores/:storeId/skus")
      .setPath(StorePath)
      .setUrlParams(Schema.Struct({
        cursor: Schema.optional(SkuId),
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 200)))
      }))
      .addSuccess(StoreSkuPage)
      .addError(StoreNotFound)
  )
  .add(
    HttpApiEndpoint.get("snapshot", "/v1/stores/:storeId/skus/:skuId")
      .setPath(StockPath)
      .addSuccess(StoreSkuSnapshot)
      .addError(StoreNotFound)
      .addError(SkuNotFound)
      .addError(StoreSkuNotFound)
  )
  .annotate(OpenApi.Title, "Stores")
  .annotate(OpenApi.Description, "Dark stores and the live stock of what each carries")
{}

const stockPath = "/v1/admin/stores/:storeId/skus/:skuId" as const

export class StockAdminGroup extends HttpApiGroup.make("stockAdmin")
  .add(
    HttpApiEndpoint.post("receive", `${stockPath}/receipts`)
      .setPath(StockPath)
      .setPayload(ReceivePayload)
      .addSuccess(LedgerEntry, { status: 201 })
      .addError(OperationIdReused)
  )
  .add(
    HttpApiEndpoint.post("adjust", `${stockPath}/adjustments`)
      .setPath(StockPath)
      .setPayload(AdjustPayload)
      .addSuccess(LedgerEntry, { status: 201 })
      .addError(StockWouldGoNegative)
      .addError(OperationIdReused)
  )
  .add(
    HttpApiEndpoint.post("reserve", `${stockPath}/reservations`)
      .setPath(StockPath)
      .setPayload(ReservePayload)
      .addSuccess(Reservation, { status: 201 })
      .addError(InsufficientStock)
      .addError(OperationIdReused)
  )
  .add(
    HttpApiEndpoint.post("commit", `${stockPath}/reservations/:reservationId/commit`)
      .setPath(ReservationPath)
      .addSuccess(Reservation)
      .addError(ReservationNotFound)
      .addError(ReservationStateConflict)
  )
  .add(
    HttpApiEndpoint.post("fulfil", `${stockPath}/reservations/:reservationId/fulfil`)
      .setPath(ReservationPath)
      .addSuccess(Reservation)
      .addError(ReservationNotFound)
      .addError(ReservationStateConflict)
  )
  .add(
    HttpApiEndpoint.del("release", `${stockPath}/reservations/:reservationId`)
      .setPath(ReservationPath)
      .addSuccess(Reservation)
      .addError(ReservationNotFound)
      .addError(ReservationStateConflict)
  )
  .add(
    HttpApiEndpoint.get("ledger", `${stockPath}/ledger`)
      .setPath(StockPath)
      .setUrlParams(Schema.Struct({
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))
      }))
      .addSuccess(Schema.Array(LedgerEntry))
  )
  .addError(StoreNotFound)
  .addError(SkuNotFound)
  .addError(StoreSkuNotFound)
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Stock admin")
  .annotate(OpenApi.Description, "Receipts, adjustments and reservations on one store-SKU (x-admin-key)")
{}

const OrderPath = Schema.Struct({ orderId: OrderId })

export const OrderPage = Schema.Struct({ items: Schema.Array(OrderView), nextCursor: Schema.NullOr(Schema.String) })

export class OrdersGroup extends HttpApiGroup.make("orders")
  .add(
    HttpApiEndpoint.post("place", "/v1/orders")
      .setHeaders(Schema.Struct({ "idempotency-key": safeText(128) }))
      .setPayload(PlaceOrderRequest)
      .addSuccess(PlacedOrder, { status: 201 })
      .addError(NotServiceable)
      .addError(PriceChanged)
      .addError(CartConflict)
      .addError(IdempotencyKeyReused)
      .addError(PaymentGatewayUnavailable)
      .addError(OrderBelowMinimum)
      .addError(SkuNotFound)
  )
  .add(HttpApiEndpoint.get("get", "/v1/orders/:orderId").setPath(OrderPath).addSuccess(OrderView).addError(OrderNotFound))
  .add(
    HttpApiEndpoint.get("list", "/v1/orders")
      .setUrlParams(Schema.Struct({
        /** The `nextCursor` of the previous page: an order id. */
        cursor: Schema.optional(OrderId),
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100)))
      }))
      .addSuccess(OrderPage)
  )
  .add(
    HttpApiEndpoint.post("cancel", "/v1/orders/:orderId/cancel")
      .setPath(OrderPath)
      .addSuccess(OrderView)
      .addError(OrderNotFound)
      .addError(OrderNotCancellable)
  )
  .middleware(CustomerAuth)
  .annotate(OpenApi.Title, "Orders")
  .annotate(OpenApi.Description, "Checkout: place, pay through Razorpay, follow, cancel (Bearer token)")
{}

export class OrdersAdminGroup extends HttpApiGroup.make("ordersAdmin")
  .add(
    HttpApiEndpoint.get("get", "/v1/admin/orders/:orderId").setPath(OrderPath).addSuccess(AdminOrderView).addError(
      OrderNotFound
    )
  )
  .add(
    HttpApiEndpoint.get("events", "/v1/admin/events")
      .setUrlParams(Schema.Struct({
        after: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())),
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))
      }))
      // Rows that no longer decode as an event are left out (and logged), not answered as unknown JSON.
      .addSuccess(Schema.Array(StoredDomainEvent))
  )
  .add(
    HttpApiEndpoint.post("pay", "/v1/dev/payments/:razorpayOrderId")
      .setPath(Schema.Struct({ razorpayOrderId: safeText(64) }))
      .setPayload(Schema.Struct({
        outcome: Schema.Literal("capture", "fail"),
        amount: Schema.optional(Schema.Int.pipe(Schema.positive()))
      }))
      .addSuccess(Schema.Struct({ paymentId: Schema.String, status: Schema.String, amount: Schema.Int }))
      .addError(DevPaymentsUnavailable)
      .addError(DevPaymentOrderUnknown)
      .addError(DevPaymentRefused)
  )
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Orders admin")
  .annotate(OpenApi.Description, "Order internals, domain events, and (stand-in mode only) paying as a customer")
{}

/** Razorpay calls this; authenticated by the HMAC signature of the raw body, not by a key. */
export class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.post("razorpay", "/v1/webhooks/razorpay")
      .addSuccess(Schema.Struct({ status: Schema.Literal("processed", "duplicate", "ignored") }))
      .addError(Unauthorized)
  )
  .annotate(OpenApi.Title, "Webhooks")
{}

export class Api extends HttpApi.make("quick-commerce")
  .add(HealthGroup)
  .add(StoresGroup)
  .add(StockAdminGroup)
  .add(OrdersGroup)
  .add(OrdersAdminGroup)
  .add(WebhooksGroup)
  .add(CatalogGroup)
  .add(CatalogAdminGroup)
  .add(PricingAdminGroup)
  .add(VendorWebhooksGroup)
  .add(StoreOpsGroup)
  .add(StoreDashboardGroup)
  .add(RiderGroup)
  .add(StoresAdminGroup)
  .add(WmsWebhookGroup)
  .add(LoyaltyGroup)
  .add(CartGroup)
  .add(AuthGroup)
  .add(MeGroup)
  .add(NotificationsAdminGroup)
  // Any endpoint: a value the database refused (400), a dependency down (503, retry), too many
  // requests (429, answered by the server's rate limits before the route runs).
  .addError(InvalidInput)
  .addError(ServiceUnavailable)
  .addError(RateLimited)
  .annotate(OpenApi.Title, "Quick-commerce API")
{}
