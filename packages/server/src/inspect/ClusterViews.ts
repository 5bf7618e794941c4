import type { RunnerRecord } from "./ClusterQueries.js"
import type { Cell, Report } from "./Report.js"
import { duration, keyValues, report, section, table } from "./Report.js"
import type { HeldLock, ShardOwner } from "./ShardOwnership.js"
import { ownersOf, runnerOfApplicationName, shardOfLock, shardTable } from "./ShardOwnership.js"

/** One runner as `qc runners` shows it. */
export interface RunnerView {
  readonly address: string
  /** Shard groups it registered to host. */
  readonly regions: ReadonlyArray<string>
  /** Registered, flagged healthy, and heart-beating within the shard-lock expiration. */
  readonly healthy: boolean
  readonly registered: boolean
  readonly heartbeatAgeMs: number | null
  /** Shard locks its storage connection holds, in all and per group. */
  readonly shards: number
  readonly shardsByRegion: Readonly<Record<string, number>>
}

/**
 * Runners are the registered ones (`cluster_runners`) plus any connection named after a
 * runner that holds shard locks without a registration (it lost its row, or has not
 * written it yet): either way it owns those shards now.
 */
export const runnerViews = (input: {
  readonly groups: ReadonlyArray<string>
  readonly runners: ReadonlyArray<RunnerRecord>
  readonly locks: ReadonlyArray<HeldLock>
  readonly expirationMs: number
}): ReadonlyArray<RunnerView> => {
  const held = new Map<string, Map<string, number>>()
  for (const lock of input.locks) {
    const address = runnerOfApplicationName(lock.applicationName)
    const shard = shardOfLock(input.groups, lock.lockNumber)
    if (address === undefined || shard === undefined) continue
    const byGroup = held.get(address) ?? new Map<string, number>()
    byGroup.set(shard.group, (byGroup.get(shard.group) ?? 0) + 1)
    held.set(address, byGroup)
  }
  const counts = (address: string) => {
    const byGroup = held.get(address) ?? new Map<string, number>()
    const shardsByRegion = Object.fromEntries(input.groups.filter((g) => byGroup.has(g)).map((g) => [g, byGroup.get(g) ?? 0]))
    return { shards: [...byGroup.values()].reduce((a, b) => a + b, 0), shardsByRegion }
  }
  const registered = input.runners.map((r): RunnerView => ({
    address: r.address,
    regions: r.groups,
    healthy: r.healthyFlag && r.heartbeatAgeMs <= input.expirationMs,
    registered: true,
    heartbeatAgeMs: r.heartbeatAgeMs,
    ...counts(r.address)
  }))
  const known = new Set(input.runners.map((r) => r.address))
  const unregistered = [...held.keys()].filter((a) => !known.has(a)).sort().map((address): RunnerView => ({
    address,
    regions: [],
    healthy: false,
    registered: false,
    heartbeatAgeMs: null,
    ...counts(address)
  }))
  return [...registered, ...unregistered]
}

const perRegion = (byRegion: Readonly<Record<string, number>>) =>
  Object.entries(byRegion).map(([g, n]) => `${g} ${n}`).join(", ")

export const renderRunners = (views: ReadonlyArray<RunnerView>, groups: ReadonlyArray<string>): Report => {
  const rows: Array<Array<Cell>> = views.map((v) => [
    v.address,
    v.registered ? v.regions.join(", ") : "(not registered)",
    v.healthy,
    v.heartbeatAgeMs === null ? null : `${duration(v.heartbeatAgeMs)} ago`,
    v.shards,
    perRegion(v.shardsByRegion)
  ])
  const text = views.length === 0
    ? "No runner is registered or holds a shard lock in this database."
    : table(["ADDRESS", "REGIONS", "HEALTHY", "HEARTBEAT", "SHARDS", "BY REGION"], rows)
  return report(`${text}\n\nshard groups: ${groups.join(", ")}`, { groups, runners: views })
}

export interface ShardsView {
  readonly groups: ReadonlyArray<string>
  readonly shards: ReadonlyArray<ShardOwner>
}

/** Every shard of the groups asked (all by default) with the runner holding its lock. */
export const shardsView = (groups: ReadonlyArray<string>, locks: ReadonlyArray<HeldLock>, only?: string): ShardsView => {
  const shown = only === undefined ? groups : groups.filter((g) => g === only)
  return { groups: shown, shards: shardTable(shown, ownersOf(groups, locks)) }
}

export const renderShards = (view: ShardsView): Report => {
  const lines = view.shards.map((s) => `${s.group}:${s.shard} → ${s.owner ?? "(unowned)"}`)
  const summary = view.groups.map((group) => {
    const mine = view.shards.filter((s) => s.group === group)
    const by = new Map<string, number>()
    for (const s of mine) by.set(s.owner ?? "(unowned)", (by.get(s.owner ?? "(unowned)") ?? 0) + 1)
    return `${group}: ${[...by].sort(([a], [b]) => a.localeCompare(b)).map(([o, n]) => `${o} ${n}`).join(", ")}`
  })
  return report(
    [...lines, "", ...summary].join("\n"),
    { shards: view.shards.map((s) => ({ shard: `${s.group}:${s.shard}`, group: s.group, id: s.shard, owner: s.owner ?? null })) }
  )
}

/** What became of asking the entity for its state through the cluster. */
export type EntityAnswer =
  | { readonly _tag: "Answered"; readonly state: unknown }
  | { readonly _tag: "Refused"; readonly error: string }
  | { readonly _tag: "Unreachable"; readonly reason: string }

/** One entity: where it lives, what Postgres has, and what the entity holds. */
export interface EntityView {
  readonly type: "StoreSku" | "Order"
  readonly entityId: string
  readonly shard: string
  readonly owner: string | undefined
  /** The row(s) Postgres has, JSON-ready. */
  readonly stored: unknown
  readonly answer: EntityAnswer
  /** Side by side: Postgres' value and the entity's (undefined when not reached). */
  readonly fields: ReadonlyArray<{ readonly name: string; readonly stored: Cell; readonly entity: Cell }>
}

export const renderEntity = (view: EntityView): Report => {
  const head = keyValues([
    ["entity", `${view.type} ${view.entityId}`],
    ["shard", view.shard],
    ["owner", view.owner ?? "(unowned: no runner holds this shard's lock)"]
  ])
  const reached = view.answer._tag === "Answered"
  const state = section(
    reached ? "state (Postgres | as the entity holds it):" : "state (Postgres):",
    table(
      reached ? ["FIELD", "POSTGRES", "ENTITY", ""] : ["FIELD", "POSTGRES"],
      view.fields.map((f) =>
        reached ? [f.name, f.stored, f.entity, String(f.stored) === String(f.entity) ? "" : "differs"] : [f.name, f.stored]
      )
    )
  )
  const note = view.answer._tag === "Answered"
    ? ""
    : view.answer._tag === "Refused"
    ? `\n\nThe entity answered with an error: ${view.answer.error}`
    : `\n\nThe entity could not be reached: ${view.answer.reason}. Shown is what Postgres has.`
  return report(`${head}\n\n${state}${note}`, {
    type: view.type,
    entityId: view.entityId,
    shard: view.shard,
    owner: view.owner ?? null,
    postgres: view.stored,
    entity: view.answer._tag === "Answered"
      ? { reached: true, state: view.answer.state }
      : view.answer._tag === "Refused"
      ? { reached: true, error: view.answer.error }
      : { reached: false, reason: view.answer.reason }
  })
}
