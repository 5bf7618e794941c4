import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import type { AlreadyProcessingMessage, MailboxFull, PersistenceError } from "@effect/cluster/ClusterError"
import { Api } from "@qc/domain/Api"
import type { InvalidInput, ServiceUnavailable, Unauthorized } from "@qc/domain/Errors"
import type { OrderStateConflict, PackedReportInvalid } from "@qc/domain/stores/FulfilmentErrors"
import type { InvalidWmsEvent } from "@qc/domain/stores/WmsEvents"
import type { WmsResult } from "@qc/entities/stores/WmsWebhooks"
import { WmsWebhooks } from "@qc/entities/stores/WmsWebhooks"
import { Effect } from "effect"
import { entityAnswer } from "../ClusterCalls.js"

const answer = (status: number, body: Record<string, unknown>) => HttpServerResponse.json(body, { status })

export type WmsFailure =
  | Unauthorized
  | InvalidWmsEvent
  | InvalidInput
  | OrderStateConflict
  | PackedReportInvalid
  | ServiceUnavailable
  | MailboxFull
  | AlreadyProcessingMessage
  | PersistenceError

/**
 * How the WMS is answered. 2xx: acted on, a duplicate, or nothing to do (another event kind, an
 * order we do not have). 401 bad signature, 400 unreadable body (`issues` name the fields),
 * 409/422 the order refuses the report: none of these changes on a redelivery. 503: the order's
 * runner is busy or moving, or did not answer within `entityAnswerTimeout`; the claim was
 * released and the WMS's retry is acted on.
 */
export const wmsAnswer = <R>(handled: Effect.Effect<WmsResult, WmsFailure, R>) =>
  handled.pipe(
    Effect.flatMap((status) => HttpServerResponse.json({ status })),
    entityAnswer,
    Effect.catchTags({
      Unauthorized: (e) => answer(401, { _tag: e._tag, message: e.message }),
      InvalidWmsEvent: (e) => answer(400, { _tag: e._tag, message: e.message, issues: e.issues }),
      InvalidInput: (e) => answer(400, { _tag: e._tag, message: e.message }),
      OrderStateConflict: (e) =>
        answer(409, {
          _tag: e._tag,
          message: `order ${e.orderId} is ${e.status}; it cannot be ${e.attempted}`,
          orderId: e.orderId,
          status: e.status
        }),
      PackedReportInvalid: (e) => answer(422, { _tag: e._tag, message: e.message }),
      ServiceUnavailable: (e) => answer(503, { _tag: e._tag, message: e.message })
    }),
    Effect.orDie
  )

export const WmsWebhookHttpLive = HttpApiBuilder.group(Api, "wmsWebhook", (handlers) =>
  Effect.gen(function*() {
    const wms = yield* WmsWebhooks
    return handlers.handleRaw("wms", ({ request }) =>
      wmsAnswer(Effect.gen(function*() {
        // The signature covers the exact bytes the WMS sent: verify before any parsing.
        const body = new Uint8Array(yield* Effect.orDie(request.arrayBuffer))
        return yield* wms.handle(body, request.headers["x-wms-signature"])
      })))
  }))
