import { describe, expect, layer } from "@effect/vitest"
import { Pincode } from "@qc/domain/catalogue/Catalogue"
import { ReceiptId, StoreId } from "@qc/domain/Ids"
import { withinHours } from "@qc/entities/stores/OpeningHours"
import { DateTime, Effect, Layer } from "effect"
import { awaitStatus, place, skusWithStock, standIn } from "../support/Checkout.js"
import { staffClient } from "../support/Fulfilment.js"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const asha = "cust-demo-1"
const baner = StoreId.make("pune-baner")
const pincode = Pincode.make("411045")

/** `HH:MM` on the IST clock, `minutes` from now. */
const istClock = (minutes: number) => {
  const ist = new Date(Date.now() + (5 * 60 + 30 + minutes) * 60_000)
  return `${String(ist.getUTCHours()).padStart(2, "0")}:${String(ist.getUTCMinutes()).padStart(2, "0")}`
}

describe("stores: routing over open stores, changed by admins at once", () => {
  layer(StackLive, { excludeTestServices: true, timeout: "90 seconds" })((it) => {
    it.effect("a store switched off, or outside its hours, is skipped: the next store for the pincode takes the order", () =>
      Effect.gen(function*() {
        const { admin } = yield* apiClients
        // A SKU both Baner (first for 411045) and Aundh (second) can fill.
        const aundhSkus = new Set((yield* skusWithStock("pune-aundh", 3, 200)).map((s) => s.id))
        const sku = (yield* skusWithStock(baner, 3, 200)).find((s) => aundhSkus.has(s.id))!
        const storeOf = (key: string) => Effect.map(place(asha, key, { pincode, items: [{ skuId: sku.id, qty: 1 }] }), (p) => p.lines[0].storeId)
        expect(yield* storeOf("route-open-1")).toBe("pune-baner")

        const off = yield* admin.storesAdmin.updateStore({ path: { storeId: baner }, payload: { accepting: false } })
        expect(off).toMatchObject({ accepting: false, openNow: false })
        expect(yield* storeOf("route-off-1")).toBe("pune-aundh")
        yield* admin.storesAdmin.updateStore({ path: { storeId: baner }, payload: { accepting: true } })
        expect(yield* storeOf("route-on-1")).toBe("pune-baner")

        // Opens in an hour (IST): closed now.
        const hours = { opens: istClock(60), closes: istClock(120) }
        const later = yield* admin.storesAdmin.updateStore({ path: { storeId: baner }, payload: { hours } })
        expect(later.openNow).toBe(withinHours(hours, Date.now()))
        expect(yield* storeOf("route-hours-1")).toBe("pune-aundh")
        yield* admin.storesAdmin.updateStore({ path: { storeId: baner }, payload: { hours: null } })
        expect(yield* storeOf("route-hours-2")).toBe("pune-baner")

        // Browse shows the price of the store that would pick: Aundh's while Baner is off.
        yield* admin.storesAdmin.updateStore({ path: { storeId: baner }, payload: { accepting: false } })
        const { anonymous } = yield* apiClients
        const page = yield* anonymous.catalog.browse({ urlParams: { pincode, limit: 5 } })
        expect(page.items.every((i) => i.storeId !== "pune-baner")).toBe(true)
        yield* admin.storesAdmin.updateStore({ path: { storeId: baner }, payload: { accepting: true } })
      }))

    it.effect("an admin opens a store with its own pincode: stock received, an order placed, paid and queued there, no code change", () =>
      Effect.gen(function*() {
        const { admin } = yield* apiClients
        const balewadi = StoreId.make("pune-balewadi")
        const created = yield* admin.storesAdmin.createStore({
          payload: {
            id: balewadi,
            name: "Balewadi Dark Store",
            locality: "Balewadi",
            region: "pune-west",
            pincodes: [Pincode.make("411098")],
            lat: 18.5762,
            lng: 73.7707
          }
        })
        expect(created).toMatchObject({ id: balewadi, region: "pune-west" })
        const { anonymous } = yield* apiClients
        expect((yield* anonymous.stores.list()).map((st) => st.id)).toContain(balewadi)
        expect((yield* anonymous.health()).stores).toBe(13)
        const again = yield* Effect.flip(admin.storesAdmin.createStore({
          payload: { id: balewadi, name: "x", locality: "x", region: "pune-west", pincodes: [Pincode.make("411098")], lat: 18, lng: 73 }
        }))
        expect(again._tag).toBe("StoreExists")
        const nowhere = yield* Effect.flip(admin.storesAdmin.createStore({
          payload: { id: StoreId.make("mumbai-bandra"), name: "x", locality: "x", region: "mumbai", pincodes: [Pincode.make("400050")], lat: 19, lng: 72.8 }
        }))
        expect(nowhere._tag).toBe("InvalidInput")

        const [sku] = yield* skusWithStock(baner, 1, 1)
        yield* admin.stockAdmin.receive({
          path: { storeId: balewadi, skuId: sku.id },
          payload: { receiptId: ReceiptId.make("grn-balewadi-1"), qty: 20, lot: "BLW-1", bestBefore: DateTime.unsafeMake("2031-01-01T00:00:00Z") }
        })
        const placed = yield* place(asha, "balewadi-1", { pincode: Pincode.make("411098"), items: [{ skuId: sku.id, qty: 2 }] })
        expect(placed.lines[0].storeId).toBe("pune-balewadi")
        expect(placed.orderId.startsWith("ord_pune-west_")).toBe(true)
        yield* Effect.flatMap(standIn, (s) => s.pay(placed.payment.razorpayOrderId, { outcome: "capture" }))
        yield* awaitStatus(asha, placed.orderId, "CONFIRMED")
        // The new store has no staff yet: ops see its part queued in the admin view; another store's manager is refused its queue.
        const detail = yield* admin.ordersAdmin.get({ path: { orderId: placed.orderId } })
        expect(detail.fulfilment?.parts).toEqual([{ storeId: "pune-balewadi", status: "queued", pickerId: null, packedAt: null }])
        const other = yield* staffClient(baner, "store_manager")
        const forbidden = yield* Effect.flip(other.storeOps.queue({ path: { storeId: balewadi } }))
        expect(forbidden._tag).toBe("Forbidden")
      }))
  })
})
