import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import type { OrderId } from "@qc/domain/orders/Order"
import { StoreId } from "@qc/domain/Ids"
import { clusterFor } from "@qc/server/ClusterRoles"
import { AuthSecret } from "@qc/server/CustomerAuth"
import { Effect, Layer, Redacted, Schedule } from "effect"
import { customerClient } from "../support/Checkout.js"
import { awaitFinal, placeOrders, settleOrders } from "../support/ChaosOrders.js"
import type { SystemProcess } from "../support/ClusterProcesses.js"
import { clusterSecrets, freePorts, lastLines, spawnProcess, waitForHttp, waitForLog } from "../support/ClusterProcesses.js"
import { ledgerSums, riderClient, riderOf, staffClient } from "../support/Fulfilment.js"
import { lockHolder, locksPerRunner, lockTakenOver, orderShard } from "../support/ShardOwners.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/**
 * A runner dies while an order it hosts is PACKED and waiting for a rider: after failover the
 * surviving runner of the region takes the order's shard, the order asks for a rider again
 * (its timer, or the due-order sweep), and the order is assigned and delivered through the api.
 * Real processes on the machine's Postgres (three runners: two for pune-west, one for
 * pune-east; one `api`; the Razorpay stand-in). Waits are on the wall clock, each bounded.
 */
const riderRetrySeconds = 2

/** Until `check` passes, every 100 ms, for at most `within`; the last failure says why. */
const until = <A, E, R>(check: Effect.Effect<A, E, R>, within: `${number} seconds`) =>
  check.pipe(Effect.retry(Schedule.spaced("100 millis")), Effect.timeout(within))

/** The order's status and rider attempts, as its row holds them (no entity involved). */
const orderRow = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      Effect.orDie(sql<{ status: string; attempts: number | null }>`
        SELECT status, (fulfilment->>'riderAttempts')::int AS attempts FROM orders WHERE id = ${orderId}`),
      (rows) => rows[0]
    ))

const counters = (storeId: string, skuId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      Effect.orDie(sql<{ on_hand: number; reserved: number; allocated: number }>`
        SELECT on_hand, reserved, allocated FROM store_skus WHERE store_id = ${storeId} AND sku_id = ${skuId}`),
      (rows) => rows[0]
    ))

describe.runIf(process.env.DATABASE_URL)("fulfilment across a runner kill (Postgres only: real processes; PGlite is one process)", () => {
  it.live(
    "a runner SIGKILLed while an order is PACKED with no rider free: after failover it is assigned and delivered (slow, ~1 min: processes start, the shard lock must expire)",
    () =>
      Effect.gen(function*() {
        const db = yield* makeTestDatabase
        // [stand-in, runner 1..3, api]
        const ports = yield* freePorts(5)
        const api = `http://127.0.0.1:${ports[4]}`
        const standIn = `http://127.0.0.1:${ports[0]}`
        const common = {
          ...clusterSecrets,
          DATABASE_URL: db.url!,
          RAZORPAY_BASE_URL: standIn,
          DEMO_SKU_COUNT: "100",
          DB_POOL: "4",
          CLUSTER_DB_POOL: "4",
          RATE_LIMIT_ENABLED: "false"
        }
        yield* spawnProcess("standin", "standin.ts", {
          ...common,
          STANDIN_PORT: String(ports[0]),
          STANDIN_WEBHOOK_URL: `${api}/v1/webhooks/razorpay`,
          STANDIN_RETRY_BASE_MS: "200",
          STANDIN_RETRY_MAX_MS: "2000",
          STANDIN_WEBHOOK_ATTEMPTS: "40"
        })
        const runners = new Map<string, SystemProcess>()
        const addRunner = (n: number, region: string) =>
          Effect.tap(
            spawnProcess(`runner-${n}`, "runner.ts", {
              ...common,
              REGIONS: region,
              RUNNER_PORT: String(ports[n]),
              RIDER_RETRY_SECONDS: String(riderRetrySeconds)
            }),
            (p) => Effect.sync(() => runners.set(`localhost:${ports[n]}`, p))
          )
        yield* Effect.all([addRunner(1, "pune-west"), addRunner(2, "pune-west"), addRunner(3, "pune-east")], { concurrency: "unbounded" })
        const apiProcess = yield* spawnProcess("api", "api.ts", { ...common, PORT: String(ports[4]) })
        const printLogs = Effect.sync(() => {
          for (const p of [apiProcess, ...runners.values()]) console.log(`--- ${p.name}\n${lastLines(p, 40)}`)
        })
        yield* waitForHttp(`${api}/health`).pipe(Effect.tapError(() => printLogs))
        for (const p of runners.values()) yield* waitForLog(p, /pricing ready/).pipe(Effect.tapError(() => printLogs))

        const clients = Layer.mergeAll(
          Layer.succeed(AuthSecret, Redacted.make(new TextEncoder().encode(clusterSecrets.AUTH_SECRET))),
          Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.prependUrl(api))))
            .pipe(Layer.provide(FetchHttpClient.layer))
        )
        const cluster = Layer.orDie(clusterFor({ _tag: "Client" })).pipe(Layer.provideMerge(db.layer))
        yield* packedAcrossKill(api, standIn, runners).pipe(
          Effect.provide(Layer.merge(cluster, clients)),
          Effect.tapErrorCause(() => printLogs)
        )
      }).pipe(Effect.scoped),
    300_000
  )
})

