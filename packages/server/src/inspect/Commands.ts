import type { Sharding } from "@effect/cluster"
import type { Duration, Layer } from "effect"
import { Clock, Effect, Option } from "effect"
import { loadRegions } from "../ClusterRoles.js"
import { clusterTablesExist, heldAdvisoryLocks, runnerRecords, stuckMessages } from "./ClusterQueries.js"
import { renderEntity, renderRunners, renderShards, runnerViews, shardsView } from "./ClusterViews.js"
import type { EntityType } from "./EntityInspection.js"
import { inspectEntity } from "./EntityInspection.js"
import { orderDetail, outboxAfter, subscriberLag, tickets, undeliverableEvents } from "./RecordQueries.js"
import { renderDeadLetters, renderEvents, renderLag, renderOrder, renderTickets } from "./RecordViews.js"
import { report } from "./Report.js"

/**
 * The `qc` commands as effects on a SqlClient, each answering a Report. They only read:
 * the SQL they run is in ClusterQueries and RecordQueries, all SELECTs.
 */

const notFound = (text: string, json: Record<string, unknown>) => report(text, { found: false, ...json }, false)

export const runners = (expirationMs: number) =>
  Effect.gen(function*() {
    const groups = yield* loadRegions
    if (!(yield* clusterTablesExist)) return renderRunners([], groups)
    const views = runnerViews({ groups, runners: yield* runnerRecords, locks: yield* heldAdvisoryLocks, expirationMs })
    return renderRunners(views, groups)
  })

export const shards = (region: Option.Option<string>) =>
  Effect.gen(function*() {
    const groups = yield* loadRegions
    if (Option.isSome(region) && !groups.includes(region.value)) {
      return notFound(`No region ${region.value}; the shard groups are ${groups.join(", ")}.`, { region: region.value, groups })
    }
    const locks = (yield* clusterTablesExist) ? yield* heldAdvisoryLocks : []
    return renderShards(shardsView(groups, locks, Option.getOrUndefined(region)))
  })

export const entity = (
  type: EntityType,
  entityId: string,
  options: {
    readonly cluster: Layer.Layer<Sharding.Sharding>
    readonly timeout: Duration.DurationInput
    readonly expirationMs: number
  }
) =>
  Effect.map(
    inspectEntity(type, entityId, options),
    Option.match({
      onNone: () => notFound(`No ${type} ${entityId} in Postgres (the cluster was not asked).`, { type, entityId }),
      onSome: renderEntity
    })
  )

export const order = (orderId: string) =>
  Effect.map(
    orderDetail(orderId),
    Option.match({ onNone: () => notFound(`No order ${orderId}.`, { orderId }), onSome: renderOrder })
  )

export const events = (after: number, limit: number) => Effect.map(outboxAfter(after, limit), (rows) => renderEvents(after, rows))

export const lag = Effect.map(subscriberLag, renderLag)

export const openTickets = (limit: number) => Effect.map(tickets(limit), renderTickets)

export const deadLetters = (options: { readonly olderThanMs: number; readonly limit: number; readonly scan: number }) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const clusterTables = yield* clusterTablesExist
    const messages = clusterTables ? yield* stuckMessages(options.olderThanMs, now, options.limit) : []
    const undeliverable = yield* undeliverableEvents(options.scan)
    return renderDeadLetters({
      clusterTables,
      olderThanMs: options.olderThanMs,
      messages,
      scannedEvents: options.scan,
      undeliverableEvents: undeliverable
    })
  })
