import { domainEvent } from "@qc/domain/events/DomainEvent"
import { StoreId } from "@qc/domain/Ids"
import { Paise } from "@qc/domain/Money"
import type { Fulfilment } from "@qc/domain/orders/Fulfilment"
import type { OrderState } from "@qc/domain/orders/OrderEntity"
import { OrderStateConflict, PackedReportInvalid } from "@qc/domain/stores/FulfilmentErrors"
import type { PackedReport } from "@qc/domain/stores/StoreOps"
import { Clock, Effect } from "effect"
import type { OrderCommands } from "./OrderCommands.js"
import type { FulfilmentSettings } from "./FulfilmentSettings.js"
import { packedAtStore, refundedOn, shortPick } from "./FulfilmentRules.js"

const conflict = (s: OrderState, attempted: string) => new OrderStateConflict({ orderId: s.orderId, status: s.status, attempted })

/**
 * The commands of a paid order on its way to the door, from the store app, the WMS, the rider
 * app and ops. Each is decided on the order's state (so a duplicate or late report changes
 * nothing), persisted with its timeline entry and event, then `proceed` runs what the new state
 * needs (steps, timers).
 */
export const makeOrderFulfilment = <E>(
  orderId: string,
  order: OrderCommands,
  settings: FulfilmentSettings["Type"],
  proceed: Effect.Effect<OrderState, E>
) => {
  const fulfilmentOf = (s: OrderState, attempted: string) =>
    s.fulfilment === null ? Effect.fail(conflict(s, attempted)) : Effect.succeed(s.fulfilment)

  const toPicking = (s: OrderState, f: Fulfilment, storeId: string, pickerId: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => order.transition({
      from: ["CONFIRMED"],
      to: "PICKING",
      reason: null,
      events: [domainEvent("order.picking", orderId, { orderId: s.orderId, storeId: StoreId.make(storeId), pickerId })],
      fulfilment: { ...f, settled: null },
      due: at
    }))

  const startPicking = (storeId: string, pickerId: string) =>
    Effect.gen(function*() {
      const s = (yield* order.existing).state
      if (s.status !== "CONFIRMED" && s.status !== "PICKING") {
        return ["PACKED", "RIDER_ASSIGNED", "OUT_FOR_DELIVERY", "DELIVERED"].includes(s.status) ? s : yield* Effect.fail(conflict(s, "start picking"))
      }
      const f = yield* fulfilmentOf(s, "start picking")
      const part = f.parts.find((p) => p.storeId === storeId)
      if (part === undefined) return yield* Effect.fail(conflict(s, `start picking at ${storeId}`))
      if (part.status !== "queued") return s
      const next: Fulfilment = { ...f, parts: f.parts.map((p) => (p.storeId === storeId ? { ...p, status: "picking" as const, pickerId } : p)) }
      if (s.status === "CONFIRMED") yield* toPicking(s, next, storeId, pickerId)
      else yield* order.setFulfilment(next, { step: `picking at ${storeId} by ${pickerId}` })
      return yield* proceed
    })

  const packed = (storeId: string, report: PackedReport, by: string) =>
    Effect.gen(function*() {
      let s = (yield* order.existing).state
      const done = ["PACKED", "RIDER_ASSIGNED", "OUT_FOR_DELIVERY", "DELIVERED"].includes(s.status)
      if (done) return s
      if (s.status !== "CONFIRMED" && s.status !== "PICKING") return yield* Effect.fail(conflict(s, "pack"))
      const f = yield* fulfilmentOf(s, "pack")
      const part = f.parts.find((p) => p.storeId === storeId)
      if (part === undefined) return yield* Effect.fail(new PackedReportInvalid({ message: `order ${s.orderId} has no lines at ${storeId}` }))
      if (part.status === "packed") return s
      const counted = packedAtStore(s.lines, storeId, report.lines)
      if ("invalid" in counted) return yield* Effect.fail(new PackedReportInvalid({ message: counted.invalid }))
      const at = yield* Clock.currentTimeMillis
      if (s.status === "CONFIRMED") {
        yield* toPicking(s, f, storeId, part.pickerId ?? by)
        s = (yield* order.existing).state
      }
      const parts = f.parts.map((p) => (p.storeId === storeId ? { ...p, status: "packed" as const, pickerId: p.pickerId ?? by, packedAt: at } : p))
      const packedLines = [...f.packed.filter((p) => !counted.packed.some((c) => c.lineNo === p.lineNo)), ...counted.packed]
      if (!parts.every((p) => p.status === "packed")) {
        yield* order.setFulfilment({ ...(s.fulfilment ?? f), parts, packed: packedLines }, { step: `packed at ${storeId}` })
        return yield* proceed
      }
      const short = shortPick(s.lines, packedLines)
      yield* order.transition({
        from: ["PICKING"],
        to: "PACKED",
        reason: short.units > 0 ? `short_pick: ${short.units} unit(s) missing` : null,
        events: [domainEvent("order.packed", orderId, { orderId: s.orderId, shortUnits: short.units, shortRefund: Paise.make(short.refund) })],
        fulfilment: { ...(s.fulfilment ?? f), parts, packed: packedLines, shortRefund: short.refund, packedAt: at, nextRiderAttemptAt: at, settled: null },
        due: at
      })
      return yield* proceed
    })

  const pickedUp = (riderId: string) =>
    Effect.gen(function*() {
      const s = (yield* order.existing).state
      const f = yield* fulfilmentOf(s, "pick up")
      if (f.rider?.riderId !== riderId) return yield* Effect.fail(conflict(s, "pick up: another rider's order"))
      if (s.status === "OUT_FOR_DELIVERY" || s.status === "DELIVERED") return s
      if (s.status !== "RIDER_ASSIGNED") return yield* Effect.fail(conflict(s, "pick up"))
      const at = yield* Clock.currentTimeMillis
      const due = at + settings.deliveryTimeoutMs
      yield* order.transition({
        from: ["RIDER_ASSIGNED"],
        to: "OUT_FOR_DELIVERY",
        reason: null,
        events: [domainEvent("order.dispatched", orderId, { orderId: s.orderId, riderId })],
        fulfilment: { ...f, pickedUpAt: at, deliveryDueAt: due, settled: "OUT_FOR_DELIVERY" },
        due
      })
      return (yield* order.existing).state
    })

  const delivered = (riderId: string) =>
    Effect.gen(function*() {
      let s = (yield* order.existing).state
      if (s.fulfilment?.rider?.riderId !== riderId) return yield* Effect.fail(conflict(s, "deliver: another rider's order"))
      if (s.status === "DELIVERED") return s
      // Reported before the pick-up (events out of order): the pick-up happened.
      if (s.status === "RIDER_ASSIGNED") s = yield* pickedUp(riderId)
      if (s.status !== "OUT_FOR_DELIVERY") return yield* Effect.fail(conflict(s, "deliver"))
      const r = yield* order.existing
      const f = yield* fulfilmentOf(s, "deliver")
      const at = yield* Clock.currentTimeMillis
      const paid = s.total - (s.paymentId === null ? 0 : refundedOn(r.refunds, s.paymentId))
      yield* order.transition({
        from: ["OUT_FOR_DELIVERY"],
        to: "DELIVERED",
        reason: null,
        events: [domainEvent("order.delivered", orderId, { orderId: s.orderId, customerId: s.customerId, paid: Paise.make(paid) })],
        fulfilment: { ...f, deliveredAt: at, settled: null },
        due: at
      })
      return yield* proceed
    })

  const undeliverable = (reason: string, stock: "restock" | "write_off") =>
    Effect.gen(function*() {
      const s = (yield* order.existing).state
      if (s.status === "UNDELIVERABLE") return s
      if (s.status !== "OUT_FOR_DELIVERY") return yield* Effect.fail(conflict(s, "mark undeliverable (only after pick-up)"))
      const f = yield* fulfilmentOf(s, "mark undeliverable")
      const at = yield* Clock.currentTimeMillis
      yield* order.transition({
        from: ["OUT_FOR_DELIVERY"],
        to: "UNDELIVERABLE",
        reason,
        events: [domainEvent("order.undeliverable", orderId, { orderId: s.orderId, reason, stock })],
        fulfilment: { ...f, undeliverable: { reason, stock }, settled: null },
        due: at
      })
      return yield* proceed
    })

  return { startPicking, packed, pickedUp, delivered, undeliverable } as const
}
