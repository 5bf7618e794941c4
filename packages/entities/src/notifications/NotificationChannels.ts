import { FetchHttpClient } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import { Config, Effect, Layer, Option } from "effect"
import type { Push } from "./Push.js"
import { PushLocal } from "./Push.js"
import { pushFirebaseFromFile } from "./PushFirebase.js"
import type { Sms } from "./Sms.js"
import { SmsLocal } from "./Sms.js"
import { SmsGatewayConfig, smsHttp } from "./SmsHttp.js"
import { Notifications } from "./Notifications.js"

/** Firebase when `FIREBASE_SERVICE_ACCOUNT` names a service account file, else recorded in `local_messages`. */
export const PushFromConfig: Layer.Layer<Push, never, SqlClient.SqlClient> = Layer.unwrapEffect(
  Effect.map(
    Effect.orDie(Config.option(Config.nonEmptyString("FIREBASE_SERVICE_ACCOUNT"))),
    Option.match({
      onNone: (): Layer.Layer<Push, never, SqlClient.SqlClient> => PushLocal,
      onSome: (path) => pushFirebaseFromFile(path)
    })
  )
)

/** The HTTP gateway when `SMS_GATEWAY_URL` is set, else recorded in `local_messages`. */
export const SmsFromConfig: Layer.Layer<Sms, never, SqlClient.SqlClient> = Layer.unwrapEffect(
  Effect.map(
    Effect.orDie(SmsGatewayConfig),
    Option.match({
      onNone: (): Layer.Layer<Sms, never, SqlClient.SqlClient> => SmsLocal,
      onSome: (settings) => smsHttp(settings).pipe(Layer.provide(FetchHttpClient.layer))
    })
  )
)

export const ChannelsFromConfig: Layer.Layer<Push | Sms, never, SqlClient.SqlClient> = Layer.mergeAll(PushFromConfig, SmsFromConfig)

/** The notification consumer and its delivery worker on the given channels (which stay available, e.g. `Sms` for OTPs). */
export const notificationsOn = <E, R>(channels: Layer.Layer<Push | Sms, E, R>) =>
  Notifications.Default.pipe(Layer.provideMerge(channels))
