import { FetchHttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { CompetitorPrices, CompetitorPricesFromConfig } from "@qc/entities/pricing/CompetitorPrices"
import { ConfigProvider, DateTime, Effect, Layer } from "effect"
import { writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeTestDatabase } from "../support/TestDatabase.js"

const sample = "packages/entities/data/competitor-feed.sample.json"

const feedFrom = (location: string) =>
  Effect.flatMap(makeTestDatabase, (db) =>
    Effect.flatMap(CompetitorPrices, (feed) => feed.fetch).pipe(
      Effect.provide(CompetitorPricesFromConfig.pipe(
        Layer.provide(Layer.mergeAll(NodeFileSystem.layer, FetchHttpClient.layer, db.layer)),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["COMPETITOR_FEED", location]]))))
      ))
    ))

describe("competitor feed (COMPETITOR_FEED)", () => {
  it.scoped("reads the shipped sample file", () =>
    Effect.gen(function*() {
      const signals = yield* feedFrom(sample)
      expect(signals.map((s) => [s.skuId, s.competitor, s.price])).toEqual([
        ["sku-00001", "blinkit", 27900],
        ["sku-00001", "zepto", 28500],
        ["sku-00002", "instamart", 44900]
      ])
      expect(DateTime.formatIso(signals[0].observedAt)).toBe("2026-11-22T05:00:00.000Z")
    }))

  it.scoped("reads a feed over HTTP", () =>
    Effect.gen(function*() {
      const server = createServer((_req, res) => {
        res.setHeader("content-type", "application/json")
        res.end(JSON.stringify([{ skuId: "sku-00009", competitor: "dmart", price: 1000, observedAt: "2026-11-22T06:00:00Z" }]))
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => Effect.sync(() => server.close())
      )
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const signals = yield* feedFrom(`http://127.0.0.1:${port}/feed.json`)
      expect(signals.map((s) => s.skuId)).toEqual(["sku-00009"])
    }))

  it.scoped("a malformed feed is a CompetitorFeedError naming where it came from, not a crash", () =>
    Effect.gen(function*() {
      const bad = join(tmpdir(), `feed-${process.pid}.json`)
      writeFileSync(bad, JSON.stringify([{ skuId: "sku-1", competitor: "x", price: -5, observedAt: "yesterday" }]))
      const error = yield* Effect.flip(feedFrom(bad))
      expect(error._tag).toBe("CompetitorFeedError")
      expect(error.message).toContain(bad)
    }))
})
