import { AdminAuth } from "@qc/domain/Api"
import { Unauthorized } from "@qc/domain/Errors"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { sameSecret } from "@qc/entities/platform/Signatures"

/** The admin API key: `ADMIN_API_KEY`, or a random one made (and printed) at start. */
export class AdminKey extends Context.Tag("AdminKey")<AdminKey, {
  readonly key: Redacted.Redacted
  readonly generated: boolean
}>() {}

export const AdminKeyFromConfig = Layer.effect(
  AdminKey,
  Effect.gen(function*() {
    const configured = yield* Config.option(Config.redacted("ADMIN_API_KEY"))
    return Option.match(configured, {
      onSome: (key) => ({ key, generated: false }),
      onNone: () => ({ key: Redacted.make(randomBytes(18).toString("base64url")), generated: true })
    })
  })
)

export const AdminAuthLive = Layer.effect(
  AdminAuth,
  Effect.gen(function*() {
    const { key } = yield* AdminKey
    return AdminAuth.of({
      adminKey: (given) =>
        sameSecret(Redacted.value(given), Redacted.value(key))
          ? Effect.void
          : Effect.fail(new Unauthorized({ message: "missing or wrong x-admin-key" }))
    })
  })
)
