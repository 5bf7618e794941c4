import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSecurity,
  OpenApi
} from "@effect/platform"
import { Schema } from "effect"
import { Sku, Store } from "./Catalogue.js"
import {
  InsufficientStock,
  OperationIdReused,
  ReservationNotFound,
  ReservationStateConflict,
  SkuNotFound,
  StockWouldGoNegative,
  StoreNotFound,
  StoreSkuNotFound,
  Unauthorized
} from "./Errors.js"
import { ReservationId, SkuId, StoreId } from "./Ids.js"
import {
  AdjustPayload,
  LedgerEntry,
  ReceivePayload,
  Reservation,
  ReservePayload,
  StoreSkuSnapshot
} from "./StoreSku.js"

/** Admin calls carry the key in `x-admin-key`. */
export class AdminAuth extends HttpApiMiddleware.Tag<AdminAuth>()("AdminAuth", {
  failure: Unauthorized,
  security: { adminKey: HttpApiSecurity.apiKey({ in: "header", key: "x-admin-key" }) }
}) {}

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

export class Api extends HttpApi.make("quick-commerce")
  .add(HealthGroup)
  .add(StoresGroup)
  .add(StockAdminGroup)
  .annotate(OpenApi.Title, "Quick-commerce API")
{}
