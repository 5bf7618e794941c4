import { Schema } from "effect"
import { CatalogueUpdated } from "./CatalogueEvents.js"
import { FulfilmentEvent, StoreEvent } from "./FulfilmentEvents.js"
import { OrderEvent } from "./OrderEvents.js"
import { PaymentEvent } from "./PaymentEvents.js"
import { PricingUpdated } from "./PricingEvents.js"
import { InventoryUpdated } from "./StockEvents.js"

/**
 * Every event the outbox carries, told apart by `type`. Producers publish these and
 * followers decode them with this schema; a row that does not decode is skipped.
 */
export const DomainEvent = Schema.Union(
  InventoryUpdated,
  OrderEvent,
  FulfilmentEvent,
  PaymentEvent,
  PricingUpdated,
  CatalogueUpdated,
  StoreEvent
)
export type DomainEvent = typeof DomainEvent.Type

export type DomainEventType = DomainEvent["type"]

/** The event of one type (or of several). */
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { readonly type: T }>

/** An event of a type, checked against that type's payload: `domainEvent("order.paid", id, { orderId, paymentId })`. */
export const domainEvent = <T extends DomainEventType>(type: T, aggregateId: string, payload: DomainEventOf<T>["payload"]) => ({
  type,
  aggregateId,
  payload
})

/** An event as the outbox holds it: its position and commit time added. */
export const StoredDomainEvent = Schema.extend(Schema.Struct({ seq: Schema.Int, at: Schema.DateTimeUtc }), DomainEvent)
export type StoredDomainEvent = typeof StoredDomainEvent.Type
