import { HttpApiBuilder } from "@effect/platform"
import { Api, CurrentCustomer } from "@qc/domain/Api"
import { Loyalty } from "@qc/entities/customers/Loyalty"
import { Effect } from "effect"

export const LoyaltyHttpLive = HttpApiBuilder.group(Api, "loyalty", (handlers) =>
  Effect.gen(function*() {
    const loyalty = yield* Loyalty
    return handlers.handle("balance", () => Effect.flatMap(CurrentCustomer, loyalty.balance))
  }))
