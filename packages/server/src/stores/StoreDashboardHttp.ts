import { HttpApiBuilder } from "@effect/platform"
import { Api } from "@qc/domain/Api"
import { StoreNotFound } from "@qc/domain/Errors"
import { FulfilmentSettings } from "@qc/entities/orders/FulfilmentSettings"
import { DashboardRepo } from "@qc/entities/stores/DashboardRepo"
import { Clock, Effect, Layer, Option } from "effect"
import { requireManager } from "./StaffAccess.js"

/** The store manager's dashboard data: only the manager of this very store (a picker, or another store's staff: 403). */
export const StoreDashboardHttpLive = HttpApiBuilder.group(Api, "storeDashboard", (handlers) =>
  Effect.gen(function*() {
    const repo = yield* DashboardRepo
    // The SLA the orders' timers run on, so the page counts down to the same instant.
    const slaSeconds = Math.round((yield* FulfilmentSettings).packingSlaMs / 1000)
    return handlers.handle("dashboard", ({ path }) =>
      Effect.gen(function*() {
        yield* requireManager(path.storeId)
        const now = yield* Clock.currentTimeMillis
        const dashboard = yield* repo.dashboard(path.storeId, now, slaSeconds)
        return yield* Option.match(dashboard, {
          onNone: () => Effect.fail(new StoreNotFound({ storeId: path.storeId })),
          onSome: Effect.succeed
        })
      }))
  })).pipe(Layer.provide(DashboardRepo.Default))
