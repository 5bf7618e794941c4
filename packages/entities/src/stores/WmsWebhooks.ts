import { Unauthorized } from "@qc/domain/Errors"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import { InvalidWmsEvent, WmsEventEnvelope, WmsPackedEvent } from "@qc/domain/stores/WmsEvents"
import { Cause, Context, Effect, Either, Exit, Layer, ParseResult, Predicate, Redacted, Schema } from "effect"
import { OrderRepo } from "../orders/OrderRepo.js"
import { configuredOrKeptSecret } from "../platform/Secrets.js"
import { hmacSha256Hex, signatureMatches } from "../platform/Signatures.js"

/** The HMAC key the WMS signs its webhooks with. */
export class WmsWebhookSecret extends Context.Tag("WmsWebhookSecret")<WmsWebhookSecret, Redacted.Redacted<string>>() {}

/** `WMS_WEBHOOK_SECRET`, or else a random one kept in `DATA_DIR/wms-webhook-secret` (never logged). */
export const WmsWebhookSecretFromConfig = Layer.effect(
  WmsWebhookSecret,
  Effect.map(configuredOrKeptSecret("WMS_WEBHOOK_SECRET", "wms-webhook-secret"), ({ secret }) => secret)
)

/** What the WMS sends as `x-wms-signature`: hex HMAC-SHA256 of the raw body. */
export const signWmsBody = (secret: string, body: Uint8Array | string): string => hmacSha256Hex(secret, body)

export type WmsResult = "processed" | "duplicate" | "ignored"

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())
const decodeEnvelope = Schema.decodeUnknownEither(WmsEventEnvelope)
const decodePacked = Schema.decodeUnknownEither(WmsPackedEvent, { errors: "all" })

const invalid = (message: string, error: ParseResult.ParseError) =>
  new InvalidWmsEvent({
    message,
    // A few issues, each cut short: the body may be large, and what it held is not echoed whole.
    issues: ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, 10)
      .map((i) => ({ path: i.path.map(String), message: i.message.slice(0, 200) }))
  })

/**
 * Failures a redelivery of the same event would meet again (the order refuses the report, or a
 * value cannot be stored): the event stays claimed, so a retry is answered `duplicate`.
 */
const settled = (error: unknown) =>
  Predicate.isTagged(error, "OrderStateConflict") || Predicate.isTagged(error, "PackedReportInvalid") ||
  Predicate.isTagged(error, "InvalidInput")

/** The claim is kept when the order answered, or refused in a way no retry changes. */
const keepsClaim = <A, E>(exit: Exit.Exit<A, E>) => Exit.isSuccess(exit) || (Cause.isFailType(exit.cause) && settled(exit.cause.error))

/**
 * The WMS webhook, given its collaborators (so a test can stand in for the order entity):
 * the signature over the raw body first, then the body, then the event id claimed, then the order told.
 */
export const makeWmsWebhooks = <E extends { readonly _tag: string }>(deps: {
  readonly secret: Redacted.Redacted<string>
  readonly claim: (eventId: string, event: string) => Effect.Effect<boolean>
  readonly release: (eventId: string) => Effect.Effect<void>
  /** Tells the order its store's part was packed (the Order entity's `Packed`). */
  readonly packed: (event: WmsPackedEvent) => Effect.Effect<unknown, E>
}) => {
  const isOrderMissing = (e: E): e is Extract<E, { readonly _tag: "OrderMissing" }> => e._tag === "OrderMissing"
  const handle = Effect.fn("WmsWebhooks.handle")(function*(rawBody: Uint8Array, signature: string | undefined) {
    if (!signatureMatches(Redacted.value(deps.secret), rawBody, signature)) {
      return yield* Effect.fail(new Unauthorized({ message: "bad or missing x-wms-signature" }))
    }
    const json = decodeJson(new TextDecoder().decode(rawBody))
    if (Either.isLeft(json)) return yield* Effect.fail(invalid("the body is not JSON", json.left))
    const envelope = decodeEnvelope(json.right)
    if (Either.isLeft(envelope)) return yield* Effect.fail(invalid("not a WMS event", envelope.left))
    if (envelope.right.event !== "order.packed") {
      yield* Effect.logInfo("WMS event ignored").pipe(Effect.annotateLogs({ event: envelope.right.event }))
      return "ignored" as const
    }
    const decoded = decodePacked(json.right)
    if (Either.isLeft(decoded)) return yield* Effect.fail(invalid("not a valid order.packed event", decoded.left))
    const event = decoded.right
    const key = `wms:${event.eventId}`
    if (!(yield* deps.claim(key, event.event))) return "duplicate" as const
    return yield* deps.packed(event).pipe(
      Effect.as<WmsResult>("processed"),
      // Not an order of ours: no redelivery will make it one, so the WMS gets its 2xx and we a warning.
      Effect.catchIf(isOrderMissing, () =>
        Effect.as(
          Effect.logWarning("WMS order.packed for an order we do not have; ignored").pipe(
            Effect.annotateLogs({ eventId: event.eventId, orderId: event.orderId, storeId: event.storeId })
          ),
          "ignored" as const
        )),
      // Anything else (the entity unavailable, a defect, the caller's timeout interrupting the
      // call) frees the claim, so the WMS's retry is acted on.
      Effect.onExit((exit) => keepsClaim(exit) ? Effect.void : deps.release(key))
    )
  })
  return { handle } as const
}

/** What the Order entity is told for a WMS `order.packed`: no person packed it. */
export const packedCommand = (event: WmsPackedEvent) =>
  ({ storeId: event.storeId, lines: event.lines, source: "wms", by: null }) as const

/** The WMS webhook on the order repository's dedupe table and the Order entity. */
export class WmsWebhooks extends Effect.Service<WmsWebhooks>()("WmsWebhooks", {
  effect: Effect.gen(function*() {
    const secret = yield* WmsWebhookSecret
    const orders = yield* OrderRepo
    const order = yield* OrderEntity.client
    return makeWmsWebhooks({
      secret,
      claim: orders.claimWebhookEvent,
      release: orders.releaseWebhookEvent,
      packed: (event) => order(event.orderId).Packed(packedCommand(event))
    })
  })
}) {}
