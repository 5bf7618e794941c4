import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Context, Schema } from "effect"
import { Forbidden, Unauthorized } from "./Errors.js"
import type { StoreId } from "./Ids.js"
import type { CustomerId } from "./orders/Order.js"
import type { RiderId, StaffId, StaffRole } from "./stores/StoreOps.js"

/** The customer a bearer token was issued to (`sub` of an HS256 JWT without a staff or rider role). */
export class CurrentCustomer extends Context.Tag("CurrentCustomer")<CurrentCustomer, CustomerId>() {}

/** Customer calls carry `Authorization: Bearer <jwt>`; a staff or rider token is refused (403). */
export class CustomerAuth extends HttpApiMiddleware.Tag<CustomerAuth>()("CustomerAuth", {
  failure: Schema.Union(Unauthorized, Forbidden),
  provides: CurrentCustomer,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/** A member of a store's staff: the token's `sub`, `role` and `store` claims, checked against `store_staff`. */
export class CurrentStaff extends Context.Tag("CurrentStaff")<CurrentStaff, {
  readonly staffId: StaffId
  readonly role: StaffRole
  readonly storeId: StoreId
  readonly name: string
}>() {}

/** Store-app calls: a bearer token with role `picker` or `store_manager` (else 403). */
export class StaffAuth extends HttpApiMiddleware.Tag<StaffAuth>()("StaffAuth", {
  failure: Schema.Union(Unauthorized, Forbidden),
  provides: CurrentStaff,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/** A rider: the token's `sub` with role `rider`, checked against `riders`. */
export class CurrentRider extends Context.Tag("CurrentRider")<CurrentRider, { readonly riderId: RiderId; readonly name: string }>() {}

/** Rider-app calls: a bearer token with role `rider` (else 403). */
export class RiderAuth extends HttpApiMiddleware.Tag<RiderAuth>()("RiderAuth", {
  failure: Schema.Union(Unauthorized, Forbidden),
  provides: CurrentRider,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/** Admin calls carry the key in `x-admin-key`. */
export class AdminAuth extends HttpApiMiddleware.Tag<AdminAuth>()("AdminAuth", {
  failure: Unauthorized,
  security: { adminKey: HttpApiSecurity.apiKey({ in: "header", key: "x-admin-key" }) }
}) {}
