import type { Sharding } from "@effect/cluster"
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { OrderEntity, OrderState } from "@qc/domain/orders/OrderEntity"
import { StoreSkuSnapshot } from "@qc/domain/stock/StoreSku"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { regionOfOrderId, storeSkuShardGroup } from "@qc/domain/stores/Regions"
import type { Layer } from "effect"
import { Cause, Duration, Effect, Either, Option, Predicate, Schema } from "effect"
import { loadRegions } from "../ClusterRoles.js"
import { clusterTablesExist, heldAdvisoryLocks, runnerRecords } from "./ClusterQueries.js"
import type { EntityAnswer, EntityView } from "./ClusterViews.js"
import { orderRow, storeSkuRow } from "./RecordQueries.js"
import { ownersOf, shardKey, shardOfEntity } from "./ShardOwnership.js"

export type EntityType = "StoreSku" | "Order"

/** `StoreSku {storeId}/{skuId}` or `Order {orderId}`; a malformed id answers why. */
export const parseEntityId = (type: EntityType, id: string): Either.Either<string, string> => {
  const trimmed = id.trim()
  if (type === "Order") return trimmed === "" ? Either.left("an order id is required") : Either.right(trimmed)
  const slash = trimmed.indexOf("/")
  return slash <= 0 || slash === trimmed.length - 1 || trimmed.indexOf("/", slash + 1) >= 0
    ? Either.left(`a StoreSku id is {storeId}/{skuId}, e.g. pune-baner/sku-00001; got ${JSON.stringify(id)}`)
    : Either.right(trimmed)
}

/** Failures of delivery (no runner, storage) rather than answers of the entity. */
const deliveryTags = new Set([
  "EntityNotAssignedToRunner",
  "MailboxFull",
  "AlreadyProcessingMessage",
  "PersistenceError",
  "RunnerUnavailable",
  "RunnerNotRegistered",
  "MalformedMessage"
])

const describe = (error: unknown): string =>
  Predicate.hasProperty(error, "_tag") ? `${String(error._tag)} ${JSON.stringify({ ...error, _tag: undefined })}` : String(error)

/** What became of asking: the entity's typed answer, or why there is none. */
export type Asked<A> =
  | { readonly _tag: "Answered"; readonly value: A }
  | Exclude<EntityAnswer, { readonly _tag: "Answered" }>

/**
 * Sends `ask` through the given cluster, within `timeout` (building the cluster included):
 * the entity's answer, its error, or why it was not reached. Never fails.
 */
export const askEntity = <A, E>(
  ask: Effect.Effect<A, E, Sharding.Sharding>,
  cluster: Layer.Layer<Sharding.Sharding>,
  timeout: Duration.DurationInput
): Effect.Effect<Asked<A>> =>
  ask.pipe(
    Effect.provide(cluster),
    Effect.timeout(timeout),
    Effect.either,
    Effect.map(Either.match({
      onRight: (value): Asked<A> => ({ _tag: "Answered", value }),
      onLeft: (e): Asked<A> =>
        Cause.isTimeoutException(e)
          ? { _tag: "Unreachable", reason: `no answer within ${Duration.format(timeout)}` }
          : Predicate.hasProperty(e, "_tag") && deliveryTags.has(String(e._tag))
          ? { _tag: "Unreachable", reason: describe(e) }
          : { _tag: "Refused", error: describe(e) }
    })),
    Effect.catchAllCause((cause) => Effect.succeed<Asked<A>>({ _tag: "Unreachable", reason: Cause.pretty(cause).split("\n")[0] }))
  )

const toAnswer = <A>(asked: Asked<A>, encode: (a: A) => unknown): EntityAnswer =>
  asked._tag === "Answered" ? { _tag: "Answered", state: encode(asked.value) } : asked

const encodeSnapshot = Schema.encodeSync(StoreSkuSnapshot)
const encodeOrder = (order: Option.Option<OrderState>) => Option.getOrNull(Option.map(order, Schema.encodeSync(OrderState)))

