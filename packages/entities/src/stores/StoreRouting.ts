/**
 * Which store serves a line for a pincode: the one rule that browse (to show a price) and
 * checkout (to reserve and charge) share, so a customer is charged the price of the store
 * that was shown and that will pick.
 *
 * `stores` are the stores serving the pincode in preference order; `availableAt` answers a
 * store's available units of the SKU, or undefined when the store does not carry it.
 *
 * 1. the first store that can fill the whole quantity;
 * 2. else the store that has the most of it (a partial fill, answered as a shortfall);
 * 3. else the first store that carries it (out of stock everywhere);
 * 4. else undefined: no store serving the pincode carries the SKU.
 */
export const chooseStore = <S extends string>(
  stores: ReadonlyArray<S>,
  qty: number,
  availableAt: (storeId: S) => number | undefined
): { readonly storeId: S; readonly available: number } | undefined => {
  let most: { storeId: S; available: number } | undefined
  let carrier: S | undefined
  for (const storeId of stores) {
    const available = availableAt(storeId)
    if (available === undefined) continue
    if (available >= qty) return { storeId, available }
    carrier ??= storeId
    if (available > 0 && (most === undefined || available > most.available)) most = { storeId, available }
  }
  return most ?? (carrier === undefined ? undefined : { storeId: carrier, available: 0 })
}
