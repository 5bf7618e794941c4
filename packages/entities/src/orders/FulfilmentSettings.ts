import { Config, Context, Effect, Layer } from "effect"

/** The waits of fulfilment, from config (seconds). */
export class FulfilmentSettings extends Context.Tag("FulfilmentSettings")<FulfilmentSettings, {
  /** From CONFIRMED to packed before the store manager is alerted: `PACKING_SLA_SECONDS` (480). */
  readonly packingSlaMs: number
  /** From pick-up to delivered before an escalation: `DELIVERY_TIMEOUT_SECONDS` (3600). */
  readonly deliveryTimeoutMs: number
  /** Between two tries to find a free rider: `RIDER_RETRY_SECONDS` (30). */
  readonly riderRetryMs: number
  /** From packed with no rider found to an escalation: `RIDER_ESCALATION_SECONDS` (300). */
  readonly riderEscalationMs: number
}>() {}

const seconds = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number of seconds above zero`, validation: (n) => n > 0 }),
    Config.map((s) => s * 1000)
  )

export const FulfilmentSettingsFromConfig = Layer.effect(
  FulfilmentSettings,
  Effect.orDie(Config.all({
    packingSlaMs: seconds("PACKING_SLA_SECONDS", 480),
    deliveryTimeoutMs: seconds("DELIVERY_TIMEOUT_SECONDS", 3600),
    riderRetryMs: seconds("RIDER_RETRY_SECONDS", 30),
    riderEscalationMs: seconds("RIDER_ESCALATION_SECONDS", 300)
  }))
)
