import { SqlClient } from "@effect/sql"
import { Clock, Context, Data, Effect, Layer } from "effect"
import type { TokenOutcome } from "./NotificationRules.js"

/** One push notification to every device of one customer. */
export interface PushMessage {
  /** Whose devices these are (the local layer records it as the recipient). */
  readonly customerId: string
  /** FCM registration tokens, any number (the live layer sends them in chunks). */
  readonly tokens: ReadonlyArray<string>
  readonly title: string
  readonly body: string
  /** FCM data values are strings. */
  readonly data: Readonly<Record<string, string>>
}

/** What FCM said about one token, in the order of `tokens`. */
export type PushResult = TokenOutcome & { readonly token: string }

/** The whole call failed before any token was answered (credentials, network). */
export class PushFailed extends Data.TaggedError("PushFailed")<{ readonly message: string; readonly retryable: boolean }> {}

/**
 * Push notifications: the live layer sends through Firebase Cloud Messaging (`PushFirebase`),
 * the local layer records what it would have sent in `local_messages`.
 */
export class Push extends Context.Tag("Push")<Push, {
  readonly send: (message: PushMessage) => Effect.Effect<ReadonlyArray<PushResult>, PushFailed>
}>() {}

/** Records each push once (channel `push`, recipient the customer, `devices` in data) and reports every token delivered. */
export const PushLocal = Layer.effect(
  Push,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return Push.of({
      send: (message) =>
        Effect.gen(function*() {
          const at = new Date(yield* Clock.currentTimeMillis)
          const data = JSON.stringify({ ...message.data, devices: message.tokens.length })
          yield* sql`INSERT INTO local_messages (channel, recipient, title, body, data, at)
            VALUES ('push', ${message.customerId}, ${message.title}, ${message.body}, ${data}::jsonb, ${at})`
          return message.tokens.map((token): PushResult => ({ _tag: "Delivered", token }))
        }).pipe(Effect.mapError((e) => new PushFailed({ message: `local push record failed: ${e.message}`, retryable: true })))
    })
  })
)
