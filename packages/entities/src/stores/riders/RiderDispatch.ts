import type { Rider, RiderAssignment, RiderStatusUpdate } from "@qc/domain/stores/Riders"
import { Context, Data } from "effect"
import type { Effect, Option } from "effect"

/** An order ready to leave a store, asking for a rider. */
export interface DispatchRequest {
  readonly orderId: string
  readonly storeId: string
  /** The store's region: riders of other regions are never sent. */
  readonly region: string
  /** The store's position (where the rider picks up), not the customer's. */
  readonly lat: number
  readonly lng: number
}

/** The dispatcher could not be asked (the DMS is down or answered nonsense); try again later. */
export class RiderDispatchUnavailable extends Data.TaggedError("RiderDispatchUnavailable")<{ readonly message: string }> {}

/**
 * Who delivers an order. Two implementations: a simulated fleet in our own tables
 * (`RiderDispatchLocal`) and a delivery-management system over HTTP (`RiderDispatchHttp`);
 * `RiderDispatchFromConfig` picks one.
 */
export class RiderDispatch extends Context.Tag("RiderDispatch")<RiderDispatch, {
  /**
   * The nearest free online rider (same region, within max distance, fewer open orders than the
   * batch size) by haversine distance to the store; ETA from distance and speed. Idempotent per
   * orderId: an order with an open assignment gets that same assignment back. None when no rider
   * is free.
   */
  readonly assign: (req: DispatchRequest) => Effect.Effect<Option.Option<RiderAssignment>, RiderDispatchUnavailable>
  /** Closes the order's open assignment (delivered, cancelled, undeliverable); harmless when there is none. */
  readonly release: (orderId: string) => Effect.Effect<void, RiderDispatchUnavailable>
  /** A rider goes online/offline at a position; None for an unknown rider. Going offline keeps open assignments. */
  readonly setStatus: (riderId: string, update: RiderStatusUpdate) => Effect.Effect<Option.Option<Rider>, RiderDispatchUnavailable>
  readonly rider: (riderId: string) => Effect.Effect<Option.Option<Rider>, RiderDispatchUnavailable>
  /** The rider holding the order's open assignment, if any. */
  readonly riderOf: (orderId: string) => Effect.Effect<Option.Option<Rider>, RiderDispatchUnavailable>
  /** Riders whose home store is this one, for the store dashboard. */
  readonly ridersOfStore: (storeId: string) => Effect.Effect<ReadonlyArray<Rider>, RiderDispatchUnavailable>
}>() {}
