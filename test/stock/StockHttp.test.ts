import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { AdjustmentId, ReceiptId, ReservationId, SkuId, StoreId } from "@qc/domain/Ids"
import { DateTime, Effect, Layer } from "effect"
import { apiClients, stackLayer } from "../support/Stack.js"
import { makeTestDatabase } from "../support/TestDatabase.js"

const StackLive = Layer.unwrapScoped(Effect.map(makeTestDatabase, (db) => stackLayer(db.layer)))

const store = StoreId.make("pune-baner")
const path = (skuId: SkuId) => ({ storeId: store, skuId })

/** A SKU the store carries with at least `min` available, and one it does not carry. */
const pickSkus = (min: number) =>
  Effect.gen(function*() {
    const { anonymous } = yield* apiClients
    const page = yield* anonymous.stores.skus({ path: { storeId: store }, urlParams: { limit: 200 } })
    const carried = page.items.find((i) => i.stock.available >= min)!
    const carriedIds = new Set(page.items.map((i) => i.sku.id as string))
    const missing = Array.from({ length: 200 }, (_, i) => `sku-${String(i + 1).padStart(5, "0")}`)
      .find((id) => !carriedIds.has(id))!
    return { carried: carried.sku.id, notCarried: SkuId.make(missing) }
  })

