import { EntityId, Sharding, TestRunner } from "@effect/cluster"
import { describe, expect, it } from "@effect/vitest"
import { ServiceUnavailable, StoreSkuNotFound } from "@qc/domain/Errors"
import { SkuId, StoreId } from "@qc/domain/Ids"
import type { RunnerRecord } from "@qc/server/inspect/ClusterQueries"
import { renderEntity, renderRunners, renderShards, runnerViews, shardsView } from "@qc/server/inspect/ClusterViews"
import { askEntity, parseEntityId } from "@qc/server/inspect/EntityInspection"
import type { OrderDetail } from "@qc/server/inspect/RecordQueries"
import { renderDeadLetters, renderEvents, renderLag, renderOrder, renderTickets } from "@qc/server/inspect/RecordViews"
import { table } from "@qc/server/inspect/Report"
import type { HeldLock } from "@qc/server/inspect/ShardOwnership"
import { lockNumberOf, ownersOf, shardOfEntity, shardOfLock } from "@qc/server/inspect/ShardOwnership"
import { Effect, Either, Fiber, Layer, TestClock } from "effect"
import * as fc from "fast-check"

const groups = ["default", "pune-east", "pune-west"]
const runnerLock = (address: string, group: string, shard: number, pid = 7): HeldLock => ({
  lockNumber: lockNumberOf(groups, group, shard)!,
  pid,
  applicationName: `qc-runner ${address}`
})
const record = (address: string, regions: ReadonlyArray<string>, heartbeatAgeMs = 500, healthyFlag = true): RunnerRecord => ({
  address,
  groups: regions,
  healthyFlag,
  heartbeatAgeMs
})

describe("qc: shard ownership, pure", () => {
  it("numbers shard locks as SqlRunnerStorage does and reads them back; other advisory locks are not shards", () => {
    expect(lockNumberOf(groups, "default", 1)).toBe(1_000_001)
    expect(lockNumberOf(groups, "pune-west", 17)).toBe(3_000_017)
    expect(shardOfLock(groups, 2_000_300)).toEqual({ group: "pune-east", shard: 300 })
    fc.assert(fc.property(fc.constantFrom(...groups), fc.integer({ min: 1, max: 300 }), (group, shard) => {
      expect(shardOfLock(groups, lockNumberOf(groups, group, shard)!)).toEqual({ group, shard })
    }))
    // The start-up lock of App.ts, a fourth group that does not exist, shard 0 and 301.
    for (const n of [7_263_001_001, 4_000_001, 1_000_000, 1_000_301, 42]) expect(shardOfLock(groups, n)).toBeUndefined()
  })

  it.scoped("computes an entity's shard as the cluster's own Sharding.getShardId does", () =>
    Effect.gen(function*() {
      const sharding = yield* Sharding.Sharding
      const ids = ["pune-baner/sku-00001", "pune-baner/sku-00836", "ord_pune-west_abc123", "", "ü/ß", ...fc.sample(fc.string(), 300)]
      for (const id of ids) expect(shardOfEntity(id)).toBe(sharding.getShardId(EntityId.make(id), "pune-west").id)
    }).pipe(Effect.provide(TestRunner.layer)))

  it("counts each runner's shard locks per region; healthy needs the flag and a fresh heartbeat", () => {
    const locks = [
      runnerLock("localhost:34431", "default", 1),
      runnerLock("localhost:34431", "pune-west", 1),
      runnerLock("localhost:34431", "pune-west", 2),
      runnerLock("localhost:34432", "pune-west", 3),
      runnerLock("localhost:34499", "pune-east", 9),
      { lockNumber: 7_263_001_001, pid: 9, applicationName: "qc-runner localhost:34431" },
      { lockNumber: 1_000_002, pid: 10, applicationName: "psql" }
    ]
    const views = runnerViews({
      groups,
      runners: [record("localhost:34431", ["default", "pune-west"]), record("localhost:34432", ["default", "pune-west"], 9_000)],
      locks,
      expirationMs: 6_000
    })
    expect(views).toEqual([
      expect.objectContaining({ address: "localhost:34431", healthy: true, shards: 3, shardsByRegion: { default: 1, "pune-west": 2 } }),
      expect.objectContaining({ address: "localhost:34432", healthy: false, shards: 1, shardsByRegion: { "pune-west": 1 } }),
      expect.objectContaining({ address: "localhost:34499", registered: false, healthy: false, shards: 1, regions: [] })
    ])
    const text = renderRunners(views, groups).text
    expect(text).toContain("ADDRESS")
    expect(text).toMatch(/localhost:34431\s+default, pune-west\s+yes\s+500 ms ago\s+3\s+default 1, pune-west 2/)
    expect(text).toContain("(not registered)")
    expect(ownersOf(groups, locks).get("default:2")).toBe("pid 10 (psql)")
  })

  it("maps every shard of a region to its holder, unowned ones shown as such", () => {
    const view = shardsView(groups, [runnerLock("localhost:34432", "pune-west", 17)], "pune-west")
    expect(view.shards).toHaveLength(300)
    const { json, text } = renderShards(view)
    expect(text).toContain("pune-west:17 → localhost:34432")
    expect(text).toContain("pune-west:18 → (unowned)")
    expect(text).toContain("pune-west: (unowned) 299, localhost:34432 1")
    expect(text).not.toContain("default:")
    expect(json).toMatchObject({ shards: expect.arrayContaining([{ shard: "pune-west:17", group: "pune-west", id: 17, owner: "localhost:34432" }]) })
  })
})

