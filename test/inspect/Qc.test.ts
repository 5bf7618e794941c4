import { EntityId, Sharding } from "@effect/cluster"
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import { clusterFor } from "@qc/server/ClusterRoles"
import * as Commands from "@qc/server/inspect/Commands"
import { Effect, Layer, Option } from "effect"
import { awaitStatus, place, standIn, stock } from "../support/Checkout.js"
import { eventually } from "../support/Drive.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const baner = StoreId.make("pune-baner")
const sku = SkuId.make("sku-00001")
const pincode = Pincode.make("411045")
const postgres = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ""

/** The runner's heartbeat is checked against this; generous, so a loaded CI machine does not flake. */
const expirationMs = 60_000

/** The qc commands asking through this process's own runner (a client-only cluster could not reach it: it has no socket). */
const ownCluster = Effect.map(Sharding.Sharding, (sharding) => Layer.succeed(Sharding.Sharding, sharding))

/** A reservation and a checkout (placed, paid, confirmed) on the running stack; answers the order id. */
const reserveAndCheckout = Effect.gen(function*() {
  const { admin } = yield* apiClients
  yield* admin.stockAdmin.reserve({
    path: { storeId: baner, skuId: sku },
    payload: { reservationId: ReservationId.make("qc-r1"), qty: 1, ttlSeconds: 600 }
  })
  const placed = yield* place("cust-demo-1", "qc-1", { pincode, items: [{ skuId: sku, qty: 2 }] })
  yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
  yield* awaitStatus("cust-demo-1", placed.orderId, "CONFIRMED")
  return placed.orderId as string
})

let orderId = ""