describe("Stock HTTP API", () => {
  layer(StackLive, { excludeTestServices: true })((it) => {
    it.effect("serves health, stores, pages of a store's SKUs and one snapshot", () =>
      Effect.gen(function*() {
        const { anonymous } = yield* apiClients
        expect(yield* anonymous.health()).toEqual({ status: "ok", stores: 12, skus: 300 })
        const stores = yield* anonymous.stores.list()
        expect(stores.map((s) => s.id)).toContain("pune-baner")
        const first = yield* anonymous.stores.skus({ path: { storeId: store }, urlParams: { limit: 10 } })
        expect(first.items).toHaveLength(10)
        const second = yield* anonymous.stores.skus({
          path: { storeId: store },
          urlParams: { limit: 10, cursor: SkuId.make(first.nextCursor!) }
        })
        expect(second.items[0].sku.id > first.items[9].sku.id).toBe(true)
        const item = first.items[0]
        const snapshot = yield* anonymous.stores.snapshot({ path: path(item.sku.id) })
        expect(snapshot).toEqual(item.stock)
        expect(snapshot.onHand).toBe(snapshot.batches.reduce((n, b) => n + b.qty, 0))
      }))

    it.effect("reserves (201), refuses a shortfall with what is available (409), commits, fulfils, releases", () =>
      Effect.gen(function*() {
        const { admin, anonymous } = yield* apiClients
        const { carried } = yield* pickSkus(3)
        const before = yield* anonymous.stores.snapshot({ path: path(carried) })
        const reservation = yield* admin.stockAdmin.reserve({
          path: path(carried),
          payload: { reservationId: ReservationId.make("http-r1"), qty: 2, ttlSeconds: 300 }
        })
        expect(reservation).toMatchObject({ status: "reserved", qty: 2 })
        const shortfall = yield* Effect.flip(admin.stockAdmin.reserve({
          path: path(carried),
          payload: { reservationId: ReservationId.make("http-r2"), qty: 100_000, ttlSeconds: 300 }
        }))
        expect(shortfall).toMatchObject({ _tag: "InsufficientStock", available: before.available - 2 })
        const committed = yield* admin.stockAdmin.commit({ path: { ...path(carried), reservationId: reservation.reservationId } })
        expect(committed.status).toBe("committed")
        const fulfilled = yield* admin.stockAdmin.fulfil({ path: { ...path(carried), reservationId: reservation.reservationId } })
        expect(fulfilled.status).toBe("fulfilled")
        const released = yield* Effect.flip(
          admin.stockAdmin.release({ path: { ...path(carried), reservationId: reservation.reservationId } })
        )
        expect(released).toMatchObject({ _tag: "ReservationStateConflict", state: "fulfilled" })
        const after = yield* anonymous.stores.snapshot({ path: path(carried) })
        expect(after).toMatchObject({ onHand: before.onHand - 2, available: before.available - 2, reserved: 0 })
        const ledger = yield* admin.stockAdmin.ledger({ path: path(carried), urlParams: { limit: 3 } })
        expect(ledger.map((l) => l.kind)).toEqual(["fulfil", "commit", "reserve"])
      }))

    it.effect("receipts and adjustments answer 201, are idempotent, and refuse to go below zero (409)", () =>
      Effect.gen(function*() {
        const { admin, anonymous } = yield* apiClients
        const { carried } = yield* pickSkus(1)
        const receipt = {
          receiptId: ReceiptId.make("grn-http-1"),
          qty: 12,
          lot: "LOT-HTTP",
          bestBefore: DateTime.unsafeMake("2031-01-01T00:00:00Z")
        }
        const first = yield* admin.stockAdmin.receive({ path: path(carried), payload: receipt })
        const again = yield* admin.stockAdmin.receive({ path: path(carried), payload: receipt })
        expect(again).toEqual(first)
        const reused = yield* Effect.flip(admin.stockAdmin.receive({ path: path(carried), payload: { ...receipt, qty: 13 } }))
        expect(reused._tag).toBe("OperationIdReused")
        const snapshot = yield* anonymous.stores.snapshot({ path: path(carried) })
        const tooMuch = yield* Effect.flip(admin.stockAdmin.adjust({
          path: path(carried),
          payload: { adjustmentId: AdjustmentId.make("adj-http-1"), delta: -(snapshot.available + 1), reason: "damage" }
        }))
        expect(tooMuch).toMatchObject({ _tag: "StockWouldGoNegative", available: snapshot.available })
        yield* admin.stockAdmin.adjust({
          path: path(carried),
          payload: { adjustmentId: AdjustmentId.make("adj-http-2"), delta: -1, reason: "count_correction" }
        })
        expect((yield* anonymous.stores.snapshot({ path: path(carried) })).onHand).toBe(snapshot.onHand - 1)
      }))

    it.effect("answers 404 for an unknown store, SKU, uncarried SKU or reservation", () =>
      Effect.gen(function*() {
        const { admin, anonymous } = yield* apiClients
        const { carried, notCarried } = yield* pickSkus(0)
        const unknownStore = yield* Effect.flip(
          anonymous.stores.snapshot({ path: { storeId: StoreId.make("pune-nowhere"), skuId: carried } })
        )
        expect(unknownStore._tag).toBe("StoreNotFound")
        expect((yield* Effect.flip(anonymous.stores.snapshot({ path: path(SkuId.make("sku-99999")) })))._tag)
          .toBe("SkuNotFound")
        expect((yield* Effect.flip(anonymous.stores.snapshot({ path: path(notCarried) })))._tag).toBe("StoreSkuNotFound")
        const reservation = yield* Effect.flip(
          admin.stockAdmin.commit({ path: { ...path(carried), reservationId: ReservationId.make("never-made") } })
        )
        expect(reservation._tag).toBe("ReservationNotFound")
        expect((yield* Effect.flip(anonymous.stores.skus({ path: { storeId: StoreId.make("pune-nowhere") }, urlParams: {} })))._tag)
          .toBe("StoreNotFound")
      }))

    it.effect("answers 401 without or with a wrong admin key, 400 naming the field, and changes nothing", () =>
      Effect.gen(function*() {
        const { anonymous, raw } = yield* apiClients
        const { carried } = yield* pickSkus(1)
        const before = yield* anonymous.stores.snapshot({ path: path(carried) })
        const url = `/v1/admin/stores/${store}/skus/${carried}/reservations`
        const post = (body: unknown, key: string | null = "test-admin-key") =>
          HttpClientRequest.post(url).pipe(
            key === null ? (r) => r : HttpClientRequest.setHeader("x-admin-key", key),
            HttpClientRequest.bodyUnsafeJson(body),
            raw.execute,
            Effect.flatMap((res) => Effect.map(res.json, (json) => ({ status: res.status, json })))
          )
        const valid = { reservationId: "bad-input", qty: 1, ttlSeconds: 60 }
        expect((yield* post(valid, null)).status).toBe(401)
        expect((yield* post(valid, "wrong-key")).status).toBe(401)
        const cases: ReadonlyArray<[string, unknown]> = [
          ["qty", { ...valid, qty: 0 }],
          ["qty", { ...valid, qty: -2 }],
          ["qty", { ...valid, qty: 1.5 }],
          ["qty", { ...valid, qty: "2" }],
          ["qty", { reservationId: "bad-input", ttlSeconds: 60 }],
          ["ttlSeconds", { ...valid, ttlSeconds: 0 }],
          ["reservationId", { ...valid, reservationId: "" }]
        ]
        for (const [field, body] of cases) {
          const res = yield* post(body)
          expect(res.status, JSON.stringify(body)).toBe(400)
          expect(JSON.stringify(res.json)).toContain(`"path":["${field}"]`)
        }
        const badPath = yield* raw.execute(HttpClientRequest.get(`/v1/stores/${store}/skus?limit=0`))
        expect(badPath.status).toBe(400)
        // Unknown fields are ignored: the request is otherwise valid.
        expect((yield* post({ ...valid, reservationId: "extra-field", note: "hello" })).status).toBe(201)
        const after = yield* anonymous.stores.snapshot({ path: path(carried) })
        expect(after.version).toBe(before.version + 1)
        expect(after.reserved).toBe(before.reserved + 1)
      }))

    it.effect("1,000 concurrent HTTP reservations against 250 available: exactly 250 get 201, the rest 409", () =>
      Effect.gen(function*() {
        const { admin, anonymous } = yield* apiClients
        const { carried } = yield* pickSkus(0)
        const before = yield* anonymous.stores.snapshot({ path: path(carried) })
        const delta = 250 - before.available
        if (delta !== 0) {
          yield* admin.stockAdmin.adjust({
            path: path(carried),
            payload: { adjustmentId: AdjustmentId.make("to-250"), delta, reason: "count_correction" }
          })
        }
        const outcomes = yield* Effect.forEach(
          Array.from({ length: 1000 }, (_, i) => i),
          (i) =>
            admin.stockAdmin.reserve({
              path: path(carried),
              payload: { reservationId: ReservationId.make(`storm-${i}`), qty: 1, ttlSeconds: 600 }
            }).pipe(Effect.as("reserved"), Effect.catchTag("InsufficientStock", () => Effect.succeed("refused"))),
          { concurrency: 200 }
        )
        expect(outcomes.filter((o) => o === "reserved")).toHaveLength(250)
        expect(outcomes.filter((o) => o === "refused")).toHaveLength(750)
        const after = yield* anonymous.stores.snapshot({ path: path(carried) })
        expect(after).toMatchObject({ available: 0, reserved: before.reserved + 250, onHand: before.onHand + delta })
      }))

    it.effect("publishes an OpenAPI document and Swagger UI", () =>
      Effect.gen(function*() {
        const { raw } = yield* apiClients
        const openapi = yield* raw.get("/openapi.json").pipe(Effect.flatMap((r) => r.json))
        expect(Object.keys((openapi as { paths: object }).paths)).toContain(
          "/v1/admin/stores/{storeId}/skus/{skuId}/reservations"
        )
        expect((yield* raw.get("/docs")).status).toBe(200)
      }))
  })
})
