import { Entity } from "@effect/cluster"
import { ServiceUnavailable, StoreNotFound } from "@qc/domain/Errors"
import { StoreId } from "@qc/domain/Ids"
import { OrderId, OrderNotFound } from "@qc/domain/orders/Order"
import { NotOnShift, PickConflict, PickLineInvalid } from "@qc/domain/stores/FulfilmentErrors"
import { StoreEntity } from "@qc/domain/stores/StoreEntity"
import { PickTask, StaffId } from "@qc/domain/stores/StoreOps"
import { Clock, DateTime, Effect, Option } from "effect"
import type { LoadedStore, TaskRow } from "./StoreRepo.js"
import { StoreRepo, toSettings, updatedStore } from "./StoreRepo.js"

const unavailable = new ServiceUnavailable({ message: "the store could not save the change; retry" })

export const toPickTask = (storeId: string, t: TaskRow) =>
  new PickTask({
    orderId: OrderId.make(t.orderId),
    storeId: StoreId.make(storeId),
    status: t.status,
    pickerId: t.pickerId === null ? null : StaffId.make(t.pickerId),
    lines: t.lines,
    placedAt: DateTime.unsafeMake(t.placedAt),
    confirmedAt: DateTime.unsafeMake(t.confirmedAt),
    slaDueAt: DateTime.unsafeMake(t.slaDueAt),
    breachedAt: t.breachedAt === null ? null : DateTime.unsafeMake(t.breachedAt)
  })

/**
 * The Store behaviour: settings, shifts and the open pick queue in memory, one command at a
 * time; each change is written before memory takes it (a failed write reloads memory from
 * Postgres before the next command).
 */
