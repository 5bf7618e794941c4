import { describe, expect, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { SkuId, StoreId } from "@qc/domain/Ids"
import type { OrderId } from "@qc/domain/orders/Order"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { signWmsBody } from "@qc/entities/stores/WmsWebhooks"
import { Effect, Layer } from "effect"
import { awaitStatus, customerClient, place, skusWithStock, standIn, stock } from "../support/Checkout.js"
import { eventually } from "../support/Drive.js"
import { ledgerSums, riderClient, riderOf, staffClient } from "../support/Fulfilment.js"
import { apiClients, stackLayer, wmsSecret } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const asha = "cust-demo-1"
const baner = StoreId.make("pune-baner")
const pincode = Pincode.make("411045")

/** Places and pays an order of `qty` units of each SKU; answers it once CONFIRMED (or already picking). */
const confirmedOrder = (key: string, items: ReadonlyArray<{ readonly skuId: SkuId; readonly qty: number }>) =>
  Effect.gen(function*() {
    const placed = yield* place(asha, key, { pincode, items })
    yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
    const customer = yield* customerClient(asha)
    yield* eventually(Effect.flatMap(customer.orders.get({ path: { orderId: placed.orderId } }), (v) =>
      Effect.sync(() => expect(["CONFIRMED", "PICKING"]).toContain(v.status))), 2000)
    return placed
  })

describe("fulfilment from CONFIRMED to the door", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "90 seconds" })((it) => {
    it.effect("place → pay → claim → pack with a short pick → rider → picked up → delivered: ledger balances, partial refund, loyalty points", () =>
      Effect.gen(function*() {
        const [a, b] = yield* skusWithStock(baner, 5, 2)
        const beforeA = yield* stock(baner, a.id)
        const beforeB = yield* stock(baner, b.id)
        const placed = yield* confirmedOrder("life-1", [{ skuId: a.id, qty: 3 }, { skuId: b.id, qty: 1 }])
        const orderId = placed.orderId

        const picker = yield* staffClient(baner)
        yield* picker.storeOps.shift({ path: { storeId: baner }, payload: { onShift: true } })
        const queue = yield* picker.storeOps.queue({ path: { storeId: baner } })
        const queued = queue.items.find((t) => t.orderId === orderId)
        expect(queued).toMatchObject({ status: "queued", pickerId: null })
        expect(queued!.slaSecondsLeft).toBeGreaterThan(470)
        expect(queued!.slaSecondsLeft).toBeLessThanOrEqual(480)

        const claimed = yield* picker.storeOps.claim({ path: { storeId: baner, orderId } })
        expect(claimed).toMatchObject({ status: "picking", pickerId: "pune-baner-picker-1" })
        yield* awaitStatus(asha, orderId, "PICKING")

        // One unit of A is missing on the shelf; B is left out of the report: packed in full.
        const packed = yield* picker.storeOps.packed({ path: { storeId: baner, orderId }, payload: { lines: [{ skuId: a.id, packedQty: 2 }] } })
        expect(packed.shortPickRefund).toBe(a.basePrice)
        // A duplicate report (the app retried) changes nothing.
        const again = yield* picker.storeOps.packed({ path: { storeId: baner, orderId }, payload: { lines: [{ skuId: a.id, packedQty: 2 }] } })
        expect(again.shortPickRefund).toBe(a.basePrice)
        expect((yield* picker.storeOps.queue({ path: { storeId: baner } })).items.some((t) => t.orderId === orderId)).toBe(false)

        const assigned = yield* awaitStatus(asha, orderId, "RIDER_ASSIGNED")
        expect(assigned.rider?.phone).toMatch(/^\d{2}X{6}\d{2}$/)
        expect(assigned.eta).not.toBeNull()
        const riderId = yield* riderOf(orderId)
        expect(riderId).toMatch(/^rider-pune-baner-/)
        expect(assigned.rider?.firstName.length).toBeGreaterThan(0)

        const rider = yield* riderClient(riderId!)
        const jobs = yield* rider.rider.jobs()
        expect(jobs.jobs.map((j) => j.orderId)).toContain(orderId)
        yield* rider.rider.pickedUp({ path: { orderId } })
        yield* awaitStatus(asha, orderId, "OUT_FOR_DELIVERY")
        // Once out for delivery the customer can no longer cancel.
        const customer = yield* customerClient(asha)
        const late = yield* Effect.flip(customer.orders.cancel({ path: { orderId } }))
        expect(late._tag).toBe("OrderNotCancellable")
        yield* rider.rider.delivered({ path: { orderId } })
        // Repeated and reordered reports from the rider app are acted on once.
        yield* rider.rider.delivered({ path: { orderId } })
        yield* rider.rider.pickedUp({ path: { orderId } })
        const delivered = yield* awaitStatus(asha, orderId, "DELIVERED")
        expect(delivered.timeline.map((t) => t.status)).toEqual([
          "AWAITING_PAYMENT", "PAID", "CONFIRMED", "PICKING", "PACKED", "RIDER_ASSIGNED", "OUT_FOR_DELIVERY", "DELIVERED"
        ])
        expect(delivered.eta).toBeNull()

        // Stock: 2 of A and 1 of B left with the rider, 1 of A written off; nothing still held.
        yield* eventually(Effect.gen(function*() {
          const afterA = yield* stock(baner, a.id)
          const afterB = yield* stock(baner, b.id)
          expect(afterA).toMatchObject({ onHand: beforeA.onHand - 3, reserved: beforeA.reserved, allocated: beforeA.allocated })
          expect(afterB).toMatchObject({ onHand: beforeB.onHand - 1, reserved: beforeB.reserved, allocated: beforeB.allocated })
          for (const [sku, after] of [[a.id, afterA], [b.id, afterB]] as const) {
            expect(yield* ledgerSums(baner, sku)).toEqual({ on_hand: after.onHand, reserved: after.reserved, allocated: after.allocated })
          }
        }))
        const { admin } = yield* apiClients
        const ledger = yield* admin.stockAdmin.ledger({ path: { storeId: baner, skuId: a.id }, urlParams: { limit: 10 } })
        expect(ledger.find((l) => l.kind === "write_off")).toMatchObject({ onHandDelta: -1, allocatedDelta: -1, note: "short_pick" })
        expect(ledger.find((l) => l.kind === "fulfil")).toMatchObject({ onHandDelta: -2, allocatedDelta: -2 })

        // Money: one partial refund of exactly the missing unit's price; loyalty on what was paid.
        const detail = yield* admin.ordersAdmin.get({ path: { orderId } })
        expect(detail.refunds.map((r) => [r.amount, r.reason])).toEqual([[a.basePrice, "short_pick"]])
        const paid = placed.total - a.basePrice
        const loyalty = yield* eventually(Effect.flatMap(customer.loyalty.balance(), (l) =>
          Effect.sync(() => {
            expect(l.entries.find((e) => e.orderId === orderId)?.points).toBe(Math.floor(paid / 10_000))
            return l
          })), 2000)
        expect(loyalty.points).toBeGreaterThanOrEqual(Math.floor(paid / 10_000))

        const events = (yield* admin.ordersAdmin.events({ urlParams: { limit: 1000 } })).filter((e) => e.aggregateId === orderId).map((e) => e.type)
        expect(events).toEqual([
          "order.placed", "payment.captured", "order.paid", "order.confirmed", "order.picking", "order.packed", "payment.refunded",
          "order.rider_assigned", "order.dispatched", "order.delivered", "order.review_requested"
        ])
      }))

    it.effect("auto-assigned to a free picker on shift; the customer cancels while picking: full refund, stock back, the task leaves the queue", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 3, 1)
        const before = yield* stock(baner, a.id)
        const picker = yield* staffClient(baner, "picker", "pune-baner-picker-2")
        yield* picker.storeOps.shift({ path: { storeId: baner }, payload: { onShift: true } })
        const placed = yield* confirmedOrder("cancel-picking-1", [{ skuId: a.id, qty: 2 }])
        const picking = yield* awaitStatus(asha, placed.orderId, "PICKING")
        expect(picking.timeline.map((t) => t.status)).toEqual(["AWAITING_PAYMENT", "PAID", "CONFIRMED", "PICKING"])
        const task = (yield* picker.storeOps.queue({ path: { storeId: baner } })).items.find((t) => t.orderId === placed.orderId)
        expect(task?.status).toBe("picking")
        expect(task?.pickerId).toMatch(/^pune-baner-picker-[12]$/)
        const customer = yield* customerClient(asha)
        const cancelled = yield* customer.orders.cancel({ path: { orderId: placed.orderId } })
        expect(cancelled.status).toBe("CANCELLED")
        const { admin } = yield* apiClients
        yield* eventually(Effect.gen(function*() {
          expect(yield* stock(baner, a.id)).toMatchObject({ onHand: before.onHand, reserved: before.reserved, allocated: before.allocated })
          const detail = yield* admin.ordersAdmin.get({ path: { orderId: placed.orderId } })
          expect(detail.refunds.map((r) => r.amount)).toEqual([placed.total])
        }), 2000)
        const queue = yield* picker.storeOps.queue({ path: { storeId: baner } })
        expect(queue.items.some((t) => t.orderId === placed.orderId)).toBe(false)
        // Packing a cancelled order is refused, saying why.
        const refused = yield* Effect.flip(picker.storeOps.packed({ path: { storeId: baner, orderId: placed.orderId }, payload: { lines: [] } }))
        expect(refused._tag).toBe("OrderStateConflict")
      }))

    it.effect("ops mark an order undeliverable after pick-up: refunded in full, goods written off with their reason", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 3, 1)
        const before = yield* stock(baner, a.id)
        const placed = yield* confirmedOrder("undeliverable-1", [{ skuId: a.id, qty: 2 }])
        const picker = yield* staffClient(baner)
        yield* picker.storeOps.shift({ path: { storeId: baner }, payload: { onShift: true } })
        yield* picker.storeOps.packed({ path: { storeId: baner, orderId: placed.orderId }, payload: { lines: [] } })
        yield* awaitStatus(asha, placed.orderId, "RIDER_ASSIGNED")
        const rider = yield* riderClient((yield* riderOf(placed.orderId))!)
        yield* rider.rider.pickedUp({ path: { orderId: placed.orderId } })
        const { admin } = yield* apiClients
        const cancel = yield* Effect.flip(admin.storesAdmin.cancelOrder({ path: { orderId: placed.orderId } }))
        expect(cancel._tag).toBe("OrderNotCancellable")
        const view = yield* admin.storesAdmin.undeliverable({ path: { orderId: placed.orderId }, payload: { reason: "customer unreachable", stock: "write_off" } })
        expect(view.status).toBe("UNDELIVERABLE")
        yield* eventually(Effect.gen(function*() {
          const after = yield* stock(baner, a.id)
          expect(after).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved, allocated: before.allocated })
          expect(yield* ledgerSums(baner, a.id)).toEqual({ on_hand: after.onHand, reserved: after.reserved, allocated: after.allocated })
          const detail = yield* admin.ordersAdmin.get({ path: { orderId: placed.orderId } })
          expect(detail.refunds.map((r) => r.amount)).toEqual([placed.total])
          expect(detail.opsTickets.map((t) => t.reason)).toContain("undeliverable")
        }), 2000)
        const ledger = yield* admin.stockAdmin.ledger({ path: { storeId: baner, skuId: a.id }, urlParams: { limit: 5 } })
        expect(ledger[0]).toMatchObject({ kind: "write_off", onHandDelta: -2, note: "undeliverable" })
        // Another rider never sees it.
        const other = yield* riderClient("rider-pune-aundh-1")
        const hidden = yield* Effect.flip(other.rider.delivered({ path: { orderId: placed.orderId as OrderId } }))
        expect(hidden._tag).toBe("OrderNotFound")
      }))

    it.effect("the WMS reports packed (signed), again under a new event id, and the store app too: acted on once, refunded once", () =>
      Effect.gen(function*() {
        const [a] = yield* skusWithStock(baner, 4, 1)
        const placed = yield* confirmedOrder("wms-1", [{ skuId: a.id, qty: 3 }])
        const raw = yield* HttpClient.HttpClient
        const wms = (eventId: string) => {
          const text = JSON.stringify({
            eventId,
            event: "order.packed",
            orderId: placed.orderId,
            storeId: baner,
            packedAt: "2026-12-01T06:12:00Z",
            lines: [{ skuId: a.id, packedQty: 2 }]
          })
          return Effect.flatMap(
            raw.execute(HttpClientRequest.post("/v1/webhooks/wms").pipe(
              HttpClientRequest.setHeader("x-wms-signature", signWmsBody(wmsSecret, text)),
              HttpClientRequest.bodyText(text, "application/json")
            )),
            (r) => Effect.map(r.json, (body) => [r.status, body] as const)
          )
        }
        expect(yield* wms("wms-evt-1")).toEqual([200, { status: "processed" }])
        expect(yield* wms("wms-evt-1")).toEqual([200, { status: "duplicate" }])
        // The WMS re-sent it under a new id, and a picker reported it too: the order was packed already.
        expect(yield* wms("wms-evt-2")).toEqual([200, { status: "processed" }])
        const picker = yield* staffClient(baner)
        yield* picker.storeOps.packed({ path: { storeId: baner, orderId: placed.orderId }, payload: { lines: [{ skuId: a.id, packedQty: 1 }] } })
        const { admin } = yield* apiClients
        yield* eventually(Effect.gen(function*() {
          const detail = yield* admin.ordersAdmin.get({ path: { orderId: placed.orderId } })
          expect(detail.refunds.map((r) => [r.amount, r.reason])).toEqual([[a.basePrice, "short_pick"]])
          expect(detail.fulfilment?.packed).toEqual([{ lineNo: 1, packedQty: 2 }])
          expect(detail.order.timeline.filter((t) => t.status === "PACKED")).toHaveLength(1)
        }), 2000)
        const ledger = yield* admin.stockAdmin.ledger({ path: { storeId: baner, skuId: a.id }, urlParams: { limit: 20 } })
        expect(ledger.filter((l) => l.kind === "write_off" && l.ref.startsWith(placed.orderId)).map((l) => l.onHandDelta)).toEqual([-1])
      }))

    it.effect("line by line: the holding picker counts units into the tote, shown in the queue and on the dashboard; others, too many, an unknown line or a packed order are refused", () =>
      Effect.gen(function*() {
        const [a, b] = yield* skusWithStock(baner, 5, 2)
        const placed = yield* confirmedOrder("pick-progress-1", [{ skuId: a.id, qty: 3 }, { skuId: b.id, qty: 1 }])
        const orderId = placed.orderId
        const path = (lineNo: number) => ({ storeId: baner, orderId, lineNo })
        const picker = yield* staffClient(baner)
        const other = yield* staffClient(baner, "picker", "pune-baner-picker-2")
        const manager = yield* staffClient(baner, "store_manager")
        // Not claimed yet (or held by whoever got it): nobody else may count.
        yield* picker.storeOps.shift({ path: { storeId: baner }, payload: { onShift: true } })
        const before = (yield* picker.storeOps.queue({ path: { storeId: baner } })).items.find((t) => t.orderId === orderId)!
        if (before.status === "queued") {
          expect((yield* Effect.flip(picker.storeOps.picked({ path: path(1), payload: { picked: 1 } })))._tag).toBe("PickConflict")
        }
        yield* picker.storeOps.claim({ path: { storeId: baner, orderId } })

        const counted = yield* picker.storeOps.picked({ path: path(1), payload: { picked: 2 } })
        expect(counted.lines.map((l) => [l.lineNo, l.qty, l.picked])).toEqual([[1, 3, 2], [2, 1, 0]])
        // A retried report is the same count, not another two.
        yield* picker.storeOps.picked({ path: path(1), payload: { picked: 2 } })
        yield* picker.storeOps.picked({ path: path(2), payload: { picked: 1 } })
        const queued = (yield* picker.storeOps.queue({ path: { storeId: baner } })).items.find((t) => t.orderId === orderId)!
        expect(queued.lines.map((l) => l.picked)).toEqual([2, 1])
        const board = yield* manager.storeDashboard.dashboard({ path: { storeId: baner } })
        expect(board.orders.find((o) => o.orderId === orderId)).toMatchObject({ units: 4, picked: 3 })

        const conflict = yield* Effect.flip(other.storeOps.picked({ path: path(1), payload: { picked: 3 } }))
        expect(conflict).toMatchObject({ _tag: "PickConflict", status: "picking", pickerId: "pune-baner-picker-1" })
        const tooMany = yield* Effect.flip(picker.storeOps.picked({ path: path(1), payload: { picked: 4 } }))
        expect(tooMany).toMatchObject({ _tag: "PickLineInvalid", lineNo: 1 })
        expect((yield* Effect.flip(picker.storeOps.picked({ path: path(9), payload: { picked: 1 } })))._tag).toBe("PickLineInvalid")

        yield* picker.storeOps.packed({ path: { storeId: baner, orderId }, payload: { lines: [] } })
        const afterPack = yield* Effect.flip(picker.storeOps.picked({ path: path(1), payload: { picked: 3 } }))
        expect(afterPack).toMatchObject({ _tag: "PickConflict", status: "packed" })
      }))
  })
})
