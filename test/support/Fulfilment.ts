import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Api } from "@qc/domain/Api"
import type { StaffRole } from "@qc/domain/stores/StoreOps"
import { issueToken } from "@qc/server/CustomerAuth"
import { Effect } from "effect"

const clientWith = (token: string) =>
  HttpApiClient.make(Api, { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) })

/** The store app of one staff member (default: the first picker of the store). */
export const staffClient = (storeId: string, role: StaffRole = "picker", staffId = role === "picker" ? `${storeId}-picker-1` : `${storeId}-manager`) =>
  Effect.flatMap(issueToken(staffId, { role, storeId }), clientWith)

export const riderClient = (riderId: string) => Effect.flatMap(issueToken(riderId, { role: "rider" }), clientWith)

/** The rider holding an order's assignment, as dispatch booked it. */
export const riderOf = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      Effect.orDie(sql<{ rider_id: string }>`SELECT rider_id FROM rider_assignments WHERE order_id = ${orderId}`),
      (rows) => rows[0]?.rider_id
    ))

/** Every ledger row of a store-SKU summed: what the counters must equal. */
export const ledgerSums = (storeId: string, skuId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      Effect.orDie(sql<{ on_hand: number; reserved: number; allocated: number }>`
        SELECT COALESCE(sum(on_hand_delta), 0)::int AS on_hand, COALESCE(sum(reserved_delta), 0)::int AS reserved,
               COALESCE(sum(allocated_delta), 0)::int AS allocated
        FROM stock_ledger WHERE store_id = ${storeId} AND sku_id = ${skuId}`),
      (rows) => rows[0]
    ))
