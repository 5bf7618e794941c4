/**
 * The amount guard: a payment is kept only if it is exactly what the order charges, in
 * integer paise and in the order's currency (INR). The server prices every line itself,
 * so any other amount (a tampered checkout, a partial or double payment) is refunded,
 * never accepted, and the order fails with `amount_mismatch`.
 */
export const paymentMatchesOrder = (
  order: { readonly total: number; readonly currency: string },
  payment: { readonly amount: number; readonly currency: string }
): boolean =>
  Number.isSafeInteger(payment.amount) && payment.amount === order.total && payment.currency === order.currency
