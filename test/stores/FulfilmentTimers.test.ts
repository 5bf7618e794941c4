import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { StoreId } from "@qc/domain/Ids"
import type { OrderView } from "@qc/domain/orders/Order"
import { Clock, ConfigProvider, DateTime, Effect, Layer, TestClock } from "effect"
import { customerClient, place, skusWithStock, standIn } from "../support/Checkout.js"
import { driven, drivenUntil, ioTick } from "../support/Drive.js"
import { riderClient, riderOf, staffClient } from "../support/Fulfilment.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const asha = "cust-demo-1"
const baner = StoreId.make("pune-baner")
const pincode = Pincode.make("411045")

const view = (orderId: string) =>
  Effect.flatMap(customerClient(asha), (c) => c.orders.get({ path: { orderId: orderId as OrderView["orderId"] } }))

const reaches = (orderId: string, status: OrderView["status"]) =>
  drivenUntil(Effect.flatMap(view(orderId), (v) => Effect.sync(() => {
    expect(v.status).toBe(status)
    return v
  })))

const settle = Effect.gen(function*() {
  for (let i = 0; i < 40; i++) yield* ioTick
})

const eventsOf = (aggregateId: string) =>
  Effect.flatMap(apiClients, ({ admin }) =>
    Effect.map(admin.ordersAdmin.events({ urlParams: { limit: 1000 } }), (events) => events.filter((e) => e.aggregateId === aggregateId)))

const ticketsOf = (orderId: string) =>
  Effect.flatMap(apiClients, ({ admin }) => Effect.map(admin.ordersAdmin.get({ path: { orderId: orderId as OrderView["orderId"] } }), (d) => d.opsTickets.map((t) => t.reason)))

/** A paid order on a stack under the TestClock; answers the order and when it was confirmed (epoch ms). */
const confirmed = (key: string) =>
  Effect.gen(function*() {
    const [sku] = yield* driven(skusWithStock(baner, 3, 1))
    const placed = yield* driven(place(asha, key, { pincode, items: [{ skuId: sku.id, qty: 1 }] }))
    yield* driven(Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" })))
    const v = yield* reaches(placed.orderId, "CONFIRMED")
    const at = v.timeline.find((t) => t.status === "CONFIRMED")!.at
    return { placed, confirmedAt: DateTime.toEpochMillis(at) }
  })

/** Moves the TestClock to exactly `at` (epoch ms). */
const clockTo = (at: number) => Effect.flatMap(Clock.currentTimeMillis, (now) => TestClock.adjust(Math.max(0, at - now)))

/** A stack under the TestClock; `config` overrides settings read at start (else the environment's). */
const onStack = <A, E, R>(body: Effect.Effect<A, E, R>, config: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const db = yield* makeTestDatabase
    yield* TestClock.adjust(1)
    const provider = ConfigProvider.fromMap(new Map(Object.entries(config))).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
    const context = yield* Layer.build(stackLayer(db.layer)).pipe(Effect.withConfigProvider(provider))
    return yield* Effect.provide(body, context)
  })