export const StoreLive = StoreEntity.toLayer(
  Effect.gen(function*() {
    const storeId = (yield* Entity.CurrentAddress).entityId
    const repo = yield* StoreRepo
    const lock = yield* Effect.makeSemaphore(1)
    let state: Option.Option<LoadedStore> = yield* repo.load(storeId)
    let stale = false

    const current = Effect.gen(function*() {
      if (stale || Option.isNone(state)) {
        state = yield* repo.load(storeId)
        stale = false
      }
      return yield* Option.match(state, {
        onNone: () => Effect.fail(new StoreNotFound({ storeId })),
        onSome: (s) => Effect.succeed(s)
      })
    })
    /** A write that fails leaves memory to be reloaded and answers 503. */
    const write = <A>(effect: Effect.Effect<A>) =>
      Effect.catchAllDefect(effect, (defect) =>
        Effect.zipRight(
          Effect.sync(() => {
            stale = true
          }),
          Effect.zipRight(Effect.logWarning(`store ${storeId}: change not saved`, defect), Effect.fail(unavailable))
        ))
    const serial = <A, E>(effect: Effect.Effect<A, E>) => lock.withPermits(1)(effect)
    /** The order's task in the queue; a finished one is a PickConflict naming how it ended, none at all 404. */
    const openTask = (s: LoadedStore, orderId: string) =>
      Effect.gen(function*() {
        const task = s.tasks.find((t) => t.orderId === orderId)
        if (task !== undefined) return task
        const done = yield* repo.finishedTask(storeId, orderId)
        return yield* Option.match(done, {
          onNone: () => Effect.fail(new OrderNotFound({ orderId })),
          onSome: (d) => Effect.fail(new PickConflict({ orderId, status: d.status, pickerId: d.pickerId }))
        })
      })
    const replaceTask = (s: LoadedStore, task: TaskRow): LoadedStore => ({
      ...s,
      tasks: [...s.tasks.filter((t) => t.orderId !== task.orderId), task].sort((a, b) => a.placedAt - b.placedAt || a.orderId.localeCompare(b.orderId))
    })

    return StoreEntity.of({
      Get: () =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const now = yield* Clock.currentTimeMillis
          return { settings: toSettings(s.store, now), onShift: s.onShift, queue: s.tasks.map((t) => toPickTask(storeId, t)) }
        })),
      Configure: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const now = yield* Clock.currentTimeMillis
          const store = updatedStore(s.store, payload)
          yield* write(repo.saveSettings(store, now))
          state = Option.some({ ...s, store })
          return toSettings(store, now)
        })),
      Enqueue: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const open = s.tasks.find((t) => t.orderId === payload.orderId)
          if (open) return toPickTask(storeId, open)
          const done = yield* repo.finishedTask(storeId, payload.orderId)
          if (Option.isSome(done)) return toPickTask(storeId, done.value)
          const busy = new Set(s.tasks.flatMap((t) => (t.status === "picking" && t.pickerId !== null ? [t.pickerId] : [])))
          const free = s.onShift.find((id) => !busy.has(id))
          const task: TaskRow = {
            orderId: payload.orderId,
            status: free === undefined ? "queued" : "picking",
            pickerId: free ?? null,
            lines: payload.lines,
            placedAt: payload.placedAt,
            confirmedAt: payload.confirmedAt,
            slaDueAt: payload.slaDueAt,
            breachedAt: null
          }
          yield* write(repo.saveTask(storeId, task, yield* Clock.currentTimeMillis))
          state = Option.some(replaceTask(s, task))
          return toPickTask(storeId, task)
        })),
      Claim: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const task = yield* openTask(s, payload.orderId)
          if (task.status === "picking") {
            if (task.pickerId === payload.pickerId) return toPickTask(storeId, task)
            return yield* Effect.fail(new PickConflict({ orderId: task.orderId, status: task.status, pickerId: task.pickerId }))
          }
          if (!s.onShift.includes(payload.pickerId)) return yield* Effect.fail(new NotOnShift({ staffId: payload.pickerId }))
          const next: TaskRow = { ...task, status: "picking", pickerId: payload.pickerId }
          yield* write(repo.saveTask(storeId, next, yield* Clock.currentTimeMillis))
          state = Option.some(replaceTask(s, next))
          return toPickTask(storeId, next)
        })),
      Pick: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const task = yield* openTask(s, payload.orderId)
          if (task.status !== "picking" || task.pickerId !== payload.pickerId) {
            return yield* Effect.fail(new PickConflict({ orderId: task.orderId, status: task.status, pickerId: task.pickerId }))
          }
          const line = task.lines.find((l) => l.lineNo === payload.lineNo)
          if (line === undefined) {
            return yield* Effect.fail(new PickLineInvalid({ lineNo: payload.lineNo, message: `order ${task.orderId} has no line ${payload.lineNo} at this store` }))
          }
          if (payload.picked > line.qty) {
            return yield* Effect.fail(new PickLineInvalid({ lineNo: payload.lineNo, message: `line ${payload.lineNo} is ${line.qty} unit(s); ${payload.picked} picked is more` }))
          }
          if (line.picked === payload.picked) return toPickTask(storeId, task)
          const next: TaskRow = { ...task, lines: task.lines.map((l) => (l.lineNo === payload.lineNo ? { ...l, picked: payload.picked } : l)) }
          yield* write(repo.saveTask(storeId, next, yield* Clock.currentTimeMillis))
          state = Option.some(replaceTask(s, next))
          return toPickTask(storeId, next)
        })),
      Finish: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const task = s.tasks.find((t) => t.orderId === payload.orderId)
          if (task === undefined) return
          yield* write(repo.saveTask(storeId, { ...task, status: payload.status }, yield* Clock.currentTimeMillis))
          state = Option.some({ ...s, tasks: s.tasks.filter((t) => t.orderId !== payload.orderId) })
        })),
      MarkBreached: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const task = s.tasks.find((t) => t.orderId === payload.orderId)
          if (task === undefined || task.breachedAt !== null) return
          const next = { ...task, breachedAt: payload.at }
          yield* write(repo.saveTask(storeId, next, yield* Clock.currentTimeMillis))
          state = Option.some(replaceTask(s, next))
        })),
      Shift: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const known = yield* write(repo.setShift(storeId, payload.staffId, payload.onShift))
          if (!known) return
          const others = s.onShift.filter((id) => id !== payload.staffId)
          state = Option.some({ ...s, onShift: payload.onShift ? [...others, payload.staffId].sort() : others })
        }))
    })
  }),
  { maxIdleTime: "30 minutes", disableFatalDefects: true }
)
