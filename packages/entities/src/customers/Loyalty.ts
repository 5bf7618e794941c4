import { SqlClient } from "@effect/sql"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import { loyaltyPointsFor } from "@qc/domain/orders/Fulfilment"
import { Clock, Effect, Schema } from "effect"
import { DomainEvents } from "../platform/DomainEvents.js"
import { DateTimeFromTimestamp } from "../platform/SqlValues.js"

const Entry = Schema.Struct({ order_id: Schema.String, points: Schema.Number, at: DateTimeFromTimestamp })
const decodeEntries = Schema.decodeUnknownSync(Schema.Array(Entry))

/**
 * The post-delivery flow: every `order.delivered` accrues loyalty points (1 per ₹100 paid) once
 * per order — the order id is the key, so a redelivered event or a second runner changes
 * nothing — and asks the customer for a review, both as events in the same transaction.
 */
export class Loyalty extends Effect.Service<Loyalty>()("Loyalty", {
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents

    yield* events.subscribe("post-delivery", (event) => {
      if (event.type !== "order.delivered") return Effect.void
      const { customerId, orderId, paid } = event.payload
      const points = loyaltyPointsFor(paid)
      return sql.withTransaction(Effect.gen(function*() {
        const at = new Date(yield* Clock.currentTimeMillis)
        const inserted = yield* sql`INSERT INTO loyalty_points (order_id, customer_id, points, at)
          VALUES (${orderId}, ${customerId}, ${points}, ${at}) ON CONFLICT (order_id) DO NOTHING RETURNING order_id`
        if (inserted.length === 0) return
        // Under ₹100 paid earns nothing to announce; the review is asked for all the same.
        yield* events.publish([
          ...(points > 0 ? [domainEvent("loyalty.accrued", customerId, { customerId, orderId, points })] : []),
          domainEvent("order.review_requested", orderId, { orderId, customerId })
        ])
      })).pipe(Effect.orDie)
    })

    /** A customer's points and the orders they came from, newest first. */
    const balance = (customerId: string) =>
      Effect.map(
        sql`SELECT order_id, points, at FROM loyalty_points WHERE customer_id = ${customerId} ORDER BY at DESC, order_id LIMIT 200`,
        (rows) => {
          const entries = decodeEntries(rows).map((r) => ({ orderId: r.order_id, points: r.points, at: r.at }))
          return { points: entries.reduce((sum, e) => sum + e.points, 0), entries }
        }
      ).pipe(Effect.orDie)

    return { balance } as const
  })
}) {}
