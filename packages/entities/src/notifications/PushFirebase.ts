/**
 * `Push` through Firebase Cloud Messaging with the `firebase-admin` SDK. One push goes to a
 * customer's devices with `sendEachForMulticast`, at most 500 tokens per call (FCM's limit),
 * each token answered in order. A chunk whose whole call fails counts as refused on each of
 * its tokens, so devices of other chunks that took the push are not sent it again.
 */
import type { App } from "firebase-admin/app"
import { cert, deleteApp, initializeApp } from "firebase-admin/app"
import { getMessaging } from "firebase-admin/messaging"
import { Chunk, Effect, Layer, Schema } from "effect"
import { readFileSync } from "node:fs"
import type { PushResult } from "./Push.js"
import { Push } from "./Push.js"

/** FCM's most tokens per multicast. */
export const fcmBatchSize = 500

/**
 * The token is dead: the app was uninstalled or the token rotated. `invalid-registration-token`
 * also means a bad payload in general, but ours is built by us and known good.
 */
const staleCodes = new Set(["messaging/registration-token-not-registered", "messaging/invalid-registration-token"])
/** FCM or the network stumbled: worth trying later. */
const retryableCodes = new Set([
  "messaging/server-unavailable",
  "messaging/internal-error",
  "messaging/message-rate-exceeded",
  "messaging/device-message-rate-exceeded",
  "messaging/unknown-error",
  "app/network-error",
  "app/network-timeout"
])

const codeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "unknown"

export const rejection = (token: string, code: string): PushResult => ({
  _tag: "Rejected",
  token,
  code,
  stale: staleCodes.has(code),
  retryable: retryableCodes.has(code)
})

/** Push on a firebase `App` the caller made (and deletes). */
export const pushFirebase = (app: App): Layer.Layer<Push> =>
  Layer.sync(Push, () => {
    const messaging = getMessaging(app)
    return Push.of({
      send: (message) =>
        Effect.forEach(
          Chunk.chunksOf(Chunk.fromIterable(message.tokens), fcmBatchSize),
          (chunk) => {
            const tokens = Chunk.toArray(chunk)
            return Effect.tryPromise(() =>
              messaging.sendEachForMulticast({
                tokens,
                notification: { title: message.title, body: message.body },
                data: { ...message.data },
                android: { priority: "high" }
              })
            ).pipe(
              Effect.map((batch) =>
                tokens.map((token, i): PushResult => {
                  const answer = batch.responses[i]
                  return answer?.success === true ? { _tag: "Delivered", token } : rejection(token, codeOf(answer?.error))
                })
              ),
              // The whole call failed (credentials, network): none of these tokens was reached.
              Effect.catchAll((failure) => {
                const code = codeOf(failure.error)
                return Effect.succeed(tokens.map((token) => ({ ...rejection(token, code), retryable: !staleCodes.has(code) })))
              })
            )
          }
        ).pipe(Effect.map((chunks) => chunks.flat()), Effect.withSpan("PushFirebase.send", { attributes: { tokens: message.tokens.length } }))
    })
  })

const ServiceAccount = Schema.parseJson(Schema.Struct({ project_id: Schema.String, client_email: Schema.String, private_key: Schema.String }))

/**
 * Push from the service account JSON at `path` (`FIREBASE_SERVICE_ACCOUNT`), on a named app
 * of its own (deleted with the layer). A file that cannot be read or parsed stops the start;
 * the message names the path, never the file's content.
 */
export const pushFirebaseFromFile = (path: string): Layer.Layer<Push> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const text = yield* Effect.try(() => readFileSync(path, "utf8")).pipe(
      Effect.orDieWith(() => new Error(`FIREBASE_SERVICE_ACCOUNT: cannot read ${path}`))
    )
    const account = yield* Schema.decodeUnknown(ServiceAccount)(text).pipe(
      Effect.orDieWith(() => new Error(`FIREBASE_SERVICE_ACCOUNT: ${path} is not a service account JSON (project_id, client_email, private_key)`))
    )
    const app = yield* Effect.acquireRelease(
      Effect.sync(() =>
        initializeApp({
          credential: cert({ projectId: account.project_id, clientEmail: account.client_email, privateKey: account.private_key }),
          projectId: account.project_id
        }, `qc-push-${account.project_id}`)
      ),
      (app) => Effect.promise(() => deleteApp(app))
    )
    return pushFirebase(app)
  }))
