import { ClusterSchema, Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { Schema } from "effect"
import { InvalidInput, ServiceUnavailable, StoreNotFound } from "../Errors.js"
import { OrderNotFound } from "../orders/Order.js"
import { NotOnShift, PickConflict, PickLineInvalid } from "./FulfilmentErrors.js"
import { regionOfStore } from "./Regions.js"
import { PickLine, PickTask, StoreSettings, StoreSettingsUpdate } from "./StoreOps.js"

const NotCommitted = [InvalidInput, ServiceUnavailable] as const

/** A store's state for the store app: its settings, pickers on shift and its open pick queue (placement order). */
export const StoreView = Schema.Struct({
  settings: StoreSettings,
  onShift: Schema.Array(Schema.String),
  queue: Schema.Array(PickTask)
})
export type StoreView = typeof StoreView.Type

/**
 * One dark store; entity id `{storeId}`. The single writer of its operations: settings (pincodes,
 * IST hours, the open switch), pickers on shift and the pick queue. Each command commits its row
 * before it answers, and is idempotent on the entity's state (an order enqueued twice is one task,
 * a claim by the picker who holds it answers the task again), so a retried message changes
 * nothing twice. Its shard group is the store's region.
 */
export const StoreEntity = Entity.make("Store", [
  Rpc.make("Get", { success: StoreView, error: Schema.Union(StoreNotFound, ...NotCommitted) }),
  Rpc.make("Configure", { payload: StoreSettingsUpdate.fields, success: StoreSettings, error: Schema.Union(StoreNotFound, ...NotCommitted) }),
  /**
   * A confirmed order's lines at this store join the queue; answers the task, picked by an
   * on-shift picker with nothing in hand when there is one (auto-assignment).
   */
  Rpc.make("Enqueue", {
    payload: {
      orderId: Schema.String,
      lines: Schema.Array(PickLine),
      placedAt: Schema.Number,
      confirmedAt: Schema.Number,
      slaDueAt: Schema.Number
    },
    success: PickTask,
    error: Schema.Union(StoreNotFound, ...NotCommitted)
  }),
  /** A picker takes a queued task (the same picker again: answered again). */
  Rpc.make("Claim", {
    payload: { orderId: Schema.String, pickerId: Schema.String },
    success: PickTask,
    error: Schema.Union(StoreNotFound, OrderNotFound, PickConflict, NotOnShift, ...NotCommitted)
  }),
  /**
   * The picker holding the task counts `picked` units of line `lineNo` into the tote (0..qty).
   * Another picker, or a task not being picked: PickConflict.
   */
  Rpc.make("Pick", {
    payload: { orderId: Schema.String, pickerId: Schema.String, lineNo: Schema.Int, picked: Schema.Int },
    success: PickTask,
    error: Schema.Union(StoreNotFound, OrderNotFound, PickConflict, PickLineInvalid, ...NotCommitted)
  }),
  /** The task leaves the queue: packed, or its order cancelled. Harmless when gone already. */
  Rpc.make("Finish", {
    payload: { orderId: Schema.String, status: Schema.Literal("packed", "cancelled") },
    error: Schema.Union(StoreNotFound, ...NotCommitted)
  }),
  /** Packing passed its SLA: the task carries the alert for the manager. */
  Rpc.make("MarkBreached", { payload: { orderId: Schema.String, at: Schema.Number }, error: Schema.Union(StoreNotFound, ...NotCommitted) }),
  Rpc.make("Shift", {
    payload: { staffId: Schema.String, onShift: Schema.Boolean },
    error: Schema.Union(StoreNotFound, ...NotCommitted)
  })
]).annotate(ClusterSchema.ShardGroup, regionOfStore)
