import { SqlClient } from "@effect/sql"
import { demoStoreIds } from "./DemoCatalogue.js"
import { Clock, Effect } from "effect"
import { hash, mulberry32 } from "./DemoRandom.js"

const firstNames = [
  "Aarav", "Vihaan", "Arjun", "Rahul", "Sandeep", "Vikram", "Amit", "Suresh", "Ganesh", "Mahesh",
  "Imran", "Faisal", "Harpreet", "Gurpreet", "Ravi", "Kiran", "Sagar", "Nikhil", "Omkar", "Pranav",
  "Priya", "Sneha", "Pooja", "Anjali", "Kavita", "Sunita", "Neha", "Shweta", "Ayesha", "Lakshmi"
] as const

const lastNames = [
  "Patil", "Jadhav", "Pawar", "Shinde", "Kale", "Gaikwad", "Chavan", "More", "Bhosale", "Deshmukh",
  "Kulkarni", "Sharma", "Verma", "Yadav", "Singh", "Khan", "Shaikh", "Reddy", "Nair", "Iyer"
] as const

export const demoRidersPerStore = 3
/** Riders start this close to their home store. */
export const demoRiderRadiusKm = 1.5

const kmPerDegree = (6371 * Math.PI) / 180

export interface DemoRider {
  readonly id: string
  readonly name: string
  readonly phone: string
  readonly homeStoreId: string
  readonly region: string
  readonly lat: number
  readonly lng: number
}

/** Three riders per store, the same on every machine (seeded by the rider id). */
export const demoRidersOf = (
  stores: ReadonlyArray<{ readonly id: string; readonly region: string; readonly lat: number; readonly lng: number }>
): Array<DemoRider> =>
  stores.flatMap((store) =>
    Array.from({ length: demoRidersPerStore }, (_, i): DemoRider => {
      const id = `rider-${store.id}-${i + 1}`
      const rng = mulberry32(hash(id))
      const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(rng() * xs.length)]
      const name = `${pick(firstNames)} ${pick(lastNames)}`
      const phone = pick(["9", "8", "7"]) + Array.from({ length: 9 }, () => Math.floor(rng() * 10)).join("")
      // Uniform over the disc: the radius grows with the square root.
      const km = demoRiderRadiusKm * Math.sqrt(rng())
      const angle = 2 * Math.PI * rng()
      const lat = store.lat + (km * Math.cos(angle)) / kmPerDegree
      const lng = store.lng + (km * Math.sin(angle)) / (kmPerDegree * Math.cos((store.lat * Math.PI) / 180))
      return { id, name, phone, homeStoreId: store.id, region: store.region, lat, lng }
    })
  )

/**
 * Online riders for every store in the `stores` table, for the local dispatcher. Riders that
 * exist already are left alone (their position and status are theirs), so it runs on every start.
 */
export const seedDemoRiders: Effect.Effect<number, never, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const stores = yield* sql<{ id: string; region: string; lat: number; lng: number }>`
    SELECT id, region, lat, lng FROM stores WHERE id = ANY(${[...demoStoreIds]}::text[]) ORDER BY id`
  if (stores.length === 0) return 0
  const at = new Date(yield* Clock.currentTimeMillis)
  const rows = demoRidersOf(stores).map((r) => ({
    id: r.id,
    name: r.name,
    phone: r.phone,
    home_store_id: r.homeStoreId,
    region: r.region,
    online: true,
    lat: r.lat,
    lng: r.lng,
    updated_at: at
  }))
  const inserted = yield* sql`INSERT INTO riders ${sql.insert(rows)} ON CONFLICT (id) DO NOTHING RETURNING id`
  if (inserted.length > 0) yield* Effect.logInfo(`seeded ${inserted.length} demo riders`)
  return inserted.length
}).pipe(Effect.withSpan("Seed.demoRiders"), Effect.orDie)
