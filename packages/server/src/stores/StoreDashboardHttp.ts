import { HttpApiBuilder } from "@effect/platform"
import { Api, CurrentStaff } from "@qc/domain/Api"
import { Forbidden, StoreNotFound } from "@qc/domain/Errors"
import type { StoreId } from "@qc/domain/Ids"
import { DashboardRepo } from "@qc/entities/stores/DashboardRepo"
import { Clock, Config, Effect, Layer, Option } from "effect"

/** The packing SLA the page counts down against (the Store entity's timers use the same setting). */
const packingSlaSeconds = Config.integer("PACKING_SLA_SECONDS").pipe(Config.withDefault(480))

/**
 * Only the manager of this very store reads its dashboard: a picker, or a manager of another
 * store, gets 403. (A stand-in until `requireManager` of `StaffAccess.ts` lands.)
 */
const managerOf = (storeId: StoreId) =>
  Effect.flatMap(CurrentStaff, (staff) =>
    staff.role !== "store_manager"
      ? Effect.fail(new Forbidden({ message: "only a store manager may read the dashboard" }))
      : staff.storeId !== storeId
      ? Effect.fail(new Forbidden({ message: `this token is for store ${staff.storeId}, not ${storeId}` }))
      : Effect.succeed(staff))

export const StoreDashboardHttpLive = HttpApiBuilder.group(Api, "storeDashboard", (handlers) =>
  Effect.gen(function*() {
    const repo = yield* DashboardRepo
    const slaSeconds = yield* Effect.orDie(packingSlaSeconds)
    return handlers.handle("dashboard", ({ path }) =>
      Effect.gen(function*() {
        yield* managerOf(path.storeId)
        const now = yield* Clock.currentTimeMillis
        const dashboard = yield* repo.dashboard(path.storeId, now, slaSeconds)
        return yield* Option.match(dashboard, {
          onNone: () => Effect.fail(new StoreNotFound({ storeId: path.storeId })),
          onSome: Effect.succeed
        })
      }))
  })).pipe(Layer.provide(DashboardRepo.Default))
