import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AdminAuth } from "../Auth.js"
import { safeText } from "../Text.js"
import { Channel, LocalMessage, NotificationId, NotificationStatus, QueuedNotification } from "./Notification.js"

/** No queued notification has this id. */
export class NotificationNotFound extends Schema.TaggedError<NotificationNotFound>()(
  "NotificationNotFound",
  { id: Schema.Int },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** Only a dead letter can be replayed; this one is in another state. */
export class NotificationNotDeadLetter extends Schema.TaggedError<NotificationNotDeadLetter>()(
  "NotificationNotDeadLetter",
  { id: Schema.Int, status: NotificationStatus },
  HttpApiSchema.annotations({ status: 409 })
) {}

const IdPath = Schema.Struct({ id: Schema.NumberFromString.pipe(Schema.compose(NotificationId)) })

/** Ops on customer notifications (x-admin-key). */
export class NotificationsAdminGroup extends HttpApiGroup.make("notificationsAdmin")
  .add(
    HttpApiEndpoint.get("local", "/v1/admin/notifications")
      .setUrlParams(Schema.Struct({
        channel: Schema.optional(Channel),
        /** A phone (SMS) or a customer id (push). */
        to: Schema.optional(safeText(64)),
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 200)))
      }))
      .addSuccess(Schema.Array(LocalMessage))
      .annotate(OpenApi.Description, "What the local push and SMS layers recorded instead of sending, newest first")
  )
  .add(
    HttpApiEndpoint.get("deadLetters", "/v1/admin/notifications/dead-letters")
      .addSuccess(Schema.Array(QueuedNotification))
      .annotate(OpenApi.Description, "Notifications given up on (retries spent, refused, or interrupted with delivery unknown), newest first")
  )
  .add(
    HttpApiEndpoint.post("replay", "/v1/admin/notifications/:id/replay")
      .setPath(IdPath)
      .addSuccess(QueuedNotification)
      .addError(NotificationNotFound)
      .addError(NotificationNotDeadLetter)
      .annotate(OpenApi.Description, "Requeues a dead letter now, its attempts reset")
  )
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Notifications admin")
{}
