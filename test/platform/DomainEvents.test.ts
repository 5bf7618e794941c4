import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { CatalogueUpdated } from "@qc/domain/events/CatalogueEvents"
import {
  LoyaltyAccrued,
  OrderDelivered,
  OrderDispatched,
  OrderEscalated,
  OrderPacked,
  OrderPicking,
  OrderReviewRequested,
  OrderRiderAssigned,
  OrderUndeliverable,
  StoreSlaBreached,
  StoreUpdated
} from "@qc/domain/events/FulfilmentEvents"
import { DomainEvent, domainEvent } from "@qc/domain/events/DomainEvent"
import { OrderCancelled, OrderConfirmed, OrderFailed, OrderPaid, OrderPlaced } from "@qc/domain/events/OrderEvents"
import { PaymentCaptured, PaymentRefunded } from "@qc/domain/events/PaymentEvents"
import { PricingUpdated } from "@qc/domain/events/PricingEvents"
import { InventoryUpdated } from "@qc/domain/events/StockEvents"
import { SkuId } from "@qc/domain/Ids"
import type { PublishedEvent } from "@qc/entities/platform/DomainEvents"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import * as Migrations from "@qc/entities/platform/Migrations"
import { Arbitrary, Context, Effect, FastCheck, Layer, Schedule, Schema } from "effect"
import { driven } from "../support/Drive.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/** Events of each type, from its own schema; a test below checks that no type is missing. */
const eachType: ReadonlyArray<FastCheck.Arbitrary<DomainEvent>> = [
  Arbitrary.make(InventoryUpdated),
  Arbitrary.make(OrderPlaced),
  Arbitrary.make(OrderPaid),
  Arbitrary.make(OrderConfirmed),
  Arbitrary.make(OrderFailed),
  Arbitrary.make(OrderCancelled),
  Arbitrary.make(PaymentCaptured),
  Arbitrary.make(PaymentRefunded),
  Arbitrary.make(PricingUpdated),
  Arbitrary.make(CatalogueUpdated),
  Arbitrary.make(OrderPicking),
  Arbitrary.make(OrderPacked),
  Arbitrary.make(OrderRiderAssigned),
  Arbitrary.make(OrderDispatched),
  Arbitrary.make(OrderDelivered),
  Arbitrary.make(OrderUndeliverable),
  Arbitrary.make(OrderEscalated),
  Arbitrary.make(OrderReviewRequested),
  Arbitrary.make(LoyaltyAccrued),
  Arbitrary.make(StoreSlaBreached),
  Arbitrary.make(StoreUpdated)
]

/** What the outbox does to an event: encoded, stored as JSON, read back and decoded. */
const throughOutbox = (event: DomainEvent): DomainEvent =>
  Schema.decodeUnknownSync(DomainEvent)(JSON.parse(JSON.stringify(Schema.encodeSync(DomainEvent)(event))))

describe("Domain event schemas", () => {
  it("every event type round-trips through its schema and JSON unchanged", () => {
    for (const events of eachType) {
      FastCheck.assert(
        FastCheck.property(events, (event) => {
          expect(throughOutbox(event)).toEqual(event)
        }),
        { numRuns: 100, seed: 20260501 }
      )
    }
  })

  it("the union holds exactly these event types", () => {
    const listed = new Set(eachType.map((events) => FastCheck.sample(events, 1)[0].type))
    const seen = new Set(FastCheck.sample(Arbitrary.make(DomainEvent), { numRuns: 2_000, seed: 7 }).map((e) => e.type))
    expect([...seen].sort()).toEqual([...listed].sort())
  })

  it("rows written before events had schemas still decode, in the shape producers write", () => {
    // An early inventory.updated: no reorderThreshold, no received lots.
    const early = Schema.decodeUnknownSync(DomainEvent)({
      type: "inventory.updated",
      aggregateId: "pune-baner/sku-00001",
      payload: { storeId: "pune-baner", skuId: "sku-00001", onHand: 5, reserved: 1, allocated: 0, available: 4, version: 3 }
    })
    expect(early.type === "inventory.updated" && early.payload.received).toEqual([])
    const markdownPercent = { rule: "expiry_markdown", category: "dairy", percent: 40 }
    const stored = { type: "pricing.updated", aggregateId: "markdown-percent:dairy", payload: markdownPercent }
    expect(Schema.encodeSync(DomainEvent)(Schema.decodeUnknownSync(DomainEvent)(stored))).toEqual(stored)
  })
})

describe("DomainEvents", () => {
  it.scoped("a follower and a subscriber pass over an outbox row that is not a valid event, and go on", () =>
    Effect.gen(function*() {
      const db = yield* makeTestDatabase
      const sqlContext = yield* Layer.build(db.layer)
      const sql = Context.get(sqlContext, SqlClient.SqlClient)
      yield* Effect.provide(Effect.orDie(Migrations.run), sqlContext)
      const events = Context.get(
        yield* Layer.build(DomainEvents.Default.pipe(Layer.provide(Layer.succeedContext(sqlContext)))),
        DomainEvents
      )
      const followed: Array<PublishedEvent> = []
      const subscribed: Array<PublishedEvent> = []
      yield* events.follow((batch) => Effect.sync(() => followed.push(...batch)))
      yield* events.subscribe("malformed-row-test", (event) => Effect.sync(() => subscribed.push(event)))

      const updated = (sku: string) => domainEvent("catalogue.updated", sku, { skuId: SkuId.make(sku) })
      yield* events.publish([updated("sku-1")])
      // Rows no producer of ours writes any more: a payload of the wrong shape, an unknown type.
      yield* Effect.orDie(sql`INSERT INTO outbox (type, aggregate_id, payload, at) VALUES
        ('inventory.updated', 'x/y', ${JSON.stringify({ storeId: 5 })}::jsonb, ${new Date(0)}),
        ('no.such.event', 'x', '{}'::jsonb, ${new Date(0)})`)
      yield* events.publish([updated("sku-2")])

      const skus = (list: ReadonlyArray<PublishedEvent>) => list.map((e) => (e.type === "catalogue.updated" ? e.payload.skuId : e.type))
      yield* driven(
        Effect.suspend(() => (followed.length >= 2 && subscribed.length >= 2 ? Effect.void : Effect.fail("not yet"))).pipe(
          Effect.retry(Schedule.spaced("50 millis"))
        )
      )
      expect(skus(followed)).toEqual(["sku-1", "sku-2"])
      expect(skus(subscribed)).toEqual(["sku-1", "sku-2"])
      expect(followed.map((e) => e.seq)).toEqual([1, 4])
      // The subscriber's durable cursor moved past the bad rows: they will not be read again.
      const cursor = yield* Effect.orDie(sql<{ seq: number }>`SELECT seq::int AS seq FROM outbox_cursors WHERE subscriber = 'malformed-row-test'`)
      expect(cursor).toEqual([{ seq: 4 }])
      expect(skus(yield* events.list(0, 100))).toEqual(["sku-1", "sku-2"])
    }))
})
