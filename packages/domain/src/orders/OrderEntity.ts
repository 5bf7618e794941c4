import { ClusterSchema, Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { Schema } from "effect"
import { InvalidInput, ServiceUnavailable } from "../Errors.js"
import { OrderEvent } from "../events/OrderEvents.js"
import { PaymentEvent } from "../events/PaymentEvents.js"
import { FulfilmentEvent, StoreSlaBreached } from "../events/FulfilmentEvents.js"
import { Paise } from "../Money.js"
import { regionOfOrderId } from "../stores/Regions.js"
import { OrderStateConflict, PackedReportInvalid } from "../stores/FulfilmentErrors.js"
import { PackedReport } from "../stores/StoreOps.js"
import { maskPhone, firstName } from "../stores/Riders.js"
import { DateTime } from "effect"
import { Fulfilment } from "./Fulfilment.js"
import { CustomerId, OrderId, OrderLine, OrderStatus, OrderView, PlacedOrder, TimelineEntry } from "./Order.js"

/** An order line as kept: its number and the reservation that holds its stock. */
export const StoredOrderLine = Schema.Struct({
  ...OrderLine.fields,
  lineNo: Schema.Int,
  reservationId: Schema.String
})
export type StoredOrderLine = typeof StoredOrderLine.Type

const inFlight = new Set<string>(["RIDER_ASSIGNED", "OUT_FOR_DELIVERY"])

/** Everything one order is, as its entity holds it in memory. */
export class OrderState extends Schema.Class<OrderState>("OrderState")({
  orderId: OrderId,
  customerId: CustomerId,
  idempotencyKey: Schema.String,
  /** Digest of the placing request, to tell a retry (same body) from a reused key. */
  requestHash: Schema.String,
  status: OrderStatus,
  statusReason: Schema.NullOr(Schema.String),
  pincode: Schema.String,
  lines: Schema.Array(StoredOrderLine),
  total: Paise,
  currency: Schema.String,
  razorpayOrderId: Schema.String,
  /** The captured payment the order was confirmed with. */
  paymentId: Schema.NullOr(Schema.String),
  placedAt: Schema.DateTimeUtc,
  timeline: Schema.Array(TimelineEntry),
  /** The 201 answer of the placing request, for replays of its Idempotency-Key. */
  placed: PlacedOrder,
  /** After CONFIRMED: picking, packing, rider, delivery. */
  fulfilment: Schema.NullOr(Fulfilment)
}) {
  get view(): OrderView {
    return new OrderView({
      orderId: this.orderId,
      customerId: this.customerId,
      status: this.status,
      statusReason: this.statusReason,
      pincode: this.pincode,
      lines: this.lines.map(({ lineNo: _, reservationId: __, ...line }) => line),
      total: this.total,
      razorpayOrderId: this.razorpayOrderId,
      placedAt: this.placedAt,
      timeline: this.timeline,
      eta: inFlight.has(this.status) && this.fulfilment?.rider ? DateTime.unsafeMake(this.fulfilment.rider.etaAt) : null,
      rider: this.fulfilment?.rider ? { firstName: firstName(this.fulfilment.rider.name), phone: maskPhone(this.fulfilment.rider.phone) } : null,
      shortPickRefund: this.fulfilment?.shortRefund ?? 0
    })
  }
}

/** The domain events an order command writes to the outbox with the change that causes them. */
export const OrderCommandEvent = Schema.Union(OrderEvent, FulfilmentEvent, PaymentEvent, StoreSlaBreached)
export type OrderCommandEvent = typeof OrderCommandEvent.Type

export const PlaceOrderCommand = Schema.Struct({
  customerId: CustomerId,
  idempotencyKey: Schema.String,
  requestHash: Schema.String,
  pincode: Schema.String,
  lines: Schema.Array(StoredOrderLine),
  placed: PlacedOrder
})

export const OrderPaymentCommand = Schema.Struct({
  paymentId: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  status: Schema.String,
  method: Schema.String
})

export const OrderRefundCommand = Schema.Struct({
  refundId: Schema.String,
  paymentId: Schema.String,
  amount: Schema.Int,
  status: Schema.String,
  reason: Schema.String
})

/** A payment as Razorpay reports it (webhook or lookup): what the order decides on. */
export const PaymentReport = Schema.Struct({
  paymentId: Schema.String,
  status: Schema.Literal("authorized", "captured", "failed"),
  amount: Schema.Int,
  currency: Schema.String,
  method: Schema.String
})
export type PaymentReport = typeof PaymentReport.Type

/** A command whose rows could not be committed fails alone (400 if the database refused a value, else 503). */
const NotCommitted = [InvalidInput, ServiceUnavailable] as const

/** The order asked for does not exist (placement never stored it). */
export class OrderMissing extends Schema.TaggedError<OrderMissing>()("OrderMissing", { orderId: Schema.String }) {}

/**
 * One order; entity id `{orderId}`. The only writer of the order's rows (order, lines,
 * timeline, saga steps, payments, refunds, tickets): it holds the order in memory for
 * reads, and commits every change (with its domain events) before it answers, in a
 * transaction shared with the changes of other orders on this runner (group commit).
 *
 * Volatile messages, like StoreSku: each command is idempotent on the entity's state
 * (a place answers the stored order, a status move is guarded by `from`, payments
 * and refunds are keyed by their gateway ids), so a retried message changes nothing twice.
 *
 * Its shard group is the region its id names (`ord_{region}_…`): it runs on that region's runners.
 */
export const OrderEntity = Entity.make("Order", [
  Rpc.make("Get", { success: Schema.Option(OrderState) }),
  /** Stores a placed order; answers the order as stored (another request's, if it won). */
  Rpc.make("Place", { payload: PlaceOrderCommand.fields, success: OrderState, error: Schema.Union(...NotCommitted) }),
  /** Moves the status if it is one of `from`; answers whether it moved. */
  Rpc.make("Transition", {
    payload: {
      from: Schema.Array(OrderStatus),
      to: OrderStatus,
      reason: Schema.NullOr(Schema.String),
      paymentId: Schema.optional(Schema.String),
      events: Schema.Array(OrderCommandEvent)
    },
    success: Schema.Boolean,
    error: Schema.Union(OrderMissing, ...NotCommitted)
  }),
  /** A payment as the gateway reported it; a late "authorized" never overwrites "captured". Answers the order. */
  Rpc.make("RecordPayment", { payload: OrderPaymentCommand.fields, success: OrderState, error: Schema.Union(OrderMissing, ...NotCommitted) }),
  /** A refund we made or the gateway reported; `payment.refunded` goes out the first time. */
  Rpc.make("RecordRefund", { payload: OrderRefundCommand.fields, error: Schema.Union(OrderMissing, ...NotCommitted) }),
  /**
   * The order's lifecycle, driven by the entity itself (a process manager): a payment
   * reported by the webhook decides PAID (then stock committed, CONFIRMED) or FAILED; a
   * capture the order does not keep is refunded. Answers the order after acting.
   */
  Rpc.make("PaymentReported", { payload: PaymentReport.fields, success: OrderState, error: Schema.Union(OrderMissing, ...NotCommitted) }),
  /**
   * A cancel: the customer's until PACKED (before picking ends), ops' until the rider picks it up.
   * Answers the order (its status says whether it took).
   */
  Rpc.make("Cancel", {
    payload: { by: Schema.optional(Schema.Literal("customer", "ops")) },
    success: OrderState,
    error: Schema.Union(OrderMissing, ...NotCommitted)
  }),
  /** A picker took the order's lines at a store (claimed in the store app, or auto-assigned). */
  Rpc.make("StartPicking", {
    payload: { storeId: Schema.String, pickerId: Schema.String },
    success: OrderState,
    error: Schema.Union(OrderMissing, OrderStateConflict, ...NotCommitted)
  }),
  /**
   * A store packed its part (store app or WMS); a line left out was packed in full. A repeat
   * for a part already packed changes nothing and answers the order.
   */
  Rpc.make("Packed", {
    payload: { storeId: Schema.String, ...PackedReport.fields, source: Schema.Literal("store_app", "wms"), by: Schema.NullOr(Schema.String) },
    success: OrderState,
    error: Schema.Union(OrderMissing, OrderStateConflict, PackedReportInvalid, ...NotCommitted)
  }),
  /** The assigned rider has it: OUT_FOR_DELIVERY. */
  Rpc.make("PickedUp", {
    payload: { riderId: Schema.String },
    success: OrderState,
    error: Schema.Union(OrderMissing, OrderStateConflict, ...NotCommitted)
  }),
  /** The assigned rider handed it over: DELIVERED (a delivery reported before the pick-up implies it). */
  Rpc.make("Delivered", {
    payload: { riderId: Schema.String },
    success: OrderState,
    error: Schema.Union(OrderMissing, OrderStateConflict, ...NotCommitted)
  }),
  /** Ops, after pick-up: refund, and restock or write off the goods. */
  Rpc.make("Undeliverable", {
    payload: { reason: Schema.String, stock: Schema.Literal("restock", "write_off") },
    success: OrderState,
    error: Schema.Union(OrderMissing, OrderStateConflict, ...NotCommitted)
  }),
  /**
   * Acts on what is due: the payment deadline (ask Razorpay, then confirm or fail) or the
   * steps of a decision a crash interrupted. Sent by the due-order sweep after a restart.
   */
  Rpc.make("Wake", { success: Schema.Option(OrderState), error: Schema.Union(OrderMissing, ...NotCommitted) }),
  /** Something a person must look at (e.g. paid but not allocatable). */
  Rpc.make("OpenTicket", { payload: { reason: Schema.String, detail: Schema.String }, error: Schema.Union(OrderMissing, ...NotCommitted) })
]).annotate(ClusterSchema.ShardGroup, regionOfOrderId)
