import type { Rider, RiderAssignment, RiderStatusUpdate } from "@qc/domain/stores/Riders"
import type { Effect, Option } from "effect"
import { Context, Data } from "effect"

export interface DispatchRequest {
  readonly orderId: string
  readonly storeId: string
  readonly region: string
  readonly lat: number
  readonly lng: number
}

export class RiderDispatchUnavailable extends Data.TaggedError("RiderDispatchUnavailable")<{ readonly message: string }> {}

export class RiderDispatch extends Context.Tag("RiderDispatch")<RiderDispatch, {
  readonly assign: (req: DispatchRequest) => Effect.Effect<Option.Option<RiderAssignment>, RiderDispatchUnavailable>
  readonly release: (orderId: string) => Effect.Effect<void, RiderDispatchUnavailable>
  readonly setStatus: (riderId: string, update: RiderStatusUpdate) => Effect.Effect<Option.Option<Rider>, RiderDispatchUnavailable>
  readonly rider: (riderId: string) => Effect.Effect<Option.Option<Rider>, RiderDispatchUnavailable>
  readonly riderOf: (orderId: string) => Effect.Effect<Option.Option<Rider>, RiderDispatchUnavailable>
  readonly ridersOfStore: (storeId: string) => Effect.Effect<ReadonlyArray<Rider>, RiderDispatchUnavailable>
}>() {}