const packedAcrossKill = (api: string, standIn: string, runners: Map<string, SystemProcess>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // 900 shards (default, pune-east, pune-west × 300) held before anything is placed.
    yield* until(Effect.flatMap(locksPerRunner, (held) => held.reduce((n, r) => n + r.n, 0) === 900 ? Effect.void : Effect.fail("not yet")), "60 seconds")
    // No rider anywhere: the order will wait in PACKED, asking again every RIDER_RETRY_SECONDS.
    yield* Effect.orDie(sql`UPDATE riders SET online = false`)

    const [placed] = yield* placeOrders(api, 1)
    const orderId = placed.orderId as OrderId
    const [line] = yield* Effect.orDie(sql<{ store_id: string; sku_id: string }>`
      SELECT store_id, sku_id FROM order_lines WHERE order_id = ${orderId}`)
    const storeId = StoreId.make(line.store_id)
    expect(storeId).toBe("pune-baner")
    // Read before payment: placing reserved one unit; only the commit after payment allocates.
    const before = yield* counters(storeId, line.sku_id)
    yield* settleOrders(api, standIn, [placed])
    expect((yield* awaitFinal([placed])).get(orderId)).toBe("CONFIRMED")

    const picker = yield* staffClient(storeId)
    yield* picker.storeOps.shift({ path: { storeId }, payload: { onShift: true } })
    yield* picker.storeOps.claim({ path: { storeId, orderId } })
    yield* picker.storeOps.packed({ path: { storeId, orderId }, payload: { lines: [] } })
    // PACKED, and the order's timer has asked for a rider at least twice, finding none.
    const waiting = yield* until(
      Effect.filterOrFail(orderRow(orderId), (r) => r.status === "PACKED" && (r.attempts ?? 0) >= 2, (r) => new Error(`order ${JSON.stringify(r)}`)),
      "30 seconds"
    )

    const shard = yield* orderShard(orderId)
    expect(shard.group).toBe("pune-west")
    const owner = (yield* lockHolder(shard.lock))!
    expect(runners.has(owner), `owner ${owner} of ${shard.shardId}`).toBe(true)
    const killedAt = performance.now()
    runners.get(owner)!.child.kill("SIGKILL")
    const moved = yield* Effect.fork(lockTakenOver(shard.lock, owner, killedAt))

    // A rider of the store comes back online, through the rider app, where the demo put them.
    const riderId = `rider-${storeId}-1`
    const [home] = yield* Effect.orDie(sql<{ lat: number; lng: number }>`SELECT lat, lng FROM riders WHERE id = ${riderId}`)
    const rider = yield* riderClient(riderId)
    yield* rider.rider.status({ payload: { online: true, lat: home.lat, lng: home.lng } })

    yield* until(
      Effect.filterOrFail(orderRow(orderId), (r) => r.status === "RIDER_ASSIGNED", (r) => new Error(`order ${JSON.stringify(r)}`)),
      "60 seconds"
    )
    const assignedMs = performance.now() - killedAt
    const lockMoved = yield* moved.await.pipe(Effect.flatten)
    const report = {
      order: orderId,
      shard: shard.shardId,
      killed: owner,
      newOwner: lockMoved.holder,
      riderAttemptsBeforeKill: waiting.attempts,
      shardLockTakenOverMs: Math.round(lockMoved.ms),
      killToRiderAssignedMs: Math.round(assignedMs)
    }
    console.log(`PACKED across a SIGKILL: ${JSON.stringify(report)}`)
    expect(runners.has(lockMoved.holder) && lockMoved.holder !== owner).toBe(true)
    expect(yield* riderOf(orderId)).toBe(riderId)

    const customer = yield* customerClient(placed.customerId)
    const view = (status: string) =>
      until(
        Effect.filterOrFail(customer.orders.get({ path: { orderId } }), (v) => v.status === status, (v) => new Error(`order is ${v.status}`)),
        "30 seconds"
      )
    const assigned = yield* view("RIDER_ASSIGNED")
    expect(assigned.rider).not.toBeNull()
    expect((yield* rider.rider.jobs()).jobs.map((j) => j.orderId)).toContain(orderId)
    yield* rider.rider.pickedUp({ path: { orderId } })
    yield* rider.rider.delivered({ path: { orderId } })
    const delivered = yield* view("DELIVERED")
    expect(delivered.timeline.map((t) => t.status)).toEqual([
      "AWAITING_PAYMENT", "PAID", "CONFIRMED", "PICKING", "PACKED", "RIDER_ASSIGNED", "OUT_FOR_DELIVERY", "DELIVERED"
    ])

    // Delivered: the unit left the shelf, nothing of the order is held; counters = sum of the ledger.
    const after = yield* until(
      Effect.filterOrFail(counters(storeId, line.sku_id), (c) => c.allocated === before.allocated, (c) => new Error(`counters ${JSON.stringify(c)}`)),
      "30 seconds"
    )
    expect(after).toEqual({ on_hand: before.on_hand - 1, reserved: before.reserved - 1, allocated: before.allocated })
    expect(yield* ledgerSums(storeId, line.sku_id)).toEqual(after)
    const twice = yield* Effect.orDie(sql`SELECT ref FROM stock_ledger WHERE store_id = ${storeId} AND sku_id = ${line.sku_id}
      AND kind IN ('reserve', 'commit', 'fulfil') GROUP BY kind, ref HAVING count(*) > 1`)
    expect(twice).toEqual([])
    const assignments = yield* Effect.orDie(sql<{ rider_id: string; released: boolean }>`
      SELECT rider_id, released_at IS NOT NULL AS released FROM rider_assignments WHERE order_id = ${orderId}`)
    expect(assignments).toEqual([{ rider_id: riderId, released: true }])
  })
