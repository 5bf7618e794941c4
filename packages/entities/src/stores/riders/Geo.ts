/** A point on Earth in degrees. */
export interface LatLng {
  readonly lat: number
  readonly lng: number
}

const earthRadiusKm = 6371
const radians = (degrees: number) => (degrees * Math.PI) / 180

/** Great-circle distance in km (haversine, mean Earth radius). */
export const haversineKm = (a: LatLng, b: LatLng): number => {
  const dLat = radians(b.lat - a.lat)
  const dLng = radians(b.lng - a.lng)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2
  // Rounding can push h a hair above 1 for antipodal points; asin would answer NaN.
  return 2 * earthRadiusKm * Math.asin(Math.sqrt(Math.min(1, h)))
}

export interface EtaModel {
  /** Average riding speed in city traffic. */
  readonly speedKmph: number
  /** Store to customer: a fixed estimate, since the dispatcher is asked before the route is known. */
  readonly lastMileKm: number
  /** Picking up at the store and handing over at the door. */
  readonly handoverSeconds: number
}

/** Seconds until the order is at the door: ride to the store, then the last mile, plus the handovers. */
export const etaSeconds = (riderToStoreKm: number, model: EtaModel): number =>
  Math.ceil(((riderToStoreKm + model.lastMileKm) / model.speedKmph) * 3600) + model.handoverSeconds

export interface Box {
  readonly minLat: number
  readonly maxLat: number
  readonly minLng: number
  readonly maxLng: number
}

/**
 * A lat/lng box holding every point within `km` of `center`: a cheap prefilter (plain
 * comparisons in SQL) before the exact haversine. The longitude half-width is the exact
 * asin(sin(r) / cos(lat)); a box that would reach a pole or cross the antimeridian takes every
 * longitude instead of wrapping.
 */
export const boundingBox = (center: LatLng, km: number): Box => {
  const r = km / earthRadiusKm
  const dLat = r * (180 / Math.PI)
  const minLat = Math.max(-90, center.lat - dLat)
  const maxLat = Math.min(90, center.lat + dLat)
  const ratio = Math.sin(Math.min(r, Math.PI / 2)) / Math.cos(radians(center.lat))
  const dLng = minLat <= -90 || maxLat >= 90 || !(ratio < 1) ? 180 : Math.asin(ratio) * (180 / Math.PI)
  const wraps = center.lng - dLng < -180 || center.lng + dLng > 180
  return wraps || dLng >= 180
    ? { minLat, maxLat, minLng: -180, maxLng: 180 }
    : { minLat, maxLat, minLng: center.lng - dLng, maxLng: center.lng + dLng }
}

export const inBox = (box: Box, p: LatLng): boolean =>
  p.lat >= box.minLat && p.lat <= box.maxLat && p.lng >= box.minLng && p.lng <= box.maxLng
