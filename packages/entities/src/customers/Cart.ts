import { Entity } from "@effect/cluster"
import { Cart, CartEmpty, CartFull, CartView, maxCartLines } from "@qc/domain/customers/Cart"
import type { CartViewLine } from "@qc/domain/customers/Cart"
import { CartEntity } from "@qc/domain/customers/CartEntity"
import { ServiceUnavailable, SkuNotFound } from "@qc/domain/Errors"
import { SkuId } from "@qc/domain/Ids"
import { paise } from "@qc/domain/Money"
import { Clock, DateTime, Effect, Option } from "effect"
import { CatalogueRepo } from "../catalogue/CatalogueRepo.js"
import { OrderPlacement } from "../orders/OrderPlacement.js"
import { Quote } from "../orders/Quote.js"
import { CartRepo } from "./CartRepo.js"
import type { CartState, SeenLine } from "./CartRules.js"
import {
  applyConfirmed,
  checkoutFor,
  clear,
  emptyCart,
  expectedTotal,
  expiresAt,
  isExpired,
  lineChanges,
  recordCheckout,
  recordLook,
  setLine
} from "./CartRules.js"

const unavailable = new ServiceUnavailable({ message: "the cart could not save the change; retry" })

const dateTime = (ms: number | null) => (ms === null ? null : DateTime.unsafeMake(ms))

const toCart = (state: CartState) =>
  new Cart({
    lines: state.lines.map((l) => ({ skuId: SkuId.make(l.skuId), qty: l.qty })),
    updatedAt: dateTime(state.touchedAt),
    expiresAt: dateTime(expiresAt(state))
  })

const sameLook = (a: CartState["look"], b: CartState["look"]) => JSON.stringify(a) === JSON.stringify(b)

/**
 * The Cart behaviour: one customer's cart in memory, one command at a time; each change is
 * written before memory takes it (a failed write reloads memory from Postgres before the next
 * command). A cart whose lines have not changed for 30 days is empty and its row deleted.
 */
export const CartEntityLive = CartEntity.toLayer(
  Effect.gen(function*() {
    const customerId = (yield* Entity.CurrentAddress).entityId
    const repo = yield* CartRepo
    const catalogue = yield* CatalogueRepo
    const quotes = yield* Quote
    const placement = yield* OrderPlacement
    const lock = yield* Effect.makeSemaphore(1)
    let state: CartState = Option.getOrElse(yield* repo.load(customerId), () => emptyCart)
    let stale = false

    /** A write that fails leaves memory to be reloaded and answers 503. */
    const write = <A>(effect: Effect.Effect<A>) =>
      Effect.catchAllDefect(effect, (defect) =>
        Effect.zipRight(
          Effect.sync(() => {
            stale = true
          }),
          Effect.zipRight(Effect.logWarning(`cart ${customerId}: change not saved`, defect), Effect.fail(unavailable))
        ))

    const current = Effect.gen(function*() {
      if (stale) {
        state = Option.getOrElse(yield* repo.load(customerId), () => emptyCart)
        stale = false
      }
      if (isExpired(state, yield* Clock.currentTimeMillis)) {
        yield* write(repo.remove(customerId))
        state = emptyCart
      }
      return state
    })

    /** Writes `next` (when it differs) and makes it the state. */
    const commit = (next: CartState) =>
      Effect.gen(function*() {
        if (next === state) return next
        yield* write(repo.save(customerId, next, yield* Clock.currentTimeMillis))
        state = next
        return next
      })

    const serial = <A, E>(effect: Effect.Effect<A, E>) => lock.withPermits(1)(effect)

    return CartEntity.of({
      Get: () => serial(Effect.map(current, toCart)),
      SetLine: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          if (payload.qty > 0 && Option.isNone(catalogue.sku(payload.skuId))) {
            return yield* Effect.fail(new SkuNotFound({ skuId: payload.skuId }))
          }
          const next = setLine(s, payload.skuId, payload.qty, yield* Clock.currentTimeMillis)
          if (next === "Full") return yield* Effect.fail(new CartFull({ maxLines: maxCartLines }))
          return toCart(yield* commit(next))
        })),
      Clear: () => serial(Effect.gen(function*() {
        const s = yield* current
        return toCart(yield* commit(clear(s, yield* Clock.currentTimeMillis)))
      })),
      View: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          const now = yield* Clock.currentTimeMillis
          const quoted = yield* quotes.quote(payload.pincode, s.lines.map((l) => ({ skuId: SkuId.make(l.skuId), qty: l.qty })), now)
          const seen: Array<SeenLine> = quoted.lines.map((l) => ({ skuId: l.skuId, unitPrice: l.unitPrice, inStock: l.available >= l.qty }))
          const lines = quoted.lines.map((l, i): CartViewLine => ({
            skuId: l.skuId,
            name: Option.match(catalogue.sku(l.skuId), { onNone: () => l.skuId, onSome: (sku) => sku.name }),
            qty: l.qty,
            storeId: l.storeId,
            unitPrice: l.unitPrice,
            pricingContext: l.pricingContext,
            lineTotal: paise(l.unitPrice * l.qty),
            available: Math.max(0, l.available),
            inStock: seen[i].inStock,
            changes: lineChanges(s.look, payload.pincode, seen[i])
          }))
          const looked = recordLook(s, payload.pincode, quoted.total, seen)
          // Only a look that differs from the last one is written: polling the cart costs no write.
          yield* commit(sameLook(looked.look, s.look) ? s : looked)
          return new CartView({
            pincode: payload.pincode,
            lines,
            total: quoted.total,
            changed: lines.some((l) => l.changes.length > 0),
            updatedAt: dateTime(s.touchedAt),
            expiresAt: dateTime(expiresAt(s))
          })
        })),
      Checkout: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          // A retried key places what it placed first (so it answers the same order, even once
          // the cart has been emptied by that order's confirmation).
          const prior = checkoutFor(s, payload.idempotencyKey)
          if (prior === undefined && s.lines.length === 0) {
            return yield* Effect.fail(new CartEmpty({ message: "the cart is empty: add items before checking out" }))
          }
          const items = (prior?.items ?? s.lines).map((l) => ({ skuId: SkuId.make(l.skuId), qty: l.qty }))
          const expected = prior === undefined ? payload.expectedTotal ?? expectedTotal(s, payload.pincode) : prior.expectedTotal ?? undefined
          const placed = yield* placement.place(customerId, payload.idempotencyKey, {
            pincode: payload.pincode,
            items,
            ...(expected === undefined ? {} : { expectedTotal: paise(expected) })
          })
          yield* commit(recordCheckout(s, {
            idempotencyKey: payload.idempotencyKey,
            orderId: placed.orderId,
            items,
            expectedTotal: expected ?? null,
            confirmed: false
          }))
          return placed
        })),
      OrderConfirmed: ({ payload }) =>
        serial(Effect.gen(function*() {
          const s = yield* current
          yield* commit(applyConfirmed(s, payload.orderId, yield* Clock.currentTimeMillis))
        }))
    })
  }),
  // A shopping session: a cart is read and changed for some minutes, then left for hours or days.
  { maxIdleTime: "10 minutes", disableFatalDefects: true }
)