describe("qc commands against a running server (PGlite and Postgres)", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("entity StoreSku shows the counters of the HTTP snapshot, asked of the entity itself", () =>
      Effect.gen(function*() {
        orderId = yield* reserveAndCheckout
        const http = yield* stock(baner, sku)
        expect(http.reserved).toBeGreaterThanOrEqual(1)
        const cluster = yield* ownCluster
        const report = yield* Commands.entity("StoreSku", `${baner}/${sku}`, { cluster, timeout: "10 seconds", expirationMs })
        expect(report.found).toBe(true)
        expect(report.json).toMatchObject({
          type: "StoreSku",
          entityId: "pune-baner/sku-00001",
          shard: expect.stringMatching(/^pune-west:\d+$/),
          postgres: { onHand: http.onHand, reserved: http.reserved, allocated: http.allocated, version: http.version },
          entity: {
            reached: true,
            state: { onHand: http.onHand, reserved: http.reserved, allocated: http.allocated, available: http.available }
          }
        })
        expect(report.text).not.toContain("differs")
        const shardId = (yield* Sharding.Sharding).getShardId(EntityId.make(`${baner}/${sku}`), "pune-west")
        expect(report.json).toMatchObject({ shard: shardId.toString() })
      }))

    it.effect("entity Order answers the order as its entity holds it; an unknown id is not found, the cluster not asked", () =>
      Effect.gen(function*() {
        const cluster = yield* ownCluster
        const report = yield* Commands.entity("Order", orderId, { cluster, timeout: "10 seconds", expirationMs })
        expect(report.json).toMatchObject({
          postgres: { orderId, status: "CONFIRMED" },
          entity: { reached: true, state: { orderId, status: "CONFIRMED" } }
        })
        const missing = yield* Commands.entity("Order", "ord_pune-west_missing", {
          cluster: Layer.effect(Sharding.Sharding, Effect.dieMessage("the cluster must not be asked")),
          timeout: "10 seconds",
          expirationMs
        })
        expect(missing.found).toBe(false)
      }))

    it.effect("order shows the timeline, saga steps and the captured payment", () =>
      Effect.gen(function*() {
        const report = yield* Commands.order(orderId)
        expect(report.found).toBe(true)
        expect(report.text).toMatch(/timeline:[\s\S]*AWAITING_PAYMENT[\s\S]*PAID[\s\S]*CONFIRMED/)
        expect(report.json).toMatchObject({
          order: { orderId, status: "CONFIRMED" },
          timeline: [{ status: "AWAITING_PAYMENT" }, { status: "PAID" }, { status: "CONFIRMED" }],
          payments: [{ status: "captured" }]
        })
        expect((report.json as { sagaSteps: ReadonlyArray<unknown> }).sagaSteps.length).toBeGreaterThan(0)
        expect((yield* Commands.order("ord_pune-west_missing")).found).toBe(false)
      }))

    it.effect("events --after 0 lists the order's events; lag lists each subscriber's distance from the head", () =>
      Effect.gen(function*() {
        const events = yield* Commands.events(0, 1000)
        const mine = (events.json as { events: ReadonlyArray<{ type: string; aggregateId: string }> }).events
          .filter((e) => e.aggregateId === orderId).map((e) => e.type)
        expect(mine).toEqual(["order.placed", "payment.captured", "order.paid", "order.confirmed"])
        expect(events.text).toContain("order.confirmed")

        // A durable subscriber, as the pricing jobs register one in production.
        yield* Effect.flatMap(DomainEvents, (d) => d.subscribe("qc-test", () => Effect.void))
        const lag = yield* eventually(Effect.flatMap(Commands.lag, (r) =>
          Effect.sync(() => {
            // The server's own post-delivery subscriber is listed too.
            expect(r.json).toMatchObject({ subscribers: expect.arrayContaining([expect.objectContaining({ subscriber: "qc-test", lag: 0 })]) })
            return r
          })))
        expect(lag.text).toMatch(/qc-test\s+\d+\s+\d+\s+0/)
      }))

    it.effect("tickets and dead-letters: none on a healthy checkout", () =>
      Effect.gen(function*() {
        expect((yield* Commands.openTickets(100)).text).toBe("No ops ticket.")
        const dead = yield* Commands.deadLetters({ olderThanMs: 300_000, limit: 100, scan: 10_000 })
        expect(dead.json).toMatchObject({ clusterTables: true, messages: [], undeliverableEvents: [] })
      }))

    describe.runIf(postgres)("ownership (Postgres only: pg_locks and the runner's named storage connections)", () => {
      it.effect("runners lists localhost:34431 with its three groups and 900 shards", () =>
        Effect.gen(function*() {
          const report = yield* eventually(Effect.flatMap(Commands.runners(expirationMs), (r) =>
            Effect.sync(() => {
              expect(r.json).toMatchObject({
                groups: ["default", "pune-east", "pune-west"],
                runners: [{
                  address: "localhost:34431",
                  regions: ["default", "pune-east", "pune-west"],
                  healthy: true,
                  shards: 900,
                  shardsByRegion: { default: 300, "pune-east": 300, "pune-west": 300 }
                }]
              })
              return r
            })))
          expect(report.text).toMatch(/localhost:34431\s+default, pune-east, pune-west\s+yes\s+.+ago\s+900/)
        }))

      it.effect("shards and entity name the owner", () =>
        Effect.gen(function*() {
          const shards = yield* Commands.shards(Option.some("pune-west"))
          expect(shards.text).toContain("pune-west:17 → localhost:34431")
          expect(shards.text).toContain("pune-west: localhost:34431 300")
          expect((yield* Commands.shards(Option.some("mars"))).found).toBe(false)
          const cluster = yield* ownCluster
          const entity = yield* Commands.entity("StoreSku", `${baner}/${sku}`, { cluster, timeout: "10 seconds", expirationMs })
          expect(entity.json).toMatchObject({ owner: "localhost:34431" })
        }))

      it.scoped("a client-only cluster, as qc starts it, registers no runner and takes no shard", () =>
        Effect.gen(function*() {
          yield* Layer.build(clusterFor({ _tag: "Client" }))
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{ address: string }>`SELECT address FROM cluster_runners`
          expect(rows.map((r) => r.address)).toEqual(["localhost:34431"])
          const report = yield* Commands.runners(expirationMs)
          expect(report.json).toMatchObject({ runners: [{ address: "localhost:34431", shards: 900 }] })
        }))
    })
  })
})