describe("qc: entity, pure", () => {
  it("parses StoreSku and Order ids; a malformed one is a usage error", () => {
    expect(parseEntityId("StoreSku", "pune-baner/sku-00001")).toEqual(Either.right("pune-baner/sku-00001"))
    for (const bad of ["pune-baner", "/sku-1", "pune-baner/", "a/b/c"]) expect(Either.isLeft(parseEntityId("StoreSku", bad))).toBe(true)
    expect(Either.isLeft(parseEntityId("Order", " "))).toBe(true)
  })

  it.effect("a cluster that does not answer within the timeout: unreachable, after exactly the timeout", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(1)
      const never = Layer.effect(Sharding.Sharding, Effect.never)
      const fiber = yield* Effect.fork(askEntity(Effect.never, never, "10 seconds"))
      yield* TestClock.adjust("9 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual({ _tag: "Unreachable", reason: "no answer within 10s" })
    }))

  it.scoped("an entity's error is its answer; a delivery failure means it was not reached", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(1)
      const notFound = new StoreSkuNotFound({ storeId: StoreId.make("pune-baner"), skuId: SkuId.make("sku-1") })
      const refused = yield* askEntity(Effect.fail(notFound), TestRunner.layer, "10 seconds")
      expect(refused).toMatchObject({ _tag: "Refused", error: expect.stringContaining("StoreSkuNotFound") })
      const unavailable = yield* askEntity(Effect.fail(new ServiceUnavailable({ message: "db" })), TestRunner.layer, "10 seconds")
      expect(unavailable._tag).toBe("Refused")
      const dropped = yield* askEntity(Effect.fail({ _tag: "MailboxFull" }), TestRunner.layer, "10 seconds")
      expect(dropped._tag).toBe("Unreachable")
      expect(yield* askEntity(Effect.succeed(7), TestRunner.layer, "10 seconds")).toEqual({ _tag: "Answered", value: 7 })
    }))

  it("shows Postgres beside the entity, marks differences, and says when the entity was not reached", () => {
    const base = { type: "StoreSku", entityId: "pune-baner/sku-00001", shard: "pune-west:42", owner: "localhost:34431", stored: { onHand: 5 } } as const
    const fields = [{ name: "on hand", stored: 5, entity: 5 }, { name: "reserved", stored: 1, entity: 2 }]
    const reached = renderEntity({ ...base, fields, answer: { _tag: "Answered", state: { onHand: 5 } } })
    expect(reached.text).toContain("owner   localhost:34431")
    expect(reached.text).toMatch(/reserved\s+1\s+2\s+differs/)
    expect(reached.json).toMatchObject({ owner: "localhost:34431", entity: { reached: true, state: { onHand: 5 } } })
    const lost = renderEntity({ ...base, owner: undefined, fields, answer: { _tag: "Unreachable", reason: "no answer within 10s" } })
    expect(lost.text).toContain("(unowned")
    expect(lost.text).toContain("could not be reached: no answer within 10s")
    expect(lost.text).not.toContain("ENTITY")
    expect(lost.json).toMatchObject({ owner: null, entity: { reached: false } })
  })
})

