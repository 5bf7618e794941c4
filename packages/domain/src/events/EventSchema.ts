import { Schema } from "effect"

/**
 * The schema of one event type: its `type` literal, the aggregate it is about, and its
 * payload. The outbox keeps the three in columns `type`, `aggregate_id` and `payload` (JSON).
 */
export const eventSchema = <const Type extends string, Payload extends Schema.Schema.AnyNoContext>(
  type: Type,
  payload: Payload
) =>
  Schema.Struct({
    type: Schema.Literal(type),
    aggregateId: Schema.String,
    payload
  })
