import { SqlClient } from "@effect/sql"
import { FileSystem, HttpClient, HttpClientResponse } from "@effect/platform"
import { CompetitorSignal } from "@qc/domain/pricing/Pricing"
import { hash } from "../demo/DemoRandom.js"
import { Clock, Config, Context, Data, DateTime, Effect, Layer, Option, Schema } from "effect"

export class CompetitorFeedError extends Data.TaggedError("CompetitorFeedError")<{ readonly message: string }> {}

/** Where competitor price signals come from; the cron refreshes from it every 30 minutes. */
export class CompetitorPrices extends Context.Tag("CompetitorPrices")<CompetitorPrices, {
  readonly source: string
  readonly fetch: Effect.Effect<ReadonlyArray<CompetitorSignal>, CompetitorFeedError>
}>() {}

const Feed = Schema.Array(CompetitorSignal)
const decodeFeed = Schema.decodeUnknown(Schema.parseJson(Feed))


const slotMs = 30 * 60_000
const demoCompetitors = ["blinkit", "zepto", "instamart"] as const

/**
 * The demo feed: what a scraper would report about one SKU in ten, from the
 * catalogue price ±, observed a few minutes before each half-hour slot. The
 * same slot always gives the same signals.
 */
export const demoSignals = (
  skus: Iterable<{ readonly id: string; readonly basePrice: number }>,
  now: number
): Array<CompetitorSignal> => {
  const slot = Math.floor(now / slotMs)
  const out: Array<CompetitorSignal> = []
  for (const sku of skus) {
    if (hash(`${sku.id}`) % 10 !== 0) continue
    for (const competitor of demoCompetitors) {
      const h = hash(`${sku.id}:${competitor}:${slot}`)
      if (h % 3 === 0) continue
      const factor = 0.82 + (h % 23) / 100 // 0.82–1.04
      const rupees = Math.max(1, Math.round((sku.basePrice * factor) / 100))
      out.push({
        skuId: sku.id as CompetitorSignal["skuId"],
        competitor,
        price: (rupees * 100) as CompetitorSignal["price"],
        observedAt: DateTime.unsafeMake(Math.min(now, slot * slotMs + (h % 10) * 60_000))
      })
    }
  }
  return out
}

export const CompetitorPricesDemo = Layer.effect(
  CompetitorPrices,
  Effect.map(SqlClient.SqlClient, (sql) =>
    CompetitorPrices.of({
      source: "demo",
      fetch: Effect.gen(function*() {
        const skus = yield* sql<{ id: string; basePrice: number }>`SELECT id, base_price AS "basePrice" FROM skus ORDER BY id`.pipe(
          Effect.orDie
        )
        return demoSignals(skus, yield* Clock.currentTimeMillis)
      })
    }))
)

type FeedRequirements = SqlClient.SqlClient | HttpClient.HttpClient | FileSystem.FileSystem

const fromLocation = (location: string): Layer.Layer<CompetitorPrices, never, FeedRequirements> => {
  const fail = (e: unknown) => new CompetitorFeedError({ message: `${location}: ${String(e)}` })
  if (/^https?:\/\//.test(location)) {
    return Layer.effect(
      CompetitorPrices,
      Effect.map(HttpClient.HttpClient, (client) =>
        CompetitorPrices.of({
          source: location,
          fetch: client.get(location).pipe(
            Effect.flatMap(HttpClientResponse.filterStatusOk),
            Effect.flatMap((r) => r.text),
            Effect.flatMap(decodeFeed),
            Effect.mapError(fail),
            Effect.scoped
          )
        }))
    )
  }
  return Layer.effect(
    CompetitorPrices,
    Effect.map(FileSystem.FileSystem, (fs) =>
      CompetitorPrices.of({
        source: location,
        fetch: fs.readFileString(location).pipe(Effect.flatMap(decodeFeed), Effect.mapError(fail))
      }))
  )
}

/** `COMPETITOR_FEED`: an `http(s)://` URL or a file path holding a JSON array of signals; unset: the demo feed. */
export const CompetitorPricesFromConfig = Layer.unwrapEffect(
  Effect.map(
    Config.option(Config.string("COMPETITOR_FEED")),
    (feed): Layer.Layer<CompetitorPrices, never, FeedRequirements> =>
      Option.isNone(feed) ? CompetitorPricesDemo : fromLocation(feed.value)
  )
)
