import { cartLifetimeMs, maxCartLines } from "@qc/domain/customers/Cart"
import type { LineChange } from "@qc/domain/customers/Cart"
import { paise } from "@qc/domain/Money"

/** The cart's rules over plain state: what the Cart entity keeps, applies and persists. */

export interface CartItem {
  readonly skuId: string
  readonly qty: number
}

/** A line as the customer saw it on their last look. */
export interface SeenLine {
  readonly skuId: string
  readonly unitPrice: number
  readonly inStock: boolean
}

/** The last look: at which version of the lines, for which pincode, at what total. */
export interface Look {
  readonly version: number
  readonly pincode: string
  readonly total: number
  readonly lines: ReadonlyArray<SeenLine>
}

/** An order placed from the cart, remembered to take its units out once confirmed and to answer a retry. */
export interface CartCheckout {
  readonly idempotencyKey: string
  readonly orderId: string
  readonly items: ReadonlyArray<CartItem>
  readonly expectedTotal: number | null
  readonly confirmed: boolean
}

export interface CartState {
  readonly lines: ReadonlyArray<CartItem>
  /** Bumped on every change of the lines: a look at an older version no longer vouches for the total. */
  readonly version: number
  /** When the lines last changed (epoch ms); null: never. */
  readonly touchedAt: number | null
  readonly look: Look | null
  /** Newest last, at most `keptCheckouts`. */
  readonly checkouts: ReadonlyArray<CartCheckout>
}

/**
 * Checkouts remembered per cart: a retried Idempotency-Key and a late confirmation find their
 * checkout among the last 20, far more than a customer places between two confirmations.
 */
export const keptCheckouts = 20

export const emptyCart: CartState = { lines: [], version: 0, touchedAt: null, look: null, checkouts: [] }

const withLines = (state: CartState, lines: ReadonlyArray<CartItem>, now: number): CartState => ({
  ...state,
  lines,
  version: state.version + 1,
  touchedAt: now
})

/** Sets a line (0 removes it, a new SKU goes last); `Full` when a new line would pass the limit. Unchanged: the same state. */
export const setLine = (state: CartState, skuId: string, qty: number, now: number): CartState | "Full" => {
  const at = state.lines.findIndex((l) => l.skuId === skuId)
  if (qty === 0) return at < 0 ? state : withLines(state, state.lines.filter((l) => l.skuId !== skuId), now)
  if (at >= 0) {
    if (state.lines[at].qty === qty) return state
    return withLines(state, state.lines.map((l, i) => (i === at ? { skuId, qty } : l)), now)
  }
  if (state.lines.length >= maxCartLines) return "Full"
  return withLines(state, [...state.lines, { skuId, qty }], now)
}

export const clear = (state: CartState, now: number): CartState => (state.lines.length === 0 ? state : withLines(state, [], now))

/** Whether a cart last changed at `touchedAt` is gone at `now`. */
export const isExpired = (state: CartState, now: number): boolean =>
  state.touchedAt !== null && now - state.touchedAt >= cartLifetimeMs

export const expiresAt = (state: CartState): number | null => (state.touchedAt === null ? null : state.touchedAt + cartLifetimeMs)

/** What moved on one line since the last look; nothing for a line not seen then or another pincode. */
export const lineChanges = (look: Look | null, pincode: string, now: SeenLine): ReadonlyArray<LineChange> => {
  if (look === null || look.pincode !== pincode) return []
  const before = look.lines.find((l) => l.skuId === now.skuId)
  if (before === undefined) return []
  const changes: Array<LineChange> = []
  if (now.unitPrice !== before.unitPrice) {
    const kind = now.unitPrice > before.unitPrice ? "price_up" : "price_down"
    changes.push({ kind, before: paise(before.unitPrice), after: paise(now.unitPrice) })
  }
  if (before.inStock !== now.inStock) changes.push({ kind: now.inStock ? "back_in_stock" : "out_of_stock" })
  return changes
}

export const recordLook = (state: CartState, pincode: string, total: number, lines: ReadonlyArray<SeenLine>): CartState => ({
  ...state,
  look: { version: state.version, pincode, total, lines }
})

/** The total checkout must find: the last look's, if it was for this pincode and the lines have not changed since. */
export const expectedTotal = (state: CartState, pincode: string): number | undefined =>
  state.look !== null && state.look.version === state.version && state.look.pincode === pincode ? state.look.total : undefined

export const checkoutFor = (state: CartState, idempotencyKey: string): CartCheckout | undefined =>
  state.checkouts.find((c) => c.idempotencyKey === idempotencyKey)

/** Remembers a placed checkout (once per key), dropping the oldest past `keptCheckouts`. */
export const recordCheckout = (state: CartState, checkout: CartCheckout): CartState => {
  if (checkoutFor(state, checkout.idempotencyKey) !== undefined) return state
  return { ...state, checkouts: [...state.checkouts, checkout].slice(-keptCheckouts) }
}

/**
 * An order was confirmed: if it is a checkout of this cart not yet applied, its units leave the
 * cart (a line raised since keeps the difference, a line added since stays). Applied once.
 */
export const applyConfirmed = (state: CartState, orderId: string, now: number): CartState => {
  const checkout = state.checkouts.find((c) => c.orderId === orderId)
  if (checkout === undefined || checkout.confirmed) return state
  const ordered = new Map(checkout.items.map((i) => [i.skuId, i.qty]))
  const lines = state.lines.flatMap((l) => {
    const qty = l.qty - (ordered.get(l.skuId) ?? 0)
    return qty > 0 ? [{ skuId: l.skuId, qty }] : []
  })
  const checkouts = state.checkouts.map((c) => (c.orderId === orderId ? { ...c, confirmed: true } : c))
  const changed = lines.length !== state.lines.length || lines.some((l, i) => l.qty !== state.lines[i].qty)
  return changed ? { ...withLines(state, lines, now), checkouts } : { ...state, checkouts }
}
