import { SqlClient } from "@effect/sql"
import { demoStoreIds } from "./DemoCatalogue.js"
import { Effect } from "effect"

/** Three people per store (two pickers, one manager) across the 12 demo stores, each name once. */
const names = [
  "Sachin Patil", "Pooja Jadhav", "Vikram Shinde", "Sneha Pawar", "Amol Gaikwad", "Priya Deshmukh",
  "Rahul Kale", "Anjali More", "Nikhil Chavan", "Kavita Bhosale", "Sagar Mane", "Neha Kulkarni",
  "Tushar Salunkhe", "Swati Joshi", "Ganesh Sawant", "Rupali Kadam", "Akash Thorat", "Manisha Wagh",
  "Omkar Jagtap", "Shweta Phadke", "Prasad Gokhale", "Deepa Iyer", "Imran Shaikh", "Farah Khan",
  "Rohit Naik", "Aarti Salvi", "Suresh Yadav", "Lakshmi Nair", "Harpreet Singh", "Meenal Apte",
  "Kiran Lokhande", "Vaishali Tambe", "Aniket Ghorpade", "Sunita Rane", "Yogesh Dhole", "Madhuri Karve"
] as const

/** The demo staff of one store: `{storeId}-picker-1`, `{storeId}-picker-2` and `{storeId}-manager`. */
export const demoStaffOf = (storeId: string, index: number) => {
  const name = (k: number) => names[(index * 3 + k) % names.length]
  return [
    { id: `${storeId}-picker-1`, store_id: storeId, role: "picker", name: name(0), on_shift: false },
    { id: `${storeId}-picker-2`, store_id: storeId, role: "picker", name: name(1), on_shift: false },
    { id: `${storeId}-manager`, store_id: storeId, role: "store_manager", name: name(2), on_shift: false }
  ]
}

/**
 * Staff for every store in `stores` (so `pnpm run token picker pune-baner` has someone to
 * name), off shift. Rows that exist are left as they are: a restart keeps who is on shift.
 */
export const seedDemoStaff = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const stores = yield* sql<{ id: string }>`SELECT id FROM stores WHERE id = ANY(${[...demoStoreIds]}::text[]) ORDER BY id`
  if (stores.length === 0) return
  const rows = stores.flatMap((s, i) => demoStaffOf(s.id, i))
  yield* sql`INSERT INTO store_staff ${sql.insert(rows)} ON CONFLICT (id) DO NOTHING`
}).pipe(Effect.withSpan("Seed.demoStaff"), Effect.orDie)
