import { Config, Option } from "effect"
import type { Redacted } from "effect"
import type { DispatchRules } from "./NearestRider.js"

/** How the local dispatcher picks riders and estimates arrival. */
export interface RiderSettings extends DispatchRules {
  /** Most open orders one rider carries at once (1: no batching). */
  readonly batchSize: number
}

export const defaultRiderSettings: RiderSettings = {
  speedKmph: 20,
  lastMileKm: 2,
  handoverSeconds: 120,
  batchSize: 1,
  maxDistanceKm: 10
}

const positive = (name: string, fallback: number) =>
  Config.number(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a number above 0`, validation: (n) => Number.isFinite(n) && n > 0 })
  )

const atLeast = (name: string, fallback: number, min: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number, at least ${min}`, validation: (n) => n >= min })
  )

/**
 * `RIDER_SPEED_KMPH` (20), `RIDER_LAST_MILE_KM` (2), `RIDER_HANDOVER_SECONDS` (120),
 * `RIDER_BATCH_SIZE` (1), `RIDER_MAX_DISTANCE_KM` (10).
 */
export const RiderSettingsConfig: Config.Config<RiderSettings> = Config.all({
  speedKmph: positive("RIDER_SPEED_KMPH", defaultRiderSettings.speedKmph),
  lastMileKm: Config.number("RIDER_LAST_MILE_KM").pipe(
    Config.withDefault(defaultRiderSettings.lastMileKm),
    Config.validate({ message: "RIDER_LAST_MILE_KM must be a number, at least 0", validation: (n) => Number.isFinite(n) && n >= 0 })
  ),
  handoverSeconds: atLeast("RIDER_HANDOVER_SECONDS", defaultRiderSettings.handoverSeconds, 0),
  batchSize: atLeast("RIDER_BATCH_SIZE", defaultRiderSettings.batchSize, 1),
  maxDistanceKm: positive("RIDER_MAX_DISTANCE_KM", defaultRiderSettings.maxDistanceKm)
})

/** Where the delivery-management system is, and the key it wants. */
export interface DmsSettings {
  readonly url: string
  /** Sent as `Authorization: Bearer`; never logged, never put in an error. */
  readonly apiKey: Option.Option<Redacted.Redacted>
}

/** `DMS_URL` (unset: the local fleet dispatches), `DMS_API_KEY` (optional). */
export const DmsSettingsConfig: Config.Config<Option.Option<DmsSettings>> = Config.all({
  url: Config.option(Config.nonEmptyString("DMS_URL")),
  apiKey: Config.option(Config.redacted(Config.nonEmptyString("DMS_API_KEY")))
}).pipe(Config.map(({ apiKey, url }) => Option.map(url, (url) => ({ url, apiKey }))))
