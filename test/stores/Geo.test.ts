import { describe, expect, it } from "@effect/vitest"
import { boundingBox, etaSeconds, haversineKm, inBox } from "@qc/entities/stores/riders/Geo"
import type { LatLng } from "@qc/entities/stores/riders/Geo"
import { rankRiders } from "@qc/entities/stores/riders/NearestRider"
import { defaultRiderSettings } from "@qc/entities/stores/riders/RiderSettings"
import * as fc from "fast-check"

const point: fc.Arbitrary<LatLng> = fc.record({
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lng: fc.double({ min: -180, max: 180, noNaN: true })
})

/** Around Pune: what the dispatcher really sees. */
const nearPune: fc.Arbitrary<LatLng> = fc.record({
  lat: fc.double({ min: 18.3, max: 18.8, noNaN: true }),
  lng: fc.double({ min: 73.6, max: 74.1, noNaN: true })
})

const model = fc.record({
  speedKmph: fc.double({ min: 1, max: 80, noNaN: true }),
  lastMileKm: fc.double({ min: 0, max: 10, noNaN: true }),
  handoverSeconds: fc.integer({ min: 0, max: 900 })
})

const degrees = (r: number) => (r * 180) / Math.PI
const radians = (d: number) => (d * Math.PI) / 180

/** The point `km` from `from` on `bearing` (degrees), on the same sphere. */
const destination = (from: LatLng, bearing: number, km: number): LatLng => {
  const d = km / 6371
  const lat1 = radians(from.lat)
  const b = radians(bearing)
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b))
  const lng2 = radians(from.lng) + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2))
  return { lat: degrees(lat2), lng: ((degrees(lng2) + 540) % 360) - 180 }
}

describe("haversineKm", () => {
  it.prop("is symmetric", [point, point], ([a, b]) => {
    expect(Math.abs(haversineKm(a, b) - haversineKm(b, a))).toBeLessThan(1e-9)
  }, { fastCheck: { numRuns: 500 } })

  it.prop("is zero from a point to itself, and between 0 and half the circumference", [point, point], ([a, b]) => {
    expect(haversineKm(a, a)).toBe(0)
    const d = haversineKm(a, b)
    expect(d).toBeGreaterThanOrEqual(0)
    expect(d).toBeLessThanOrEqual(Math.PI * 6371 + 1e-6)
  }, { fastCheck: { numRuns: 500 } })

  // Within a metre: near antipodal points asin(√h) is ill-conditioned (h ≈ 1), and the three
  // distances each carry up to ~1e-4 km of rounding there; in a city they are exact to micrometres.
  it.prop("obeys the triangle inequality", [point, point, point], ([a, b, c]) => {
    expect(haversineKm(a, c)).toBeLessThanOrEqual(haversineKm(a, b) + haversineKm(b, c) + 1e-3)
  }, { fastCheck: { numRuns: 500 } })

  it.prop("obeys the triangle inequality tightly between points of a city", [nearPune, nearPune, nearPune], ([a, b, c]) => {
    expect(haversineKm(a, c)).toBeLessThanOrEqual(haversineKm(a, b) + haversineKm(b, c) + 1e-9)
  }, { fastCheck: { numRuns: 500 } })

  it("Baner to Viman Nagar is about 13.5 km", () => {
    expect(haversineKm({ lat: 18.559, lng: 73.7868 }, { lat: 18.5679, lng: 73.9143 })).toBeCloseTo(13.5, 0)
    expect(Math.abs(haversineKm({ lat: 18.559, lng: 73.7868 }, { lat: 18.5679, lng: 73.9143 }) - 13.5)).toBeLessThanOrEqual(0.3)
  })

  it.prop("measures the distance a point was moved", [point, fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true })], ([from, bearing, km]) => {
    expect(haversineKm(from, destination(from, bearing, km))).toBeCloseTo(km, 3)
  }, { fastCheck: { numRuns: 500 } })
})

describe("etaSeconds", () => {
  it("rides to the store and the last mile at the speed, then adds the handover", () => {
    // 0 km away, 2 km last mile at 20 km/h = 360 s, + 120 s handover.
    expect(etaSeconds(0, defaultRiderSettings)).toBe(480)
    // 3 km + 2 km at 20 km/h = 900 s.
    expect(etaSeconds(3, defaultRiderSettings)).toBe(1020)
    expect(etaSeconds(0.001, defaultRiderSettings)).toBe(481)
  })

  it.prop("is a whole number of seconds, at least the handover, and never falls as the distance grows", [
    model,
    fc.double({ min: 0, max: 50, noNaN: true }),
    fc.double({ min: 0, max: 50, noNaN: true })
  ], ([m, x, y]) => {
    const [near, far] = x <= y ? [x, y] : [y, x]
    expect(Number.isInteger(etaSeconds(near, m))).toBe(true)
    expect(etaSeconds(near, m)).toBeGreaterThanOrEqual(m.handoverSeconds)
    expect(etaSeconds(near, m)).toBeLessThanOrEqual(etaSeconds(far, m))
  }, { fastCheck: { numRuns: 500 } })
})

describe("boundingBox", () => {
  it.prop("holds every point within the radius", [
    point,
    fc.double({ min: 0, max: 360, noNaN: true }),
    fc.double({ min: 0.01, max: 500, noNaN: true }),
    fc.double({ min: 0, max: 0.999, noNaN: true })
  ], ([center, bearing, km, fraction]) => {
    const box = boundingBox(center, km)
    expect(inBox(box, destination(center, bearing, km * fraction))).toBe(true)
  }, { fastCheck: { numRuns: 2000 } })

  it("is tight around Pune: 10 km is about ±0.09° of latitude and ±0.095° of longitude", () => {
    const box = boundingBox({ lat: 18.559, lng: 73.7868 }, 10)
    expect(box.maxLat - 18.559).toBeCloseTo(0.0899, 3)
    expect(box.maxLng - 73.7868).toBeCloseTo(0.0949, 3)
  })
})

describe("rankRiders", () => {
  const riders = fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 6 }), lat: nearPune.map((p) => p.lat), lng: nearPune.map((p) => p.lng) }), {
    selector: (r) => r.id,
    maxLength: 30
  })

  it.prop("keeps exactly the riders within the max distance, nearest first", [riders, nearPune, fc.double({ min: 0.5, max: 30, noNaN: true })], ([all, store, maxDistanceKm]) => {
    const rules = { ...defaultRiderSettings, maxDistanceKm }
    const ranked = rankRiders(all, store, rules)
    expect(ranked.map((r) => r.id).sort()).toEqual(all.filter((r) => haversineKm(r, store) <= maxDistanceKm).map((r) => r.id).sort())
    for (const [i, r] of ranked.entries()) {
      expect(r.distanceKm).toBe(haversineKm(r, store))
      expect(r.etaSeconds).toBe(etaSeconds(r.distanceKm, rules))
      if (i > 0) expect(ranked[i - 1].distanceKm).toBeLessThanOrEqual(r.distanceKm)
    }
  }, { fastCheck: { numRuns: 300 } })
})
