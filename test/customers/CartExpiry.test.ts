import { Entity, ShardingConfig } from "@effect/cluster"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { CartEntity } from "@qc/domain/customers/CartEntity"
import { SkuId } from "@qc/domain/Ids"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import { CartEntityLive } from "@qc/entities/customers/Cart"
import { CartSweepLive } from "@qc/entities/customers/CartLive"
import { CartRepo } from "@qc/entities/customers/CartRepo"
import { seedDemoCatalogue } from "@qc/entities/demo/Seed"
import { OrderPlacement } from "@qc/entities/orders/OrderPlacement"
import { Quote } from "@qc/entities/orders/Quote"
import { DomainEvents } from "@qc/entities/platform/DomainEvents"
import * as Migrations from "@qc/entities/platform/Migrations"
import { Effect, Layer, TestClock } from "effect"
import { drivenUntil } from "../support/Drive.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

/**
 * Thirty days of TestClock on the whole stack would wake every cluster and outbox loop
 * millions of times (about 8 s of real time per simulated minute here), so expiry is driven on
 * the Cart entity and the sweep alone: a real database, no sharding (`Entity.makeTestClient`).
 * Pricing and placement are not used by these commands.
 */
const Unused = Layer.mergeAll(
  Layer.succeed(Quote, Quote.make({ openStores: () => Effect.die("unused"), quote: () => Effect.die("unused") })),
  Layer.succeed(OrderPlacement, OrderPlacement.make({ place: () => Effect.die("unused") }))
)

const sku = SkuId.make("sku-00001")

const makeFixture = Effect.gen(function*() {
  const db = yield* makeTestDatabase
  const base = yield* Layer.build(db.layer)
  yield* Effect.provide(Effect.zipRight(Effect.orDie(Migrations.run), seedDemoCatalogue({ skuCount: 20 })), base)
  const services = yield* Layer.build(
    Layer.mergeAll(CartRepo.Default, CatalogueRepo.Default).pipe(Layer.provideMerge(DomainEvents.Default), Layer.provideMerge(Layer.succeedContext(base)))
  )
  /** A client factory of new entity instances: each loads its cart from the database on its first command. */
  const fresh = () =>
    Entity.makeTestClient(CartEntity, CartEntityLive.pipe(Layer.provide(Unused), Layer.provide(Layer.succeedContext(services)))).pipe(
      Effect.provide(ShardingConfig.layer())
    )

  const rows = (customerId: string) =>
    Effect.provide(SqlClient.SqlClient, base).pipe(
      Effect.flatMap((sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM carts WHERE customer_id = ${customerId}`),
      Effect.map((r) => r[0].n),
      Effect.orDie
    )
  return { fresh, rows, services } as const
})

describe("cart expiry (TestClock)", () => {
  it.scoped("a cart untouched for 30 days is empty and deleted: held in memory, or loaded after the fact", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(1)
      const { fresh, rows } = yield* makeFixture
      const resident = yield* fresh()
      const asha = yield* resident("cust-demo-1")
      const set = yield* asha.SetLine({ skuId: sku, qty: 2 })
      expect(set.lines).toEqual([{ skuId: sku, qty: 2 }])
      yield* Effect.flatMap(resident("cust-demo-2"), (c) => c.SetLine({ skuId: sku, qty: 1 }))
      const loaded = (customerId: string) => Effect.flatMap(fresh(), (make) => Effect.flatMap(make(customerId), (c) => c.Get()))

      yield* TestClock.adjust("29 days")
      yield* TestClock.adjust("23 hours")
      // Looking does not touch: only a change of the lines restarts the 30 days.
      expect((yield* asha.Get()).lines).toEqual([{ skuId: sku, qty: 2 }])
      expect((yield* loaded("cust-demo-2")).lines).toEqual([{ skuId: sku, qty: 1 }])

      yield* TestClock.adjust("1 hour")
      const expired = yield* asha.Get()
      expect(expired.lines).toEqual([])
      expect(expired.updatedAt).toBeNull()
      expect(yield* rows("cust-demo-1")).toBe(0)
      // A new instance (after a restart or a move) loads the old row: empty, and the row deleted.
      expect((yield* loaded("cust-demo-2")).lines).toEqual([])
      expect(yield* rows("cust-demo-2")).toBe(0)
      // An expired cart starts again.
      expect((yield* asha.SetLine({ skuId: sku, qty: 3 })).lines).toEqual([{ skuId: sku, qty: 3 }])
    }))

  it.scoped("the hourly sweep deletes carts nobody loads once they are 30 days untouched", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(1)
      const { fresh, rows, services } = yield* makeFixture
      yield* Effect.flatMap(fresh(), (make) => Effect.flatMap(make("cust-demo-3"), (c) => c.SetLine({ skuId: sku, qty: 1 })))
      yield* Layer.build(CartSweepLive.pipe(Layer.provide(Layer.succeedContext(services))))

      yield* TestClock.adjust("29 days")
      yield* TestClock.adjust("22 hours")
      // The sweep ran every hour so far and left the cart.
      expect(yield* rows("cust-demo-3")).toBe(1)
      yield* TestClock.adjust("1 hour")
      expect(yield* rows("cust-demo-3")).toBe(1)
      // Its next run after the 30 days deletes the row.
      yield* drivenUntil(Effect.flatMap(rows("cust-demo-3"), (n) => Effect.sync(() => expect(n).toBe(0))), { step: "1 minute", maxSteps: 200 })
    }))
})
