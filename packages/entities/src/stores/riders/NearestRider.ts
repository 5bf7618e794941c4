import type { EtaModel, LatLng } from "./Geo.js"
import { etaSeconds, haversineKm } from "./Geo.js"

export interface DispatchRules extends EtaModel {
  /** Riders farther than this from the store are not sent. */
  readonly maxDistanceKm: number
}

export interface Quote {
  readonly distanceKm: number
  readonly etaSeconds: number
}

/** What sending this rider would mean (distance to the store, ETA), or undefined when too far. */
export const quoteRider = (rider: LatLng, store: LatLng, rules: DispatchRules): Quote | undefined => {
  const distanceKm = haversineKm(rider, store)
  return distanceKm <= rules.maxDistanceKm ? { distanceKm, etaSeconds: etaSeconds(distanceKm, rules) } : undefined
}

/** Free riders in the order to try them: nearest to the store first, ties by id; too far ones left out. */
export const rankRiders = <R extends LatLng & { readonly id: string }>(
  riders: ReadonlyArray<R>,
  store: LatLng,
  rules: DispatchRules
): Array<R & Quote> =>
  riders
    .flatMap((rider) => {
      const quote = quoteRider(rider, store, rules)
      return quote === undefined ? [] : [{ ...rider, ...quote }]
    })
    .sort((a, b) => a.distanceKm - b.distanceKm || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
