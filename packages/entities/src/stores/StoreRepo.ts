import { SqlClient } from "@effect/sql"
import { domainEvent } from "@qc/domain/events/DomainEvent"
import type { NewStore, PickTaskStatus, StoreSettingsUpdate } from "@qc/domain/stores/StoreOps"
import { OpeningHours, PickLine, StoreSettings } from "@qc/domain/stores/StoreOps"
import { isOpen } from "./OpeningHours.js"
import { StoreId } from "@qc/domain/Ids"
import { Effect, Option, Schema } from "effect"
import { DomainEvents } from "../platform/DomainEvents.js"
import { EpochMillisFromTimestamp, JsonColumn } from "../platform/SqlValues.js"

/** A store's settings row. */
export interface StoreRow {
  readonly id: string
  readonly name: string
  readonly region: string
  readonly pincodes: ReadonlyArray<string>
  readonly lat: number
  readonly lng: number
  readonly hours: OpeningHours | null
  readonly accepting: boolean
}

/** A pick task as the Store entity keeps it (times in epoch ms). */
export interface TaskRow {
  readonly orderId: string
  readonly status: PickTaskStatus
  readonly pickerId: string | null
  readonly lines: ReadonlyArray<PickLine>
  readonly placedAt: number
  readonly confirmedAt: number
  readonly slaDueAt: number
  readonly breachedAt: number | null
}

/** What the Store entity loads: settings, who is on shift, the open tasks in placement order. */
export interface LoadedStore {
  readonly store: StoreRow
  readonly onShift: ReadonlyArray<string>
  readonly tasks: ReadonlyArray<TaskRow>
}

const StoreRowSchema = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  region: Schema.String,
  pincodes: Schema.Array(Schema.String),
  lat: Schema.Number,
  lng: Schema.Number,
  hours: Schema.NullOr(JsonColumn(OpeningHours)),
  accepting: Schema.Boolean
})

const TaskRowSchema = Schema.Struct({
  order_id: Schema.String,
  status: Schema.Literal("queued", "picking", "packed", "cancelled"),
  picker_id: Schema.NullOr(Schema.String),
  lines: JsonColumn(Schema.Array(PickLine)),
  placed_at: EpochMillisFromTimestamp,
  confirmed_at: EpochMillisFromTimestamp,
  sla_due_at: EpochMillisFromTimestamp,
  breached_at: Schema.NullOr(EpochMillisFromTimestamp)
})

const decodeStore = Schema.decodeUnknownSync(StoreRowSchema)
const decodeTaskRow = Schema.decodeUnknownSync(TaskRowSchema)

/** A `pick_tasks` row as the entity keeps it. */
const decodeTask = (row: unknown): TaskRow => {
  const r = decodeTaskRow(row)
  return {
    orderId: r.order_id,
    status: r.status,
    pickerId: r.picker_id,
    lines: r.lines,
    placedAt: r.placed_at,
    confirmedAt: r.confirmed_at,
    slaDueAt: r.sla_due_at,
    breachedAt: r.breached_at
  }
}

/**
 * SQL of the Store entity: its settings row, staff shifts and pick tasks. The entity is the only
 * writer; a settings change publishes `store.updated` in its transaction, so every runner's
 * catalogue (store routing) reloads.
 */
