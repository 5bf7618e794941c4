import { RiderAuth, StaffAuth } from "@qc/domain/Api"
import { Unauthorized } from "@qc/domain/Errors"
import { Effect, Layer } from "effect"

const notYet = () => Effect.fail(new Unauthorized({ message: "staff and rider tokens are not accepted yet" }))

export const StaffAuthLive = Layer.succeed(StaffAuth, StaffAuth.of({ bearer: notYet }))
export const RiderAuthLive = Layer.succeed(RiderAuth, RiderAuth.of({ bearer: notYet }))
