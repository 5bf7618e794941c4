import { Schema } from "effect"
import { Paise } from "../Money.js"
import { OrderId } from "../orders/Order.js"

/** The languages customers choose (`customers.language`). */
export const Language = Schema.Literal("en", "hi")
export type Language = typeof Language.Type

/** How a notification reaches a customer. */
export const Channel = Schema.Literal("push", "sms")
export type Channel = typeof Channel.Type

const kind = <const K extends string, F extends Schema.Struct.Fields>(name: K, fields: F) =>
  Schema.Struct({ kind: Schema.Literal(name), orderId: OrderId, ...fields })

/** A rider's first name as a customer reads it. */
const FirstName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(40))

/**
 * The facts one customer notification is rendered from, one shape per kind. A kind's
 * importance (whether it falls back to SMS) and its templates live with the templates.
 */
export const NotificationFacts = Schema.Union(
  kind("order.confirmed", { total: Paise }),
  /** `reason` as on the order's timeline (`payment_timeout`, `payment_failed`, `out_of_stock`, ...). */
  kind("order.failed", { reason: Schema.String }),
  kind("order.cancelled", {}),
  /** `shortUnits` were missing at packing, refunded as `shortRefund`. */
  kind("order.packed", { shortUnits: Schema.Int.pipe(Schema.nonNegative()), shortRefund: Paise }),
  /** `etaAt`: epoch ms. */
  kind("order.rider_assigned", { riderFirstName: FirstName, etaAt: Schema.Int.pipe(Schema.nonNegative()) }),
  kind("order.dispatched", {}),
  kind("order.delivered", { paid: Paise }),
  kind("order.undeliverable", {}),
  /** The store missed its packing SLA on the order (`store.sla_breached`): it is running late. */
  kind("order.delayed", {}),
  kind("payment.refunded", { amount: Paise }),
  kind("loyalty.accrued", { points: Schema.Int.pipe(Schema.positive()) })
)
export type NotificationFacts = typeof NotificationFacts.Type
export type NotificationKind = NotificationFacts["kind"]

export const NotificationId = Schema.Int.pipe(Schema.positive(), Schema.brand("NotificationId"))
export type NotificationId = typeof NotificationId.Type

/** Where a queued notification stands. `held`: an SMS waiting on its push; `dropped`: nothing to send. */
export const NotificationStatus = Schema.Literal("held", "pending", "sending", "sent", "dropped", "dead")
export type NotificationStatus = typeof NotificationStatus.Type

/** One row of the delivery queue: one notification of one event on one channel. */
export const QueuedNotification = Schema.Struct({
  id: NotificationId,
  /** The event's business identity, e.g. `order.confirmed:{orderId}`, `payment.refunded:{refundId}`. */
  eventKey: Schema.String,
  channel: Channel,
  kind: Schema.String,
  customerId: Schema.String,
  /** The customer id (push) or the phone (SMS). */
  recipient: Schema.String,
  title: Schema.String,
  body: Schema.String,
  status: NotificationStatus,
  attempts: Schema.Int,
  lastError: Schema.NullOr(Schema.String),
  dueAt: Schema.NullOr(Schema.DateTimeUtc),
  updatedAt: Schema.DateTimeUtc
})
export type QueuedNotification = typeof QueuedNotification.Type

/** What a local channel recorded instead of sending (how a developer reads an OTP without a phone). */
export const LocalMessage = Schema.Struct({
  id: Schema.Int,
  channel: Channel,
  /** The phone (SMS) or the customer id (push). */
  to: Schema.String,
  title: Schema.NullOr(Schema.String),
  body: Schema.String,
  data: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  at: Schema.DateTimeUtc
})
export type LocalMessage = typeof LocalMessage.Type