export interface EntityOptions {
  /** The cluster to ask through: a client-only one for the CLI, the test's own runner in tests. */
  readonly cluster: Layer.Layer<Sharding.Sharding>
  readonly timeout: Duration.DurationInput
  /** A runner heart-beating less recently than this is not asked (it would not answer). */
  readonly expirationMs: number
}

/**
 * Where an entity lives (its shard from the cluster's hash, the owner from the shard locks)
 * and its state: Postgres' row, and the entity's own answer (`Snapshot` / `Get`). An id that
 * Postgres does not know answers `Option.none()` without asking the cluster, so a typo never
 * activates an entity. The entity is asked only if a healthy runner hosts its group.
 */
export const inspectEntity = (
  type: EntityType,
  entityId: string,
  options: EntityOptions
): Effect.Effect<Option.Option<EntityView>, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const groups = yield* loadRegions
    const group = type === "StoreSku" ? storeSkuShardGroup(entityId) : regionOfOrderId(entityId)
    const shard = shardKey(group, shardOfEntity(entityId))
    const hasCluster = yield* clusterTablesExist
    const owner = hasCluster ? ownersOf(groups, yield* heldAdvisoryLocks).get(shard) : undefined
    const hosts = hasCluster
      ? (yield* runnerRecords).filter((r) => r.healthyFlag && r.heartbeatAgeMs <= options.expirationMs && r.groups.includes(group))
      : []
    const ask = <A, E>(effect: Effect.Effect<A, E, Sharding.Sharding>) =>
      !hasCluster
        ? Effect.succeed<Asked<A>>({ _tag: "Unreachable", reason: "no runner has ever started on this database" })
        : hosts.length === 0
        ? Effect.succeed<Asked<A>>({ _tag: "Unreachable", reason: `no healthy runner hosts ${group}` })
        : askEntity(effect, options.cluster, options.timeout)
    const base = { type, entityId, shard, owner } as const

    if (type === "StoreSku") {
      const slash = entityId.indexOf("/")
      const row = yield* storeSkuRow(entityId.slice(0, slash), entityId.slice(slash + 1))
      if (Option.isNone(row)) return Option.none()
      const asked = yield* ask(Effect.flatMap(StoreSkuEntity.client, (client) => client(entityId).Snapshot()))
      const held = asked._tag === "Answered" ? asked.value : undefined
      const entity = <K extends keyof StoreSkuSnapshot>(k: K) => held?.[k]
      const r = row.value
      return Option.some<EntityView>({
        ...base,
        stored: r,
        answer: toAnswer(asked, encodeSnapshot),
        fields: [
          { name: "on hand", stored: r.onHand, entity: entity("onHand") },
          { name: "reserved", stored: r.reserved, entity: entity("reserved") },
          { name: "allocated", stored: r.allocated, entity: entity("allocated") },
          { name: "available", stored: r.onHand - r.reserved - r.allocated, entity: entity("available") },
          { name: "reorder threshold", stored: r.reorderThreshold, entity: entity("reorderThreshold") },
          { name: "version", stored: r.version, entity: entity("version") }
        ]
      })
    }

    const row = yield* orderRow(entityId)
    if (Option.isNone(row)) return Option.none()
    const asked = yield* ask(Effect.flatMap(OrderEntity.client, (client) => client(entityId).Get()))
    const state = asked._tag === "Answered" ? Option.getOrUndefined(asked.value) : undefined
    const o = row.value
    return Option.some<EntityView>({
      ...base,
      stored: o,
      answer: toAnswer(asked, encodeOrder),
      fields: [
        { name: "status", stored: o.status, entity: state?.status },
        { name: "status reason", stored: o.statusReason, entity: state === undefined ? undefined : state.statusReason },
        { name: "total", stored: o.total, entity: state?.total },
        { name: "payment kept", stored: o.paymentId, entity: state === undefined ? undefined : state.paymentId },
        { name: "razorpay order", stored: o.razorpayOrderId, entity: state?.razorpayOrderId }
      ]
    })
  })