const detail: OrderDetail = {
  order: {
    orderId: "ord_pune-west_1",
    customerId: "cust-demo-1",
    status: "CONFIRMED",
    statusReason: null,
    total: 12_345,
    currency: "INR",
    razorpayOrderId: "order_1",
    paymentId: "pay_1",
    pincode: "411045",
    placedAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:05.000Z",
    dueAt: null
  },
  lines: [{ lineNo: 1, skuId: "sku-00001", storeId: "pune-baner", qty: 2, unitPrice: 6_000, reservationId: "r-1" }],
  timeline: ["AWAITING_PAYMENT", "PAID", "CONFIRMED"].map((status, i) => ({ seq: i + 1, status, reason: null, at: "2026-01-01T00:00:00.000Z" })),
  sagaSteps: [{ seq: 1, step: "stock_committed", detail: "1 line", at: "2026-01-01T00:00:04.000Z" }],
  payments: [{ paymentId: "pay_1", amount: 12_345, currency: "INR", status: "captured", method: "upi", updatedAt: null }],
  refunds: [],
  tickets: []
}

describe("qc: records, pure", () => {
  it("renders an order's timeline, steps and payments, and empty sections as (none)", () => {
    const { json, text } = renderOrder(detail)
    expect(text).toContain("status          CONFIRMED")
    expect(text).toContain("₹123.45")
    expect(text).toMatch(/timeline:\n#\s+AT\s+STATUS[\s\S]*AWAITING_PAYMENT[\s\S]*PAID[\s\S]*CONFIRMED/)
    expect(text).toMatch(/saga steps:[\s\S]*stock_committed/)
    expect(text).toMatch(/refunds:\n {2}\(none\)/)
    expect(json).toEqual(detail)
  })

  it("renders events with the next cursor, lag per subscriber, tickets and dead letters", () => {
    const events = renderEvents(0, [{ seq: 1, type: "order.placed", aggregateId: "ord_1", payload: { total: 5 }, at: "2026-01-01T00:00:00.000Z" }])
    expect(events.text).toMatch(/1\s+2026-01-01T00:00:00.000Z\s+order.placed\s+ord_1\s+\{"total":5\}/)
    expect(events.text).toContain("next: qc events --after 1")
    expect(events.json).toMatchObject({ after: 0, next: 1 })
    expect(renderEvents(9, []).text).toBe("No event after seq 9.")

    const lag = renderLag([{ subscriber: "mailer", cursor: 3, head: 10, lag: 7, oldestPendingAt: "2026-01-01T00:00:00.000Z" }])
    expect(lag.text).toMatch(/mailer\s+3\s+10\s+7/)
    expect(renderLag([]).text).toContain("No outbox subscriber")

    const tickets = renderTickets([{ id: 4, orderId: "ord_1", reason: "paid_not_allocatable", detail: null, at: null, orderStatus: "PAID" }])
    expect(tickets.text).toMatch(/4\s+-\s+ord_1\s+PAID\s+paid_not_allocatable/)

    const dead = renderDeadLetters({
      clusterTables: true,
      olderThanMs: 300_000,
      messages: [{
        id: "253351177071104000",
        entityType: "ClusterCron/expiry-markdowns",
        entityId: "2026-12-01T19:00:00.000Z",
        shardId: "default:228",
        tag: "run",
        processed: true,
        deliverAt: 1796151600000,
        lastRead: null,
        failure: "{\"_tag\":\"Failure\"}"
      }],
      scannedEvents: 10_000,
      undeliverableEvents: []
    })
    expect(dead.text).toMatch(/253351177071104000\s+ClusterCron\/expiry-markdowns 2026-12-01T19:00:00.000Z\s+default:228\s+run\s+failed/)
    expect(dead.text).toMatch(/do not decode; latest 10000 scanned\):\n {2}\(none\)/)
    expect(renderDeadLetters({ clusterTables: false, olderThanMs: 1, messages: [], scannedEvents: 0, undeliverableEvents: [] }).text)
      .toContain("no runner has started on this database")
  })

  it("lays out tables: numbers right-aligned, missing values as -", () => {
    expect(table(["NAME", "N"], [["a", 1], ["bbb", 100], ["c", null]])).toBe(
      ["NAME    N", "----  ---", "a       1", "bbb   100", "c       -"].join("\n")
    )
  })
})
