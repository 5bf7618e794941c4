import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Api, CurrentCustomer } from "@qc/domain/Api"
import {
  DevPaymentOrderUnknown,
  DevPaymentRefused,
  DevPaymentsUnavailable,
  OrderNotCancellable,
  OrderNotFound,
  unknownIdDescription
} from "@qc/domain/orders/Order"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import { OrderPlacement } from "@qc/entities/orders/OrderPlacement"
import { OrderRepo } from "@qc/entities/orders/OrderRepo"
import { PaymentWebhooks } from "@qc/entities/payments/PaymentWebhooks"
import { RazorpayStandIn } from "@qc/entities/payments/standin/RazorpayStandIn"
import { DateTime, Effect, Layer, Option } from "effect"
import { entityAnswer } from "./ClusterCalls.js"
import { cancellableBy } from "@qc/entities/orders/FulfilmentRules"


export const OrdersHttpLive = HttpApiBuilder.group(Api, "orders", (handlers) =>
  Effect.gen(function*() {
    const placement = yield* OrderPlacement
    const orders = yield* OrderRepo
    const order = yield* OrderEntity.client

    /** Someone else's order is reported as missing, not forbidden: ids are not disclosed. */
    const own = (orderId: string) =>
      Effect.gen(function*() {
        const customer = yield* CurrentCustomer
        // The order's entity holds it in memory: no database read for a status poll.
        const state = yield* Effect.orDie(order(orderId).Get())
        return yield* Option.match(Option.filter(state, (s) => s.customerId === customer), {
          onNone: () => Effect.fail(new OrderNotFound({ orderId })),
          onSome: (s) => Effect.succeed(s.view)
        })
      })

    return handlers
      .handle("place", ({ headers, payload }) =>
        Effect.flatMap(CurrentCustomer, (customer) => placement.place(customer, headers["idempotency-key"], payload)).pipe(entityAnswer))
      .handle("get", ({ path }) => entityAnswer(own(path.orderId)))
      .handle("list", ({ urlParams }) =>
        Effect.flatMap(CurrentCustomer, (customer) => orders.listForCustomer(customer, urlParams.cursor, urlParams.limit ?? 20)))
      .handle("cancel", ({ path }) =>
        entityAnswer(Effect.gen(function*() {
          const view = yield* own(path.orderId)
          if (view.status === "CANCELLED") return view
          if (!cancellableBy.customer.has(view.status)) {
            return yield* Effect.fail(new OrderNotCancellable({ orderId: path.orderId, status: view.status }))
          }
          // The order's entity cancels, releases the stock, clears its store tasks and refunds a capture, then answers.
          const cancelled = yield* order(path.orderId).Cancel({ by: "customer" }).pipe(
            Effect.catchTag("OrderMissing", () => Effect.fail(new OrderNotFound({ orderId: path.orderId })))
          )
          if (cancelled.status !== "CANCELLED") {
            return yield* Effect.fail(new OrderNotCancellable({ orderId: path.orderId, status: cancelled.status }))
          }
          return cancelled.view
        })))
  }))

export const OrdersAdminHttpLive = HttpApiBuilder.group(Api, "ordersAdmin", (handlers) =>
  Effect.gen(function*() {
    const orders = yield* OrderRepo
    const events = yield* DomainEvents
    const standIn = yield* Effect.serviceOption(RazorpayStandIn)
    return handlers
      .handle("get", ({ path }) =>
        Effect.flatMap(orders.adminView(path.orderId), Option.match({
          onNone: () => Effect.fail(new OrderNotFound({ orderId: path.orderId })),
          onSome: Effect.succeed
        })))
      .handle("events", ({ urlParams }) =>
        Effect.map(events.list(urlParams.after ?? 0, urlParams.limit ?? 100), (rows) =>
          rows.map((e) => ({ ...e, at: DateTime.unsafeMake(e.at) }))))
      .handle("pay", ({ path, payload }) =>
        Option.match(standIn, {
          onNone: () => Effect.fail(new DevPaymentsUnavailable({ message: "real Razorpay keys are configured" })),
          onSome: (s) =>
            s.pay(path.razorpayOrderId, { outcome: payload.outcome, ...(payload.amount ? { amount: payload.amount } : {}) }).pipe(
              Effect.map((p) => ({ paymentId: p.id, status: p.status, amount: p.amount })),
              // Answered as Razorpay answers, without our own error classes in the body.
              Effect.mapError((e) =>
                e.unknownId === true
                  ? new DevPaymentOrderUnknown({ error: { code: "BAD_REQUEST_ERROR", description: unknownIdDescription } })
                  : new DevPaymentRefused({ error: { code: "BAD_REQUEST_ERROR", description: e.message } })
              )
            )
        }))
  }))

export const WebhooksHttpLive = HttpApiBuilder.group(Api, "webhooks", (handlers) =>
  Effect.gen(function*() {
    const webhooks = yield* PaymentWebhooks
    return handlers.handleRaw("razorpay", ({ request }) =>
      Effect.gen(function*() {
        // The signature covers the exact bytes Razorpay sent: verify before any parsing.
        const body = new Uint8Array(yield* Effect.orDie(request.arrayBuffer))
        const status = yield* webhooks.handle(body, {
          signature: request.headers["x-razorpay-signature"],
          eventId: request.headers["x-razorpay-event-id"]
        })
        return yield* HttpServerResponse.json({ status })
      }).pipe(
        // An order's runner moving: 503, and Razorpay delivers the webhook again.
        entityAnswer,
        Effect.catchTag("ServiceUnavailable", (e) => HttpServerResponse.json({ _tag: e._tag, message: e.message }, { status: 503 })),
        Effect.catchTag("Unauthorized", (e) => HttpServerResponse.json({ _tag: e._tag, message: e.message }, { status: 401 })),
        Effect.orDie
      ))
  }))

export const OrdersApiLive = Layer.mergeAll(OrdersHttpLive, OrdersAdminHttpLive, WebhooksHttpLive)