export class StoreRepo extends Effect.Service<StoreRepo>()("StoreRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events = yield* DomainEvents

    const load = Effect.fn("StoreRepo.load")(function*(storeId: string) {
      const [row] = yield* sql`SELECT id, name, region, pincodes, lat, lng, hours, accepting FROM stores WHERE id = ${storeId}`
      if (row === undefined) return Option.none()
      const onShift = yield* sql<{ id: string }>`SELECT id FROM store_staff WHERE store_id = ${storeId} AND on_shift ORDER BY id`
      const tasks = yield* sql`
        SELECT order_id, status, picker_id, lines, placed_at, confirmed_at, sla_due_at, breached_at FROM pick_tasks
        WHERE store_id = ${storeId} AND status IN ('queued', 'picking') ORDER BY placed_at, order_id`
      return Option.some<LoadedStore>({
        store: decodeStore(row),
        onShift: onShift.map((s) => s.id),
        tasks: tasks.map(decodeTask)
      })
    }, Effect.orDie)

    /** A task finished earlier (packed or cancelled), for a repeated Enqueue or Finish. */
    const finishedTask = (storeId: string, orderId: string) =>
      sql`SELECT order_id, status, picker_id, lines, placed_at, confirmed_at, sla_due_at, breached_at FROM pick_tasks
          WHERE store_id = ${storeId} AND order_id = ${orderId}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), decodeTask)),
        Effect.orDie
      )

    const saveSettings = (store: StoreRow, at: number) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`UPDATE stores SET name = ${store.name}, pincodes = ${[...store.pincodes]},
          hours = ${store.hours === null ? null : JSON.stringify(store.hours)}::jsonb, accepting = ${store.accepting}
          WHERE id = ${store.id}`
        yield* events.publish([domainEvent("store.updated", store.id, { storeId: StoreId.make(store.id) })])
      })).pipe(Effect.withSpan("StoreRepo.saveSettings", { attributes: { at } }), Effect.orDie)

    /** Answers false when the id is taken. */
    const create = (store: NewStore) =>
      sql.withTransaction(Effect.gen(function*() {
        const inserted = yield* sql`INSERT INTO stores (id, name, locality, region, pincodes, lat, lng, hours, accepting, position)
          VALUES (${store.id}, ${store.name}, ${store.locality}, ${store.region}, ${[...store.pincodes]}, ${store.lat}, ${store.lng},
                  ${store.hours ? JSON.stringify(store.hours) : null}::jsonb, ${store.accepting ?? true},
                  (SELECT COALESCE(max(position), 0) + 1 FROM stores))
          ON CONFLICT (id) DO NOTHING RETURNING id`
        if (inserted.length === 0) return false
        yield* events.publish([domainEvent("store.updated", store.id, { storeId: store.id })])
        return true
      })).pipe(Effect.orDie)

    const saveTask = (storeId: string, t: TaskRow, at: number) =>
      sql`INSERT INTO pick_tasks (order_id, store_id, status, picker_id, lines, placed_at, confirmed_at, sla_due_at, breached_at, updated_at)
        VALUES (${t.orderId}, ${storeId}, ${t.status}, ${t.pickerId}, ${JSON.stringify(t.lines)}::jsonb, ${new Date(t.placedAt)},
                ${new Date(t.confirmedAt)}, ${new Date(t.slaDueAt)}, ${t.breachedAt === null ? null : new Date(t.breachedAt)}, ${new Date(at)})
        ON CONFLICT (order_id, store_id) DO UPDATE SET status = EXCLUDED.status, picker_id = EXCLUDED.picker_id,
          lines = EXCLUDED.lines, breached_at = EXCLUDED.breached_at, updated_at = EXCLUDED.updated_at`.pipe(Effect.asVoid, Effect.orDie)

    const setShift = (storeId: string, staffId: string, onShift: boolean) =>
      sql`UPDATE store_staff SET on_shift = ${onShift} WHERE id = ${staffId} AND store_id = ${storeId} RETURNING id`.pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie
      )

    return { load, finishedTask, saveSettings, create, saveTask, setShift } as const
  })
}) {}

/** A settings row as the store app and the dashboard show it, with whether it is open at `now`. */
export const toSettings = (store: StoreRow, now: number) =>
  new StoreSettings({
    storeId: StoreId.make(store.id),
    name: store.name,
    region: store.region,
    pincodes: store.pincodes,
    lat: store.lat,
    lng: store.lng,
    hours: store.hours,
    accepting: store.accepting,
    openNow: isOpen(store, now)
  })

/** Applies an admin's change to a settings row. */
export const updatedStore = (store: StoreRow, update: StoreSettingsUpdate): StoreRow => ({
  ...store,
  ...(update.name === undefined ? {} : { name: update.name }),
  ...(update.pincodes === undefined ? {} : { pincodes: update.pincodes }),
  ...(update.hours === undefined ? {} : { hours: update.hours }),
  ...(update.accepting === undefined ? {} : { accepting: update.accepting })
})
