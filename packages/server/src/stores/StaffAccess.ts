import { CurrentStaff } from "@qc/domain/Api"
import { Forbidden } from "@qc/domain/Errors"
import type { Context } from "effect"
import { Effect } from "effect"

export type StaffMember = Context.Tag.Service<CurrentStaff>

/**
 * The staff member calling, if their token is for `storeId` (the store in the path);
 * 403 otherwise: a picker of Baner may not read or change Aundh's queue.
 */
export const requireStore = (storeId: string): Effect.Effect<StaffMember, Forbidden, CurrentStaff> =>
  Effect.flatMap(CurrentStaff, (staff) =>
    staff.storeId === storeId
      ? Effect.succeed(staff)
      : Effect.fail(new Forbidden({ message: `this token is for store ${staff.storeId}` })))

/** As `requireStore`, and the caller must be that store's manager (403 for a picker). */
export const requireManager = (storeId: string): Effect.Effect<StaffMember, Forbidden, CurrentStaff> =>
  Effect.filterOrFail(
    requireStore(storeId),
    (staff) => staff.role === "store_manager",
    () => new Forbidden({ message: `only the store manager of ${storeId} may do this` })
  )