describe("fulfilment timers (TestClock)", () => {
  it.scoped("packing SLA: no breach at 7:59 after CONFIRMED, breached at 8:00 (event, the store's alert), and the order goes on", () =>
    onStack(Effect.gen(function*() {
      const { confirmedAt, placed } = yield* confirmed("sla-1")
      yield* clockTo(confirmedAt + 479_000)
      yield* settle
      expect((yield* eventsOf(baner)).some((e) => e.type === "store.sla_breached")).toBe(false)
      yield* clockTo(confirmedAt + 480_000)
      yield* drivenUntil(Effect.flatMap(eventsOf(baner), (events) => Effect.sync(() => {
        const breach = events.find((e) => e.type === "store.sla_breached")
        expect(breach?.payload).toMatchObject({ orderId: placed.orderId, storeId: baner })
      })), { step: "1 millis" })
      const manager = yield* staffClient(baner, "store_manager")
      const task = (yield* driven(manager.storeOps.queue({ path: { storeId: baner } }))).items.find((t) => t.orderId === placed.orderId)
      expect(task?.breachedAt).not.toBeNull()
      expect(task?.slaSecondsLeft).toBeLessThanOrEqual(0)
      expect((yield* view(placed.orderId)).status).toBe("CONFIRMED")
      // Packing late still works.
      const picker = yield* staffClient(baner)
      yield* driven(picker.storeOps.packed({ path: { storeId: baner, orderId: placed.orderId }, payload: { lines: [] } }))
      yield* reaches(placed.orderId, "RIDER_ASSIGNED")
    })), { timeout: 120_000 })

  it.scoped("no rider free: retried every 30 s, escalated once at 5 min, assigned when a rider comes online", () =>
    onStack(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* Effect.orDie(sql`UPDATE riders SET online = false`)
      const { placed } = yield* confirmed("no-rider-1")
      const picker = yield* staffClient(baner)
      yield* driven(picker.storeOps.packed({ path: { storeId: baner, orderId: placed.orderId }, payload: { lines: [] } }))
      const packedAt = DateTime.toEpochMillis((yield* reaches(placed.orderId, "PACKED")).timeline.at(-1)!.at)
      const attempts = Effect.map(
        Effect.orDie(sql<{ n: number }>`SELECT (fulfilment->>'riderAttempts')::int AS n FROM orders WHERE id = ${placed.orderId}`),
        (rows) => rows[0].n
      )
      expect(yield* attempts).toBe(1)
      yield* clockTo(packedAt + 30_000)
      yield* drivenUntil(Effect.flatMap(attempts, (n) => Effect.sync(() => expect(n).toBe(2))), { step: "1 millis" })
      yield* clockTo(packedAt + 299_000)
      yield* settle
      expect((yield* eventsOf(placed.orderId)).some((e) => e.type === "order.escalated")).toBe(false)
      yield* clockTo(packedAt + 300_000)
      yield* drivenUntil(Effect.flatMap(eventsOf(placed.orderId), (events) => Effect.sync(() =>
        expect(events.filter((e) => e.type === "order.escalated").map((e) => e.payload)).toEqual([{ orderId: placed.orderId, reason: "no_rider" }])
      )), { step: "1 millis" })
      expect(yield* ticketsOf(placed.orderId)).toEqual(["no_rider"])
      const rider = yield* riderClient("rider-pune-baner-2")
      yield* driven(rider.rider.status({ payload: { online: true, lat: 18.559, lng: 73.7868 } }))
      yield* TestClock.adjust("30 seconds")
      yield* reaches(placed.orderId, "RIDER_ASSIGNED")
      expect(yield* riderOf(placed.orderId)).toBe("rider-pune-baner-2")
      // Escalated once only, however long it took.
      expect((yield* eventsOf(placed.orderId)).filter((e) => e.type === "order.escalated")).toHaveLength(1)
    })), { timeout: 120_000 })

  // DELIVERY_TIMEOUT_SECONDS=900 here (default 3600): every hour of TestClock runs thousands of the
  // cluster's and outbox's poll timers, minutes of real time; the wait is the same code at any length.
  it.scoped("delivery wait: no escalation 1 s before the limit after pick-up, one at the limit (ticket and event), the order stays out for delivery", () =>
    onStack(Effect.gen(function*() {
      const { placed } = yield* confirmed("delivery-wait-1")
      const picker = yield* staffClient(baner)
      yield* driven(picker.storeOps.packed({ path: { storeId: baner, orderId: placed.orderId }, payload: { lines: [] } }))
      yield* reaches(placed.orderId, "RIDER_ASSIGNED")
      const rider = yield* riderClient((yield* riderOf(placed.orderId))!)
      yield* driven(rider.rider.pickedUp({ path: { orderId: placed.orderId } }))
      const pickedUpAt = DateTime.toEpochMillis((yield* reaches(placed.orderId, "OUT_FOR_DELIVERY")).timeline.at(-1)!.at)
      yield* clockTo(pickedUpAt + 899_000)
      yield* settle
      expect((yield* eventsOf(placed.orderId)).some((e) => e.type === "order.escalated")).toBe(false)
      yield* clockTo(pickedUpAt + 900_000)
      // The order was passivated long ago: the due-order sweep wakes it (every 3 s, 2 s grace).
      yield* drivenUntil(Effect.flatMap(eventsOf(placed.orderId), (events) => Effect.sync(() =>
        expect(events.filter((e) => e.type === "order.escalated").map((e) => e.payload)).toEqual([{ orderId: placed.orderId, reason: "delivery_timeout" }])
      )), { step: "250 millis", maxSteps: 200 })
      expect(yield* ticketsOf(placed.orderId)).toEqual(["delivery_timeout"])
      expect((yield* view(placed.orderId)).status).toBe("OUT_FOR_DELIVERY")
      yield* driven(rider.rider.delivered({ path: { orderId: placed.orderId } }))
      yield* reaches(placed.orderId, "DELIVERED")
    }), { DELIVERY_TIMEOUT_SECONDS: "900" }), { timeout: 120_000 })
})
