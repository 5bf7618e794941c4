import type { InvalidInput, SkuNotFound } from "@qc/domain/Errors"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { ReservationId, storeSkuEntityId } from "@qc/domain/Ids"
import { minimumPrice } from "@qc/domain/Money"
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
import type { PlaceOrderRequest } from "@qc/domain/orders/Order"
import { OrderEntity } from "@qc/domain/orders/OrderEntity"
import type { OrderState, StoredOrderLine } from "@qc/domain/orders/OrderEntity"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { Clock, Data, Effect, Either, Option } from "effect"
import { createHash } from "node:crypto"
import { Payments } from "../payments/Payments.js"
import { Quote } from "./Quote.js"
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
    const quotes = yield* Quote
    const payments = yield* Payments
    const order = yield* OrderEntity.client
    const storeSku = yield* StoreSkuEntity.client

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
      const stores = yield* quotes.openStores(request.pincode, yield* Clock.currentTimeMillis)
      const orderId = orderIdFor(customerId, idempotencyKey, stores[0].region)
      const replay = (found: OrderState) =>
        found.requestHash === hash
          ? Effect.succeed(found.placed)
          : Effect.fail(new IdempotencyKeyReused({ idempotencyKey }))
      const existing = yield* Effect.orDie(order(orderId).Get())
      if (Option.isSome(existing)) return yield* replay(existing.value)

      // Routed and priced by the function the cart view uses, so checkout charges what it showed.
      const quoted = yield* quotes.quote(request.pincode, request.items, yield* Clock.currentTimeMillis)
      const lines: Array<StoredOrderLine> = quoted.lines.map((line, i) => ({
        lineNo: i + 1,
        reservationId: `${orderId}-${i + 1}`,
        skuId: line.skuId,
        storeId: line.storeId,
        qty: line.qty,
        unitPrice: line.unitPrice,
        pricingContext: line.pricingContext
      }))
      const total = quoted.total
      const publicLines = lines.map(({ lineNo: _, reservationId: __, ...line }) => line)
      // The gateway would refuse it (a 503 to the customer after reserving): say why, reserve nothing.
      if (total < minimumPrice) return yield* Effect.fail(new OrderBelowMinimum({ total, minimum: minimumPrice }))
      if (request.expectedTotal !== undefined && request.expectedTotal !== total) {
        return yield* Effect.fail(new PriceChanged({ expectedTotal: request.expectedTotal, total, lines: publicLines }))
      }

      // Short already when routed: answer without reserving (and releasing) anything. A line
      // taken by someone else since is still caught by the all-or-nothing reservation below.
      const short = quoted.lines.flatMap((line) =>
        line.available < line.qty ? [{ skuId: line.skuId, requested: line.qty, available: line.available }] : []
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
        // Delivery failed (mailbox full, storage down): the order may or may not be stored, so
        // the stock stays held. A retry with the same key finds the order, or re-reserves the same
        // ids (idempotent) and places it; if nobody retries, the holds lapse with their TTL.
        Effect.catchIf(
          (e) => e._tag !== "InvalidInput" && e._tag !== "ServiceUnavailable",
          (e) =>
            Effect.zipRight(
              Effect.logWarning(`order ${orderId}: placement not confirmed by its entity (${e._tag})`),
              Effect.fail(new ServiceUnavailable({ message: "the order could not be confirmed right now; retry with the same Idempotency-Key" }))
            )
        )
      )
      // Lost a race with the same key: answer what the winner stored.
      if (stored.placed.payment.razorpayOrderId !== answer.payment.razorpayOrderId) return yield* replay(stored)
      return answer
    })

    return { place } as const
  })
}) {}
