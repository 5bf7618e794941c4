import { SqlClient } from "@effect/sql"
import { DeviceId } from "@qc/domain/customers/Customer"
import { Effect, Schema } from "effect"
import { DateTimeFromTimestamp } from "../platform/SqlValues.js"

const DeviceRow = Schema.Struct({
  device_id: DeviceId,
  platform: Schema.Literal("android", "ios", "web"),
  updated_at: DateTimeFromTimestamp
})
const decodeDevices = Schema.decodeUnknownSync(Schema.Array(DeviceRow))

/** The app installs a customer gets push notifications on (`customer_devices`, read by notifications). */
export class DeviceRepo extends Effect.Service<DeviceRepo>()("DeviceRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const list = (customerId: string) =>
      sql`SELECT device_id, platform, updated_at FROM customer_devices WHERE customer_id = ${customerId} ORDER BY updated_at DESC, device_id`
        .pipe(Effect.map((rows) => decodeDevices(rows).map((r) => ({ deviceId: r.device_id, platform: r.platform, updatedAt: r.updated_at }))), Effect.orDie)

    /**
     * Registers the install or refreshes its token. The same FCM token anywhere else (another
     * device id, another customer: a phone that changed account) is removed there, so a push
     * for the previous account never reaches this phone.
     */
    const register = (customerId: string, deviceId: string, fcmToken: string, platform: string, now: number) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`DELETE FROM customer_devices WHERE fcm_token = ${fcmToken}
          AND NOT (customer_id = ${customerId} AND device_id = ${deviceId})`
        yield* sql`INSERT INTO customer_devices (customer_id, device_id, fcm_token, platform, updated_at)
          VALUES (${customerId}, ${deviceId}, ${fcmToken}, ${platform}, ${new Date(now)})
          ON CONFLICT (customer_id, device_id) DO UPDATE SET fcm_token = EXCLUDED.fcm_token, platform = EXCLUDED.platform,
            updated_at = EXCLUDED.updated_at`
      })).pipe(Effect.orDie)

    const remove = (customerId: string, deviceId: string) =>
      sql`DELETE FROM customer_devices WHERE customer_id = ${customerId} AND device_id = ${deviceId}`.pipe(Effect.asVoid, Effect.orDie)

    return { list, register, remove } as const
  })
}) {}
