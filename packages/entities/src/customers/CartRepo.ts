import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { EpochMillisFromTimestamp, JsonColumn } from "../platform/SqlValues.js"
import type { CartState } from "./CartRules.js"

const Item = Schema.Struct({ skuId: Schema.String, qty: Schema.Int })

const CartRow = Schema.Struct({
  lines: JsonColumn(Schema.Array(Item)),
  version: Schema.Int,
  touched_at: Schema.NullOr(EpochMillisFromTimestamp),
  look: Schema.NullOr(JsonColumn(Schema.Struct({
    version: Schema.Int,
    pincode: Schema.String,
    total: Schema.Int,
    lines: Schema.Array(Schema.Struct({ skuId: Schema.String, unitPrice: Schema.Int, inStock: Schema.Boolean }))
  }))),
  checkouts: JsonColumn(Schema.Array(Schema.Struct({
    idempotencyKey: Schema.String,
    orderId: Schema.String,
    items: Schema.Array(Item),
    expectedTotal: Schema.NullOr(Schema.Int),
    confirmed: Schema.Boolean
  })))
})

const decodeRow = Schema.decodeUnknownSync(CartRow)

const toState = (row: unknown): CartState => {
  const r = decodeRow(row)
  return { lines: r.lines, version: r.version, touchedAt: r.touched_at, look: r.look, checkouts: r.checkouts }
}

/**
 * SQL of the Cart entity: one row per customer, written whole on every change by the
 * customer's entity, the only writer. The sweep deletes rows untouched past the cutoff.
 */
export class CartRepo extends Effect.Service<CartRepo>()("CartRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const load = Effect.fn("CartRepo.load")(function*(customerId: string) {
      const [row] = yield* sql`SELECT lines, version, touched_at, look, checkouts FROM carts WHERE customer_id = ${customerId}`
      return Option.map(Option.fromNullable(row), toState)
    }, Effect.orDie)

    const save = (customerId: string, state: CartState, at: number) =>
      sql`INSERT INTO carts (customer_id, lines, version, touched_at, look, checkouts, saved_at)
        VALUES (${customerId}, ${JSON.stringify(state.lines)}::jsonb, ${state.version},
                ${state.touchedAt === null ? null : new Date(state.touchedAt)},
                ${state.look === null ? null : JSON.stringify(state.look)}::jsonb, ${JSON.stringify(state.checkouts)}::jsonb, ${new Date(at)})
        ON CONFLICT (customer_id) DO UPDATE SET lines = EXCLUDED.lines, version = EXCLUDED.version, touched_at = EXCLUDED.touched_at,
          look = EXCLUDED.look, checkouts = EXCLUDED.checkouts, saved_at = EXCLUDED.saved_at`.pipe(
        Effect.asVoid,
        Effect.withSpan("CartRepo.save"),
        Effect.orDie
      )

    const remove = (customerId: string) =>
      sql`DELETE FROM carts WHERE customer_id = ${customerId}`.pipe(Effect.asVoid, Effect.orDie)

    /** Deletes carts whose lines last changed before `cutoff` (epoch ms; never filled: last saved); answers how many. */
    const deleteUntouchedSince = (cutoff: number) =>
      sql`DELETE FROM carts WHERE touched_at < ${new Date(cutoff)} OR (touched_at IS NULL AND saved_at < ${new Date(cutoff)})
        RETURNING customer_id`.pipe(
        Effect.map((rows) => rows.length),
        Effect.withSpan("CartRepo.deleteUntouchedSince"),
        Effect.orDie
      )

    /**
     * The customer who placed an order, if they have a cart: a checkout is recorded in the cart's
     * row, so an order of a customer without one cannot be a cart's (and wakes no entity).
     */
    const cartOwnerOfOrder = (orderId: string) =>
      sql<{ customer_id: string }>`SELECT o.customer_id FROM orders o JOIN carts c ON c.customer_id = o.customer_id WHERE o.id = ${orderId}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (r) => r.customer_id)),
        Effect.orDie
      )

    return { load, save, remove, deleteUntouchedSince, cartOwnerOfOrder } as const
  })
}) {}
