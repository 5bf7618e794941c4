import { SqlClient } from "@effect/sql"
import { Clock, Context, Data, Effect, Layer } from "effect"

/** One text message to one phone (E.164). `kind` names what it is (`otp`, `order.confirmed`, ...). */
export interface SmsMessage {
  readonly to: string
  readonly text: string
  readonly kind: string
}

/** The gateway did not take the message; `retryable` when trying again later may help (5xx, timeout). */
export class SmsFailed extends Data.TaggedError("SmsFailed")<{ readonly message: string; readonly retryable: boolean }> {}

/**
 * Text messages: the live layer posts to an HTTP SMS gateway (`SMS_GATEWAY_URL`), the local
 * layer records what it would have sent in `local_messages` (the admin API lists it).
 */
export class Sms extends Context.Tag("Sms")<Sms, {
  readonly send: (message: SmsMessage) => Effect.Effect<{ readonly messageId: string }, SmsFailed>
}>() {}

/** Records each message in `local_messages` (channel `sms`) and reports it sent. */
export const SmsLocal = Layer.effect(
  Sms,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return Sms.of({
      send: (message) =>
        Effect.gen(function*() {
          const at = new Date(yield* Clock.currentTimeMillis)
          const [row] = yield* sql<{ id: string | number }>`INSERT INTO local_messages (channel, recipient, title, body, data, at)
            VALUES ('sms', ${message.to}, NULL, ${message.text}, ${JSON.stringify({ kind: message.kind })}::jsonb, ${at}) RETURNING id`
          return { messageId: `local-sms-${row.id}` }
        }).pipe(Effect.mapError((e) => new SmsFailed({ message: `local SMS record failed: ${e.message}`, retryable: true })))
    })
  })
)
