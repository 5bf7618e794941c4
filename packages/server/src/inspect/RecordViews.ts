import { Snowflake } from "@effect/cluster"
import type { StuckMessage } from "./ClusterQueries.js"
import type { OrderDetail, OutboxRow, SubscriberLag, TicketRow } from "./RecordQueries.js"
import type { Report } from "./Report.js"
import { clip, keyValues, report, section, table } from "./Report.js"

const money = (amount: number, currency: string) => (currency === "INR" ? `₹${(amount / 100).toFixed(2)}` : `${amount} ${currency}`)

export const renderOrder = (detail: OrderDetail): Report => {
  const o = detail.order
  const head = keyValues([
    ["order", o.orderId],
    ["customer", o.customerId],
    ["status", o.statusReason === null ? o.status : `${o.status} (${o.statusReason})`],
    ["total", money(o.total, o.currency)],
    ["pincode", o.pincode],
    ["razorpay order", o.razorpayOrderId],
    ["payment kept", o.paymentId],
    ["placed", o.placedAt],
    ["updated", o.updatedAt],
    ["due", o.dueAt]
  ])
  const blocks = [
    head,
    section("lines:", detail.lines.length === 0 ? undefined : table(
      ["#", "SKU", "STORE", "QTY", "UNIT PRICE", "RESERVATION"],
      detail.lines.map((l) => [l.lineNo, l.skuId, l.storeId, l.qty, money(l.unitPrice, o.currency), l.reservationId])
    )),
    section("timeline:", detail.timeline.length === 0 ? undefined : table(
      ["#", "AT", "STATUS", "REASON"],
      detail.timeline.map((t) => [t.seq, t.at, t.status, t.reason])
    )),
    section("saga steps:", detail.sagaSteps.length === 0 ? undefined : table(
      ["#", "AT", "STEP", "DETAIL"],
      detail.sagaSteps.map((s) => [s.seq, s.at, s.step, s.detail === null ? null : clip(s.detail)])
    )),
    section("payments:", detail.payments.length === 0 ? undefined : table(
      ["PAYMENT", "STATUS", "AMOUNT", "METHOD", "UPDATED"],
      detail.payments.map((p) => [p.paymentId, p.status, money(p.amount, p.currency), p.method, p.updatedAt])
    )),
    section("refunds:", detail.refunds.length === 0 ? undefined : table(
      ["REFUND", "PAYMENT", "STATUS", "AMOUNT", "REASON", "AT"],
      detail.refunds.map((r) => [r.refundId, r.paymentId, r.status, money(r.amount, o.currency), r.reason, r.at])
    )),
    section("tickets:", detail.tickets.length === 0 ? undefined : table(
      ["#", "AT", "REASON", "DETAIL"],
      detail.tickets.map((t) => [t.id, t.at, t.reason, t.detail === null ? null : clip(t.detail)])
    ))
  ]
  return report(blocks.join("\n\n"), detail)
}

export const renderEvents = (after: number, events: ReadonlyArray<OutboxRow>): Report => {
  const text = events.length === 0
    ? `No event after seq ${after}.`
    : table(
      ["SEQ", "AT", "TYPE", "AGGREGATE", "PAYLOAD"],
      events.map((e) => [e.seq, e.at, e.type, e.aggregateId, clip(JSON.stringify(e.payload), 60)])
    )
  const next = events.length === 0 ? after : events[events.length - 1].seq
  return report(events.length === 0 ? text : `${text}\n\nnext: qc events --after ${next}`, { after, next, events })
}

export const renderLag = (lags: ReadonlyArray<SubscriberLag>): Report => {
  const text = lags.length === 0
    ? "No outbox subscriber has a cursor yet."
    : table(
      ["SUBSCRIBER", "CURSOR", "HEAD", "LAG", "OLDEST PENDING"],
      lags.map((l) => [l.subscriber, l.cursor, l.head, l.lag, l.oldestPendingAt])
    )
  return report(text, { subscribers: lags })
}

export const renderTickets = (tickets: ReadonlyArray<TicketRow>): Report => {
  const text = tickets.length === 0
    ? "No ops ticket."
    : table(
      ["#", "AT", "ORDER", "ORDER STATUS", "REASON", "DETAIL"],
      tickets.map((t) => [t.id, t.at, t.orderId, t.orderStatus, t.reason, t.detail === null ? null : clip(t.detail, 60)])
    )
  return report(text, { tickets })
}

/** What `qc dead-letters` found, and how far it looked. */
export interface DeadLetters {
  /** False when no runner ever started on this database (no cluster tables). */
  readonly clusterTables: boolean
  readonly olderThanMs: number
  readonly messages: ReadonlyArray<StuckMessage>
  readonly scannedEvents: number
  readonly undeliverableEvents: ReadonlyArray<OutboxRow>
}

/** When a message was sent: the time in its snowflake id. */
const sentAt = (id: string) => new Date(Snowflake.timestamp(Snowflake.Snowflake(id))).toISOString()

const messageState = (m: StuckMessage) =>
  m.failure !== null
    ? "failed"
    : m.deliverAt !== null
    ? `unprocessed, due ${new Date(m.deliverAt).toISOString()}`
    : `unprocessed, sent ${sentAt(m.id)}`

export const renderDeadLetters = (found: DeadLetters): Report => {
  const messages = !found.clusterTables
    ? "  (no cluster tables: no runner has started on this database)"
    : found.messages.length === 0
    ? undefined
    : table(
      ["MESSAGE", "ENTITY", "SHARD", "RPC", "STATE", "LAST READ", "FAILURE"],
      found.messages.map((m) => [
        m.id,
        `${m.entityType} ${m.entityId}`,
        m.shardId,
        m.tag,
        messageState(m),
        m.lastRead === null ? null : m.lastRead.toISOString(),
        m.failure === null ? null : clip(m.failure, 60)
      ])
    )
  const events = found.undeliverableEvents.length === 0
    ? undefined
    : table(
      ["SEQ", "AT", "TYPE", "AGGREGATE", "PAYLOAD"],
      found.undeliverableEvents.map((e) => [e.seq, e.at, e.type, e.aggregateId, clip(JSON.stringify(e.payload), 60)])
    )
  const text = [
    section(`persisted cluster messages that failed, or are unprocessed ${Math.round(found.olderThanMs / 1000)} s past due:`, messages),
    section(`outbox events no subscriber will deliver (do not decode; latest ${found.scannedEvents} scanned):`, events)
  ].join("\n\n")
  return report(text, {
    olderThanMs: found.olderThanMs,
    clusterTables: found.clusterTables,
    messages: found.messages.map((m) => ({ ...m, sentAt: sentAt(m.id), lastRead: m.lastRead === null ? null : m.lastRead.toISOString() })),
    scannedEvents: found.scannedEvents,
    undeliverableEvents: found.undeliverableEvents
  })
}
