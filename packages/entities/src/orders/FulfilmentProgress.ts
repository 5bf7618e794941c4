import { domainEvent } from "@qc/domain/events/DomainEvent"
import { StoreId } from "@qc/domain/Ids"
import type { Fulfilment } from "@qc/domain/orders/Fulfilment"
import type { OrderCommandEvent, OrderState } from "@qc/domain/orders/OrderEntity"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { DateTime, Effect, Option } from "effect"
import type { OrderCommands } from "./OrderCommands.js"
import type { OrderRecord } from "./OrderRecord.js"
import type { OrderSteps } from "./OrderSteps.js"
import type { FulfilmentSettings } from "./FulfilmentSettings.js"
import type { FulfilmentSteps } from "./FulfilmentSteps.js"
import { nextTimer, refundedOn, unitsHeld } from "./FulfilmentRules.js"

/**
 * What a paid order still needs after CONFIRMED, run by the order's timer (and at once after each
 * decision): first the entry steps of its status (`settled` says they are done), then whichever
 * timer is due (packing SLA, rider retry and escalation, delivery wait). Every step is keyed, so
 * running this again after a crash half-way changes nothing twice.
 */
export const makeFulfilmentProgress = (
  orderId: string,
  order: OrderCommands,
  steps: OrderSteps["Type"],
  ful: FulfilmentSteps["Type"],
  settings: FulfilmentSettings["Type"]
) => {
  const dueAfter = (s: OrderState, f: Fulfilment) => nextTimer(s.status, f)
  const save = (s: OrderState, f: Fulfilment, events: ReadonlyArray<OrderCommandEvent> = [], step?: string) =>
    order.setFulfilment(f, { due: dueAfter(s, f), events, ...(step === undefined ? {} : { step }) })

  const enqueueAll = (s: OrderState, f: Fulfilment) =>
    Effect.gen(function*() {
      const parts = yield* Effect.forEach(f.parts, (part) =>
        part.status !== "queued" ? Effect.succeed(part) : ful.enqueue(part.storeId, {
          orderId,
          lines: s.lines.filter((l) => l.storeId === part.storeId).map((l) => ({ lineNo: l.lineNo, skuId: l.skuId, qty: l.qty, picked: 0 })),
          placedAt: DateTime.toEpochMillis(s.placedAt),
          confirmedAt: f.confirmedAt,
          slaDueAt: f.slaDueAt
        }).pipe(Effect.map((task) => task.status === "picking" ? { ...part, status: "picking" as const, pickerId: task.pickerId } : part)))
      return { ...f, parts }
    })

  /** A short pick's money back: the missing units at the prices charged, under its own refund key. */
  const refundShort = (r: OrderRecord, f: Fulfilment) =>
    Effect.gen(function*() {
      const paymentId = r.state.paymentId
      if (f.shortRefund <= 0 || paymentId === null) return
      const key = `refund-${paymentId}-short`
      const refund = yield* Effect.either(steps.refundPart(orderId, paymentId, f.shortRefund, key))
      if (refund._tag === "Left") {
        if (refund.left.retryable) return yield* Effect.fail(new ServiceUnavailable({ message: "short-pick refund pending" }))
        yield* Effect.logWarning(`order ${orderId}: short-pick refund of ${f.shortRefund} paise refused: ${refund.left.message}`)
        return yield* order.openTicket({ reason: "refund_refused", detail: `short pick: refund of ${f.shortRefund} paise refused: ${refund.left.message}` })
      }
      yield* order.recordRefund({ refundId: refund.right.id, paymentId, amount: refund.right.amount, status: refund.right.status, reason: "short_pick" })
    })

  /** Whatever of the kept capture is not refunded yet goes back (undeliverable). */
  const refundRest = (r: OrderRecord, reason: string) =>
    Effect.gen(function*() {
      const paymentId = r.state.paymentId
      if (paymentId === null) return
      const rest = r.state.total - refundedOn(r.refunds, paymentId)
      if (rest <= 0) return
      const refund = yield* Effect.either(steps.refund(orderId, paymentId, rest))
      if (refund._tag === "Left") {
        if (refund.left.retryable) return yield* Effect.fail(new ServiceUnavailable({ message: "refund pending" }))
        yield* Effect.logWarning(`order ${orderId}: refund of ${rest} paise refused: ${refund.left.message}`)
        return yield* order.openTicket({ reason: "refund_refused", detail: `${reason}: refund of ${rest} paise refused: ${refund.left.message}` })
      }
      yield* order.recordRefund({ refundId: refund.right.id, paymentId, amount: refund.right.amount, status: refund.right.status, reason })
    })

  /** No rider yet: ask again, escalate once after the configured wait. */
  const tryRider = (s: OrderState, f: Fulfilment, at: number) =>
    Effect.gen(function*() {
      const dispatchStore = f.parts[0]?.storeId ?? s.lines[0].storeId
      const found = yield* Effect.orElseSucceed(ful.assignRider(orderId, dispatchStore), () => Option.none())
      if (Option.isSome(found)) {
        const a = found.value
        const etaAt = at + a.etaSeconds * 1000
        const next: Fulfilment = { ...f, rider: { riderId: a.riderId, name: a.name, phone: a.phone, assignedAt: at, etaAt }, nextRiderAttemptAt: null, settled: "RIDER_ASSIGNED" }
        yield* order.transition({
          from: ["PACKED"],
          to: "RIDER_ASSIGNED",
          reason: null,
          events: [domainEvent("order.rider_assigned", orderId, { orderId: s.orderId, riderId: a.riderId, etaAt: DateTime.unsafeMake(etaAt) })],
          fulfilment: next,
          due: null
        })
        return
      }
      const escalate = f.riderEscalatedAt === null && f.packedAt !== null && at >= f.packedAt + settings.riderEscalationMs
      const next: Fulfilment = {
        ...f,
        riderAttempts: f.riderAttempts + 1,
        nextRiderAttemptAt: at + settings.riderRetryMs,
        riderEscalatedAt: escalate ? at : f.riderEscalatedAt
      }
      if (escalate) yield* order.openTicket({ reason: "no_rider", detail: `no rider free for ${Math.round((at - (f.packedAt ?? at)) / 1000)} s after packing` })
      yield* save(s, next, escalate ? [domainEvent("order.escalated", orderId, { orderId: s.orderId, reason: "no_rider" })] : [])
    })

  /** Entry steps of the status the order is in; then its state is settled there. */
  const enter = (r: OrderRecord, f: Fulfilment, at: number) =>
    Effect.gen(function*() {
      const s = r.state
      switch (s.status) {
        case "CONFIRMED":
        case "PICKING": {
          const next = yield* enqueueAll(s, f)
          const picking = next.parts.find((p) => p.status === "picking")
          if (s.status === "CONFIRMED" && picking !== undefined) {
            return yield* order.transition({
              from: ["CONFIRMED"],
              to: "PICKING",
              reason: null,
              events: [domainEvent("order.picking", orderId, { orderId: s.orderId, storeId: StoreId.make(picking.storeId), pickerId: picking.pickerId ?? "auto" })],
              fulfilment: { ...next, settled: "PICKING" },
              due: nextTimer("PICKING", next)
            })
          }
          return yield* save(s, { ...next, settled: s.status })
        }
        case "PACKED": {
          yield* Effect.forEach(f.parts, (p) => ful.finishAt(p.storeId, orderId, "packed"), { discard: true })
          for (const line of s.lines) {
            const missing = line.qty - unitsHeld(line, f)
            if (missing > 0) yield* ful.writeOff(line, missing, "short_pick")
          }
          yield* refundShort(r, f)
          const settled: Fulfilment = { ...f, settled: "PACKED", nextRiderAttemptAt: f.nextRiderAttemptAt ?? at }
          return yield* tryRider(s, settled, at)
        }
        case "DELIVERED": {
          yield* ful.fulfil(s.lines)
          yield* ful.releaseRider(orderId)
          return yield* save(s, { ...f, settled: "DELIVERED" }, [], "stock fulfilled")
        }
        case "UNDELIVERABLE": {
          const how = f.undeliverable?.stock ?? "restock"
          if (how === "restock") {
            if (!(yield* steps.releaseStock(s.lines))) return yield* Effect.fail(new ServiceUnavailable({ message: "restock pending" }))
          } else {
            for (const line of s.lines) {
              const held = unitsHeld(line, f)
              if (held > 0) yield* ful.writeOff(line, held, "undeliverable")
            }
          }
          yield* refundRest(r, `undeliverable: ${f.undeliverable?.reason ?? s.statusReason ?? "unknown"}`)
          yield* ful.releaseRider(orderId)
          yield* order.openTicket({ reason: "undeliverable", detail: `${f.undeliverable?.reason ?? ""}; goods ${how === "restock" ? "restocked" : "written off"}` })
          return yield* save(s, { ...f, settled: "UNDELIVERABLE" })
        }
        default:
          return yield* save(s, { ...f, settled: s.status })
      }
    })

  /** Timers of a settled status. */
  const timers = (r: OrderRecord, f: Fulfilment, at: number) =>
    Effect.gen(function*() {
      const s = r.state
      if ((s.status === "CONFIRMED" || s.status === "PICKING") && f.slaBreachedAt === null && at >= f.slaDueAt) {
        const open = f.parts.filter((p) => p.status !== "packed")
        yield* Effect.forEach(open, (p) => ful.markBreached(p.storeId, orderId, at), { discard: true })
        return yield* save(
          s,
          { ...f, slaBreachedAt: at },
          open.map((p) =>
            domainEvent("store.sla_breached", p.storeId, { storeId: StoreId.make(p.storeId), orderId: s.orderId, slaDueAt: DateTime.unsafeMake(f.slaDueAt) })
          ),
          "packing SLA breached"
        )
      }
      if (s.status === "PACKED" && f.rider === null && at >= (f.nextRiderAttemptAt ?? at)) return yield* tryRider(s, f, at)
      if (s.status === "OUT_FOR_DELIVERY" && f.deliveryEscalatedAt === null && f.deliveryDueAt !== null && at >= f.deliveryDueAt) {
        yield* order.openTicket({ reason: "delivery_timeout", detail: `not delivered ${Math.round(settings.deliveryTimeoutMs / 60_000)} min after pick-up` })
        return yield* save(s, { ...f, deliveryEscalatedAt: at }, [domainEvent("order.escalated", orderId, { orderId: s.orderId, reason: "delivery_timeout" })])
      }
      return yield* order.setDue(dueAfter(s, f))
    })

  /** Runs what is due for an order past CONFIRMED. */
  const proceed = (r: OrderRecord, at: number) => {
    const f = r.state.fulfilment
    if (f === null) return order.setDue(null)
    return f.settled !== r.state.status ? enter(r, f, at) : timers(r, f, at)
  }

  return { proceed } as const
}
