import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Context } from "effect"
import { Unauthorized } from "./Errors.js"
import type { CustomerId } from "./orders/Order.js"

/** The customer a bearer token was issued to (`sub` of an HS256 JWT). */
export class CurrentCustomer extends Context.Tag("CurrentCustomer")<CurrentCustomer, CustomerId>() {}

/** Customer calls carry `Authorization: Bearer <jwt>`. */
export class CustomerAuth extends HttpApiMiddleware.Tag<CustomerAuth>()("CustomerAuth", {
  failure: Unauthorized,
  provides: CurrentCustomer,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/** Admin calls carry the key in `x-admin-key`. */
export class AdminAuth extends HttpApiMiddleware.Tag<AdminAuth>()("AdminAuth", {
  failure: Unauthorized,
  security: { adminKey: HttpApiSecurity.apiKey({ in: "header", key: "x-admin-key" }) }
}) {}
