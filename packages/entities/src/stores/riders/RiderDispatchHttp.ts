/**
 * `RiderDispatch` against a delivery-management system (DMS) over HTTP. The contract is ours;
 * a DMS adapter implements it. Every request carries `Accept: application/json` and, when
 * `DMS_API_KEY` is set, `Authorization: Bearer <key>`. Bodies are JSON.
 *
 * - `POST /v1/assignments` `{orderId, storeId, region, lat, lng}` (lat/lng: the store) →
 *   201 or 200 `RiderAssignment` `{riderId, name, phone, distanceKm, etaSeconds}`;
 *   404 `{"error":"no_rider"}` when no rider is free. Idempotent per orderId: a repeat answers
 *   the order's assignment (which is why a failed POST may be retried).
 * - `DELETE /v1/assignments/{orderId}` → 204, or 404 when the order has none (both fine).
 * - `PUT /v1/riders/{riderId}/status` `RiderStatusUpdate` `{online, lat, lng}` → 200 `Rider`; 404 unknown rider.
 * - `GET /v1/riders/{riderId}` → 200 `Rider` `{riderId, name, phone, online, lat, lng, activeOrderIds}`; 404.
 * - `GET /v1/assignments/{orderId}/rider` → 200 `Rider` holding the order's open assignment; 404.
 * - `GET /v1/stores/{storeId}/riders` → 200 `Rider[]` (a 404 reads as none).
 *
 * Each attempt has 5 s (answer and body); 5xx, 429, transport errors and timeouts are retried
 * (100 ms, 200 ms, 400 ms, jittered), then the call fails with `RiderDispatchUnavailable`. Any
 * other status, or an answer that does not decode, fails at once. Error messages name the
 * method, the path and the status, never the headers: the key cannot leak through them.
 */
import type { SqlClient } from "@effect/sql"
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { Rider, RiderAssignment } from "@qc/domain/stores/Riders"
import type { RiderStatusUpdate } from "@qc/domain/stores/Riders"
import { Data, Duration, Effect, Layer, Option, Redacted, Schedule, Schema } from "effect"
import { RiderDispatch, RiderDispatchUnavailable } from "./RiderDispatch.js"
import type { DispatchRequest } from "./RiderDispatch.js"
import { RiderDispatchLocal } from "./RiderDispatchLocal.js"
import type { DmsSettings } from "./RiderSettings.js"
import { DmsSettingsConfig } from "./RiderSettings.js"

export interface DmsCallOptions {
  /** Per attempt, the body included. */
  readonly timeout?: Duration.DurationInput
  /** Between attempts that failed for a reason worth retrying. */
  readonly retry?: Schedule.Schedule<unknown, unknown>
}

export const dmsTimeout = Duration.seconds(5)
/** Three retries, about 100, 200 and 400 ms apart: a blip is ridden out, an outage answered within ~21 s. */
export const dmsRetry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("100 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(3))
)

/** Worth another attempt: the DMS or the network stumbled. */
class Transient extends Data.TaggedError("Transient")<{ readonly reason: string }> {}
/** Another attempt would get the same answer. */
class Refused extends Data.TaggedError("Refused")<{ readonly reason: string }> {}

const NoRider = Schema.Struct({ error: Schema.Literal("no_rider") })
const Riders = Schema.Array(Rider)

const segment = (id: string) => encodeURIComponent(id)

