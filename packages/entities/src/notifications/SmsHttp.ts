/**
 * `Sms` through an HTTP SMS gateway: `POST {SMS_GATEWAY_URL}` with JSON `{to, text, kind}` and,
 * when `SMS_GATEWAY_KEY` is set, `Authorization: Bearer <key>`. 2xx: sent (the answer's
 * `messageId` or `id` kept when there is one). 4xx: refused for good (`retryable: false`).
 * 5xx, a transport error or no answer within 10 s: `retryable: true`. There is no retry here:
 * the notification queue retries with its own backoff. Errors name the status, never the
 * headers, and any text that reaches an error has the key scrubbed out.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Config, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { Sms, SmsFailed } from "./Sms.js"

export interface SmsGatewaySettings {
  readonly url: string
  /** Sent as a bearer token; never logged, never put in an error. */
  readonly key: Option.Option<Redacted.Redacted>
}

/** `SMS_GATEWAY_URL` (unset: messages are recorded locally), `SMS_GATEWAY_KEY`. */
export const SmsGatewayConfig: Config.Config<Option.Option<SmsGatewaySettings>> = Config.all({
  url: Config.option(Config.nonEmptyString("SMS_GATEWAY_URL")),
  key: Config.option(Config.redacted(Config.nonEmptyString("SMS_GATEWAY_KEY")))
}).pipe(Config.map(({ key, url }) => Option.map(url, (url) => ({ url, key }))))

export const smsTimeout = Duration.seconds(10)

const Answer = Schema.Struct({ messageId: Schema.optional(Schema.String), id: Schema.optional(Schema.String) })
const decodeAnswer = Schema.decodeUnknownOption(Answer)

const make = (settings: SmsGatewaySettings, timeout: Duration.DurationInput) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const scrub = (text: string) =>
      Option.match(settings.key, {
        onNone: () => text,
        onSome: (key) => (Redacted.value(key) === "" ? text : text.split(Redacted.value(key)).join("<redacted>"))
      })
    const failed = (message: string, retryable: boolean) => new SmsFailed({ message: scrub(`SMS gateway: ${message}`), retryable })

    return Sms.of({
      send: (message) => {
        const base = HttpClientRequest.post(settings.url).pipe(
          HttpClientRequest.acceptJson,
          HttpClientRequest.bodyUnsafeJson({ to: message.to, text: message.text, kind: message.kind })
        )
        const request = Option.match(settings.key, { onNone: () => base, onSome: (key) => HttpClientRequest.bearerToken(base, key) })
        return client.execute(request).pipe(
          Effect.mapError((error) => failed(error._tag === "RequestError" ? "no connection" : `bad answer (${error.reason})`, true)),
          Effect.flatMap((response) => {
            if (response.status >= 200 && response.status < 300) {
              return Effect.map(Effect.orElseSucceed(response.json, () => null), (body) => {
                const answer = Option.getOrUndefined(decodeAnswer(body))
                return { messageId: answer?.messageId ?? answer?.id ?? "" }
              })
            }
            return Effect.zipRight(
              Effect.ignore(response.text),
              Effect.fail(failed(`status ${response.status}`, response.status >= 500 || response.status === 429))
            )
          }),
          Effect.timeoutFail({ duration: timeout, onTimeout: () => failed(`no answer within ${Duration.format(timeout)}`, true) }),
          Effect.withSpan("SmsHttp.send", { attributes: { kind: message.kind } })
        )
      }
    })
  })

/** The gateway at `settings.url`. */
export const smsHttp = (
  settings: SmsGatewaySettings,
  options: { readonly timeout?: Duration.DurationInput } = {}
): Layer.Layer<Sms, never, HttpClient.HttpClient> => Layer.effect(Sms, make(settings, options.timeout ?? smsTimeout))
