import type { InvalidInput, SkuNotFound } from "@qc/domain/Errors"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { ReservationId, SkuId, storeSkuEntityId } from "@qc/domain/Ids"
import type { StoreId } from "@qc/domain/Ids"
import { minimumPrice } from "@qc/domain/Money"
import type { Paise } from "@qc/domain/Money"
import {
  CartConflict,
  IdempotencyKeyReused,
  NotServiceable,
  OrderBelowMinimum,
  OrderId,
  PaymentGatewayUnavailable,
  PlacedOrder,
  PriceChanged
} from "@qc/domain/orders/Order"
import type { PlaceOrderRequest, PricingContext } from "@qc/domain/orders/Order"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import type { OrderState, StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { Clock, Data, Effect, Either, Option } from "effect"
import { createHash } from "node:crypto"
import { CatalogueRepo } from "../catalogue/CatalogueRepo.js"
import { Payments } from "../payments/Payments.js"
import { PriceResolver } from "../pricing/PriceResolver.js"
import { chooseStore } from "../stores/StoreRouting.js"
import { defaultRegion } from "@qc/domain/stores/Regions"
import { ReservationTtl } from "@qc/domain/stock/ReservationTtl"


/** Another request already holds these reservation ids: its Idempotency-Key was reused for another body. */
class ReservationIdsTaken extends Data.TaggedError("ReservationIdsTaken") {}

const digest = (text: string) => createHash("sha256").update(text).digest("hex")

/** The order lives in the region of the store that serves its pincode first (`default`: no region part). */
export const orderIdFor = (customerId: string, idempotencyKey: string, region: string = defaultRegion) =>
  OrderId.make(`ord_${region === defaultRegion ? "" : `${region}_`}${digest(`${customerId}\n${idempotencyKey}`).slice(0, 20)}`)

const requestHash = (request: PlaceOrderRequest) =>
  digest(JSON.stringify({
    pincode: request.pincode,
    items: [...request.items].sort((a, b) => a.skuId.localeCompare(b.skuId)),
    expectedTotal: request.expectedTotal ?? null
  }))

/**
 * Checkout up to payment: route lines to stores, price them now, reserve all or
 * nothing, open a Razorpay order, store the order (whose entity then waits for the payment).
 * Every step is safe to repeat, so a retried request (same Idempotency-Key) ends
 * in the same order and the same answer.
 */
export class OrderPlacement extends Effect.Service<OrderPlacement>()("OrderPlacement", {
  effect: Effect.gen(function*() {
    const catalogue = yield* CatalogueRepo
    const pricing = yield* PriceResolver
    const payments = yield* Payments
    const order = yield* OrderEntity.client
    const storeSku = yield* StoreSkuEntity.client

    const snapshot = (storeId: StoreId, skuId: SkuId) =>
      storeSku(storeSkuEntityId(storeId, skuId)).Snapshot().pipe(
        Effect.map((s) => s.available),
        Effect.catchTag("StoreSkuNotFound", () => Effect.succeed(-1)),
        Effect.orDie
      )

    /**
     * The store for a line, by the rule browse uses (`chooseStore`), on the entities' own
     * answers (authoritative, where browse reads the availability read model).
     */
    const route = (stores: ReadonlyArray<{ readonly id: StoreId }>, skuId: SkuId, qty: number) =>
      Effect.gen(function*() {
        // Asked in preference order, stopping at the first store that fills the line: the rule
        // would pick it whatever the stores after it hold, so they cost no message.
        const levels = new Map<StoreId, number>()
        for (const store of stores) {
          const available = yield* snapshot(store.id, skuId)
          levels.set(store.id, available)
          if (available >= qty) break
        }
        return chooseStore([...levels.keys()], qty, (id) => {
          const available = levels.get(id) ?? -1
          return available < 0 ? undefined : available
        }) ?? { storeId: stores[0].id, available: 0 }
      })

    const releaseAll = (lines: ReadonlyArray<StoredOrderLine>) =>
      Effect.forEach(
        lines,
        (l) => Effect.ignore(storeSku(storeSkuEntityId(l.storeId, l.skuId)).Release({ reservationId: ReservationId.make(l.reservationId) })),
        { concurrency: "unbounded", discard: true }
      )

    const reserveAll = (lines: ReadonlyArray<StoredOrderLine>) =>
      Effect.gen(function*() {
        const results = yield* Effect.forEach(
          lines,
          (l) =>
            Effect.either(storeSku(storeSkuEntityId(l.storeId, l.skuId)).Reserve({
              reservationId: ReservationId.make(l.reservationId),
              qty: l.qty,
              ttlSeconds: ReservationTtl.checkoutSeconds
            })),
          { concurrency: "unbounded" }
        )
        const short = results.flatMap((r, i) =>
          Either.isLeft(r) && r.left._tag === "InsufficientStock"
            ? [{ skuId: lines[i].skuId, requested: lines[i].qty, available: r.left.available }]
            : Either.isLeft(r) && r.left._tag === "StoreSkuNotFound"
            ? [{ skuId: lines[i].skuId, requested: lines[i].qty, available: 0 }]
            : []
        )
        const reused = results.some((r) => Either.isLeft(r) && r.left._tag === "OperationIdReused")
        const other = results.find((r) => Either.isLeft(r) && !["InsufficientStock", "StoreSkuNotFound", "OperationIdReused"].includes(r.left._tag))
        // A reused id means another request owns these reservation ids: leave them alone.
        if (reused) return yield* Effect.fail(new ReservationIdsTaken())
        if (short.length > 0 || other) {
          yield* releaseAll(lines.filter((_, i) => Either.isRight(results[i])))
          if (other && Either.isLeft(other)) {
            return yield* Effect.fail(new ServiceUnavailable({ message: "stock could not be reserved right now; nothing was charged, retry with the same Idempotency-Key" }))
          }
          return yield* Effect.fail(new CartConflict({ lines: short }))
        }
      })

    const place = Effect.fn("OrderPlacement.place")(function*(
      customerId: string,
      idempotencyKey: string,
      request: PlaceOrderRequest
    ): Effect.fn.Return<
      PlacedOrder,
      | NotServiceable
      | PriceChanged
      | CartConflict
      | IdempotencyKeyReused
      | PaymentGatewayUnavailable
      | OrderBelowMinimum
      | SkuNotFound
      | InvalidInput
      | ServiceUnavailable
    > {
      const hash = requestHash(request)
      const stores = catalogue.openStoresForPincode(request.pincode, yield* Clock.currentTimeMillis)
      if (stores.length === 0) return yield* Effect.fail(new NotServiceable({ pincode: request.pincode }))
      const orderId = orderIdFor(customerId, idempotencyKey, stores[0].region)
      const replay = (found: OrderState) =>
        found.requestHash === hash
          ? Effect.succeed(found.placed)
          : Effect.fail(new IdempotencyKeyReused({ idempotencyKey }))
      const existing = yield* Effect.orDie(order(orderId).Get())
      if (Option.isSome(existing)) return yield* replay(existing.value)

      const now = yield* Clock.currentTimeMillis
      const routes = yield* Effect.forEach(request.items, (item) => route(stores, item.skuId, item.qty), { concurrency: 8 }).pipe(
        Effect.withSpan("checkout.route")
      )
      const routed = routes.map((r) => r.storeId)
      // One chain evaluation per store for all its lines (two queries), fresh from the rules.
      const byStore = new Map<StoreId, Array<SkuId>>()
      request.items.forEach((item, i) => byStore.set(routed[i], [...(byStore.get(routed[i]) ?? []), item.skuId]))
      const prices = new Map<string, { readonly price: Paise; readonly pricingContext: PricingContext }>()
      yield* Effect.forEach([...byStore], ([storeId, skuIds]) =>
        Effect.map(pricing.resolveMany(storeId, skuIds, now), (found) => {
          for (const [skuId, p] of found) prices.set(`${storeId}/${skuId}`, p)
        }), { discard: true }).pipe(Effect.withSpan("checkout.price"))
      const lines: Array<StoredOrderLine> = request.items.map((item, i) => {
        const { price, pricingContext } = prices.get(`${routed[i]}/${item.skuId}`)!
        return {
          lineNo: i + 1,
          reservationId: `${orderId}-${i + 1}`,
          skuId: item.skuId,
          storeId: routed[i],
          qty: item.qty,
          unitPrice: price,
          pricingContext
        }
      })
      const total = lines.reduce((sum, l) => sum + l.unitPrice * l.qty, 0) as Paise
      const publicLines = lines.map(({ lineNo: _, reservationId: __, ...line }) => line)
      // The gateway would refuse it (a 503 to the customer after reserving): say why, reserve nothing.
      if (total < minimumPrice) return yield* Effect.fail(new OrderBelowMinimum({ total, minimum: minimumPrice }))
      if (request.expectedTotal !== undefined && request.expectedTotal !== total) {
        return yield* Effect.fail(new PriceChanged({ expectedTotal: request.expectedTotal, total, lines: publicLines }))
      }

      // Short already when routed: answer without reserving (and releasing) anything. A line
      // taken by someone else since is still caught by the all-or-nothing reservation below.
      const short = request.items.flatMap((item, i) =>
        routes[i].available < item.qty ? [{ skuId: item.skuId, requested: item.qty, available: routes[i].available }] : []
      )
      if (short.length > 0) return yield* Effect.fail(new CartConflict({ lines: short }))
      yield* reserveAll(lines).pipe(
        Effect.withSpan("checkout.reserve"),
        Effect.catchTag("ReservationIdsTaken", () => Effect.fail(new IdempotencyKeyReused({ idempotencyKey })))
      )
      const gatewayOrder = yield* payments.createOrder({ amount: total, currency: "INR", receipt: orderId }).pipe(
        Effect.tapError(() => releaseAll(lines)),
        Effect.mapError((e) => new PaymentGatewayUnavailable({ message: e.message })),
        Effect.withSpan("checkout.gateway")
      )
      const answer = new PlacedOrder({
        orderId,
        status: "AWAITING_PAYMENT",
        lines: publicLines,
        total,
        payment: {
          provider: "razorpay",
          razorpayOrderId: gatewayOrder.id,
          amount: total,
          currency: "INR",
          keyId: payments.keyId
        }
      })
      const stored = yield* order(orderId).Place({
        customerId: customerId as OrderState["customerId"],
        idempotencyKey,
        requestHash: hash,
        pincode: request.pincode,
        lines,
        placed: answer
      }).pipe(
        // Not stored: give the stock back at once (the gateway order is never paid, so it lapses).
        Effect.catchTags({
          InvalidInput: (e) => Effect.zipRight(releaseAll(lines), Effect.fail(e)),
          ServiceUnavailable: (e) => Effect.zipRight(releaseAll(lines), Effect.fail(e))
        }),
        Effect.catchIf((e) => e._tag !== "InvalidInput" && e._tag !== "ServiceUnavailable", Effect.die)
      )
      // Lost a race with the same key: answer what the winner stored.
      if (stored.placed.payment.razorpayOrderId !== answer.payment.razorpayOrderId) return yield* replay(stored)
      return answer
    })

    return { place } as const
  })
}) {}