const make = (settings: DmsSettings, options: DmsCallOptions) =>
  Effect.gen(function*() {
    const timeout = options.timeout ?? dmsTimeout
    const retry = options.retry ?? dmsRetry
    const base = settings.url.replace(/\/+$/, "")
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) => {
        const json = HttpClientRequest.acceptJson(HttpClientRequest.prependUrl(request, base))
        return Option.match(settings.apiKey, { onNone: () => json, onSome: (key) => HttpClientRequest.bearerToken(json, key) })
      })
    )
    // Belt and braces: whatever text reaches an error, the key does not.
    const scrub = (text: string) =>
      Option.match(settings.apiKey, {
        onNone: () => text,
        onSome: (key) => (Redacted.value(key) === "" ? text : text.split(Redacted.value(key)).join("<redacted>"))
      })

    const transport = (error: HttpClientError.HttpClientError) =>
      error._tag === "RequestError" && error.reason === "Transport"
        ? new Transient({ reason: "no connection to the DMS" })
        : new Refused({ reason: `request failed (${error.reason})` })

    const decode = <A, I>(schema: Schema.Schema<A, I>) => (response: HttpClientResponse.HttpClientResponse) =>
      HttpClientResponse.schemaBodyJson(schema)(response).pipe(
        Effect.mapError((error) =>
          error._tag === "ParseError"
            ? new Refused({ reason: `status ${response.status}, an answer outside the contract: ${error.message}` })
            : transport(error)
        )
      )

    /**
     * One call: attempts under the timeout, retried while transient; `handle` reads the answer
     * (inside the attempt, so a body that stalls counts against the timeout too).
     */
    const call = <A>(
      method: "GET" | "POST" | "PUT" | "DELETE",
      path: string,
      body: unknown,
      handle: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, Transient | Refused>
    ): Effect.Effect<A, RiderDispatchUnavailable> => {
      const request = body === undefined
        ? HttpClientRequest.make(method)(path)
        : HttpClientRequest.bodyUnsafeJson(HttpClientRequest.make(method)(path), body)
      const attempt = client.execute(request).pipe(
        Effect.mapError(transport),
        Effect.flatMap((response) =>
          response.status >= 500 || response.status === 429
            ? Effect.zipRight(Effect.ignore(response.text), Effect.fail(new Transient({ reason: `status ${response.status}` })))
            : handle(response)
        ),
        Effect.timeoutFail({ duration: timeout, onTimeout: () => new Transient({ reason: `no answer within ${Duration.format(timeout)}` }) })
      )
      return attempt.pipe(
        Effect.retry({ schedule: retry, while: (error) => error._tag === "Transient" }),
        Effect.mapError((error) => new RiderDispatchUnavailable({ message: scrub(`DMS ${method} ${path}: ${error.reason}`) }))
      )
    }

    const unexpected = (response: HttpClientResponse.HttpClientResponse) =>
      Effect.zipRight(Effect.ignore(response.text), Effect.fail(new Refused({ reason: `unexpected status ${response.status}` })))

    /** 200 → the decoded answer; 404 → none. */
    const optional = <A, I>(schema: Schema.Schema<A, I>) => (response: HttpClientResponse.HttpClientResponse) =>
      response.status === 200
        ? Effect.map(decode(schema)(response), Option.some)
        : response.status === 404
        ? Effect.as(Effect.ignore(response.text), Option.none<A>())
        : unexpected(response)

    const assign = Effect.fn("RiderDispatchHttp.assign")(function*(req: DispatchRequest) {
      const body = { orderId: req.orderId, storeId: req.storeId, region: req.region, lat: req.lat, lng: req.lng }
      return yield* call("POST", "/v1/assignments", body, (response) =>
        response.status === 200 || response.status === 201
          ? Effect.map(decode(RiderAssignment)(response), Option.some)
          : response.status === 404
          // Any other 404 is a wrong DMS_URL, not a missing rider.
          ? Effect.as(decode(NoRider)(response), Option.none<RiderAssignment>())
          : unexpected(response))
    })

    const release = Effect.fn("RiderDispatchHttp.release")(function*(orderId: string) {
      yield* call("DELETE", `/v1/assignments/${segment(orderId)}`, undefined, (response) =>
        response.status === 204 || response.status === 200 || response.status === 404
          ? Effect.ignore(response.text)
          : unexpected(response))
    })

    const setStatus = Effect.fn("RiderDispatchHttp.setStatus")(function*(riderId: string, update: RiderStatusUpdate) {
      const body = { online: update.online, lat: update.lat, lng: update.lng }
      return yield* call("PUT", `/v1/riders/${segment(riderId)}/status`, body, optional(Rider))
    })

    const rider = Effect.fn("RiderDispatchHttp.rider")(function*(riderId: string) {
      return yield* call("GET", `/v1/riders/${segment(riderId)}`, undefined, optional(Rider))
    })

    const riderOf = Effect.fn("RiderDispatchHttp.riderOf")(function*(orderId: string) {
      return yield* call("GET", `/v1/assignments/${segment(orderId)}/rider`, undefined, optional(Rider))
    })

    const ridersOfStore = Effect.fn("RiderDispatchHttp.ridersOfStore")(function*(storeId: string) {
      const riders = yield* call("GET", `/v1/stores/${segment(storeId)}/riders`, undefined, optional(Riders))
      return Option.getOrElse(riders, (): ReadonlyArray<Rider> => [])
    })

    return RiderDispatch.of({ assign, release, setStatus, rider, riderOf, ridersOfStore })
  })

/** The DMS at `settings.url`. */
export const riderDispatchHttp = (
  settings: DmsSettings,
  options: DmsCallOptions = {}
): Layer.Layer<RiderDispatch, never, HttpClient.HttpClient> => Layer.effect(RiderDispatch, make(settings, options))

const dmsSettings = Effect.orDie(DmsSettingsConfig)

/** The DMS from `DMS_URL` and `DMS_API_KEY`; a process without `DMS_URL` stops at start. */
export const RiderDispatchHttp: Layer.Layer<RiderDispatch, never, HttpClient.HttpClient> = Layer.unwrapEffect(
  Effect.map(
    dmsSettings,
    Option.match({
      onNone: () => Layer.die("RiderDispatchHttp needs DMS_URL"),
      onSome: (settings) => riderDispatchHttp(settings)
    })
  )
)

/** The DMS when `DMS_URL` is set, else the simulated fleet in our tables. */
export const RiderDispatchFromConfig: Layer.Layer<RiderDispatch, never, SqlClient.SqlClient | HttpClient.HttpClient> = Layer
  .unwrapEffect(
    Effect.map(
      dmsSettings,
      Option.match({
        onNone: (): Layer.Layer<RiderDispatch, never, SqlClient.SqlClient | HttpClient.HttpClient> => RiderDispatchLocal,
        onSome: (settings) => riderDispatchHttp(settings)
      })
    )
  )
