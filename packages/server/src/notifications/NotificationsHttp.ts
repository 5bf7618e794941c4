import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { Notifications } from "@qc/entities/notifications/Notifications"
import { Effect } from "effect"

export const NotificationsHttpLive = HttpApiBuilder.group(Api, "notificationsAdmin", (handlers) =>
  Effect.gen(function*() {
    const notifications = yield* Notifications
    return handlers
      .handle("local", ({ urlParams }) =>
        notifications.localMessages({
          ...(urlParams.channel === undefined ? {} : { channel: urlParams.channel }),
          ...(urlParams.to === undefined ? {} : { to: urlParams.to }),
          limit: urlParams.limit ?? 50
        }))
      .handle("deadLetters", () => notifications.deadLetters())
      .handle("replay", ({ path }) => notifications.replay(path.id))
  }))
