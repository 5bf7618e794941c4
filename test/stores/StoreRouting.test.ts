import { describe, expect, it } from "@effect/vitest"
import { chooseStore } from "@qc/entities/stores/StoreRouting"
import * as fc from "fast-check"

// Stores serving a pincode in preference order, each carrying the SKU (a level) or not (null).
const storesArb = fc.array(fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), { minLength: 1, maxLength: 6 })
  .map((levels) => levels.map((available, i) => ({ id: `store-${i}`, available })))

describe("chooseStore: the one routing rule of browse and checkout", () => {
  it("picks the first store that can fill the line, else the one with the most, else the first that carries it", () =>
    fc.assert(
      fc.property(storesArb, fc.integer({ min: 1, max: 25 }), (stores, qty) => {
        const levels = new Map(stores.map((s) => [s.id, s.available]))
        const chosen = chooseStore(stores.map((s) => s.id), qty, (id) => levels.get(id))
        const carriers = stores.filter((s) => s.available !== undefined)
        const filling = carriers.find((s) => s.available! >= qty)
        if (carriers.length === 0) {
          expect(chosen).toBeUndefined()
          return
        }
        if (filling) {
          expect(chosen).toEqual({ storeId: filling.id, available: filling.available })
          return
        }
        const most = Math.max(...carriers.map((s) => s.available!))
        expect(chosen!.available).toBe(most)
        // Among equals, the earlier store; out of stock everywhere means the first carrier.
        expect(chosen!.storeId).toBe(carriers.find((s) => s.available === most)!.id)
      }),
      { seed: 10, numRuns: 500 }
    ))

  it("for one unit (what browse shows) it is the first store in stock, else the first that carries it", () =>
    fc.assert(
      fc.property(storesArb, (stores) => {
        const levels = new Map(stores.map((s) => [s.id, s.available]))
        const chosen = chooseStore(stores.map((s) => s.id), 1, (id) => levels.get(id))
        const expected = stores.find((s) => (s.available ?? 0) > 0) ?? stores.find((s) => s.available !== undefined)
        expect(chosen?.storeId).toBe(expected?.id)
      }),
      { seed: 11, numRuns: 500 }
    ))
})
