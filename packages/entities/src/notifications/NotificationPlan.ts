import { paise } from "@qc/domain/Money"
import type { PublishedEvent } from "../platform/DomainEvents.js"
import type { Language, NotificationFacts } from "@qc/domain/notifications/Notification"
import { Option } from "effect"
import type { NewNotification } from "./NotificationQueue.js"
import { isImportant, render } from "./Templates.js"

/** The notification an event means for its customer: its business identity and facts. */
export interface Planned {
  readonly eventKey: string
  readonly facts: NotificationFacts
  /** Known from the event (`loyalty.accrued`); otherwise the order's customer. */
  readonly customerId: string | null
}

const riderFallback = "Rider"

/**
 * Which events customers hear about, keyed by what the event is about in the business, so a
 * repeat of the same fact (a redelivery, a second runner) maps to the same key. Not here:
 * placed/paid/picking (the app shows them as they happen), review requests (asked in the app),
 * escalations (ops act on those), `store.updated`, stock, pricing and catalogue events. Of the
 * store's events only `store.sla_breached` concerns a customer: their order is late (a push, no SMS).
 */
export const planOf = (event: PublishedEvent, riderFirstName: string | null): Option.Option<Planned> => {
  const order = (facts: NotificationFacts, key: string = `${facts.kind}:${facts.orderId}`): Option.Option<Planned> =>
    Option.some({ eventKey: key, facts, customerId: null })
  switch (event.type) {
    case "order.confirmed":
      return order({ kind: "order.confirmed", orderId: event.payload.orderId, total: event.payload.total })
    case "order.failed":
      return order({ kind: "order.failed", orderId: event.payload.orderId, reason: event.payload.reason })
    case "order.cancelled":
      return order({ kind: "order.cancelled", orderId: event.payload.orderId })
    case "order.packed":
      return order({ kind: "order.packed", ...event.payload })
    case "order.rider_assigned":
      // Another rider later is news again; the same rider twice is not.
      return order({
        kind: "order.rider_assigned",
        orderId: event.payload.orderId,
        riderFirstName: riderFirstName ?? riderFallback,
        etaAt: event.payload.etaAt.epochMillis
      }, `order.rider_assigned:${event.payload.orderId}:${event.payload.riderId}`)
    case "order.dispatched":
      return order({ kind: "order.dispatched", orderId: event.payload.orderId })
    case "order.delivered":
      return Option.some({
        eventKey: `order.delivered:${event.payload.orderId}`,
        facts: { kind: "order.delivered", orderId: event.payload.orderId, paid: event.payload.paid },
        customerId: event.payload.customerId
      })
    case "order.undeliverable":
      return order({ kind: "order.undeliverable", orderId: event.payload.orderId })
    case "store.sla_breached":
      // One per order: a multi-store order's second late store is no news to its customer.
      return order({ kind: "order.delayed", orderId: event.payload.orderId })
    case "payment.refunded":
      return order(
        { kind: "payment.refunded", orderId: event.payload.orderId, amount: paise(Math.max(0, event.payload.amount)) },
        `payment.refunded:${event.payload.refundId}`
      )
    case "loyalty.accrued":
      return event.payload.points > 0
        ? Option.some({
          eventKey: `loyalty.accrued:${event.payload.orderId}`,
          facts: { kind: "loyalty.accrued", orderId: event.payload.orderId, points: event.payload.points },
          customerId: event.payload.customerId
        })
        : Option.none()
    default:
      return Option.none()
  }
}

/** The customer a notification goes to, as `customers` knows them. */
export interface Recipient {
  readonly customerId: string
  readonly language: Language
  readonly phone: string
}

/**
 * The queue rows of one planned notification: a push, and for an important kind an SMS held
 * until the push's outcome is known (sent only if no device took the push).
 */
export const rowsOf = (planned: Planned, to: Recipient): ReadonlyArray<NewNotification> => {
  const { body, title } = render(planned.facts, to.language)
  const common = {
    eventKey: planned.eventKey,
    kind: planned.facts.kind,
    customerId: to.customerId,
    language: to.language,
    title,
    body,
    data: { kind: planned.facts.kind, orderId: planned.facts.orderId, eventKey: planned.eventKey }
  }
  return [
    { ...common, channel: "push", recipient: to.customerId, status: "pending" },
    ...(isImportant(planned.facts.kind) ? [{ ...common, channel: "sms" as const, recipient: to.phone, status: "held" as const }] : [])
  ]
}
