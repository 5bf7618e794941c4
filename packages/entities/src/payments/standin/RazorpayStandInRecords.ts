import type { PaymentStatus } from "../Payments.js"
import type { WebhookEvent } from "./RazorpayStandInWebhooks.js"

/** The stand-in account's records, and the JSON Razorpay shows for them (API answers and webhooks). */

export interface Order {
  readonly id: string
  readonly amount: number
  readonly receipt: string | null
  readonly notes: Readonly<Record<string, string | number>>
  status: "created" | "attempted" | "paid"
  attempts: number
  amountPaid: number
  readonly createdAt: number
}

export interface Payment {
  readonly id: string
  readonly orderId: string
  readonly amount: number
  readonly method: "upi" | "card"
  status: PaymentStatus
  amountRefunded: number
  readonly failed: boolean
  readonly createdAt: number
}

export interface Refund {
  readonly id: string
  readonly paymentId: string
  readonly amount: number
  readonly notes: Readonly<Record<string, string | number>>
  readonly receipt: string | null
  readonly createdAt: number
}

/** What a declined payment says, in the webhook and in the gateway answer alike. */
export const FAILURE = "Payment failed because the customer's bank declined it."

// Razorpay serialises empty notes as [] (a PHP-ism); clients must cope, so the stand-in does it too.
const notesJson = (notes: Readonly<Record<string, string | number>>) => Object.keys(notes).length === 0 ? [] : notes

export const orderJson = (o: Order) => ({
  id: o.id,
  entity: "order",
  amount: o.amount,
  amount_paid: o.amountPaid,
  amount_due: o.amount - o.amountPaid,
  currency: "INR",
  receipt: o.receipt,
  offer_id: null,
  status: o.status,
  attempts: o.attempts,
  notes: notesJson(o.notes),
  created_at: o.createdAt
})

export const paymentJson = (p: Payment) => ({
  id: p.id,
  entity: "payment",
  amount: p.amount,
  currency: "INR",
  status: p.status,
  order_id: p.orderId,
  invoice_id: null,
  international: false,
  method: p.method,
  amount_refunded: p.amountRefunded,
  refund_status: p.amountRefunded === 0 ? null : p.amountRefunded < p.amount ? "partial" : "full",
  captured: p.status === "captured" || p.status === "refunded",
  description: null,
  card_id: null,
  bank: null,
  wallet: null,
  vpa: p.method === "upi" ? (p.failed ? "failure@razorpay" : "success@razorpay") : null,
  email: "void@razorpay.com",
  contact: "+919000090000",
  notes: [],
  error_code: p.failed ? "BAD_REQUEST_ERROR" : null,
  error_description: p.failed ? FAILURE : null,
  error_source: p.failed ? "bank" : null,
  error_step: p.failed ? "payment_authorization" : null,
  error_reason: p.failed ? "payment_failed" : null,
  acquirer_data: {},
  created_at: p.createdAt
})

export const refundJson = (r: Refund) => ({
  id: r.id,
  entity: "refund",
  amount: r.amount,
  currency: "INR",
  payment_id: r.paymentId,
  notes: notesJson(r.notes),
  receipt: r.receipt,
  acquirer_data: { arn: null },
  created_at: r.createdAt,
  batch_id: null,
  status: "processed",
  speed_processed: "normal",
  speed_requested: "normal"
})

export const paymentEvent = (event: string, p: Payment): WebhookEvent => ({
  event,
  contains: ["payment"],
  payload: { payment: { entity: paymentJson(p) } }
})
