import { Schema } from "effect"

/** What bench/checkout-load.mjs and bench/checkout-probe.mjs print or answer, decoded at the process boundary. */

export const Latency = Schema.Struct({ n: Schema.Number, p50: Schema.Number, p99: Schema.Number, max: Schema.Number })

export const CatalogueResult = Schema.Struct({
  stores: Schema.Number,
  storeSkus: Schema.Number,
  stocked: Schema.Number,
  seconds: Schema.Number
})

export const WarmResult = Schema.Struct({
  requests: Schema.Number,
  errors: Schema.Number,
  seconds: Schema.Number,
  latencyMs: Latency
})

export const OrdersResult = Schema.Struct({
  orders: Schema.Number,
  concurrency: Schema.Number,
  seconds: Schema.Number,
  confirmed: Schema.Number,
  conflicts: Schema.Number,
  failures: Schema.Number,
  unconfirmed: Schema.Number,
  failureReasons: Schema.Array(Schema.String),
  confirmedPerMinute: Schema.Number,
  pollsPerOrder: Schema.Number,
  cpuMs: Schema.Number,
  placeMs: Latency,
  placeServerMs: Latency,
  payMs: Latency,
  paidSeenConfirmedMs: Latency,
  placedToConfirmedMs: Latency,
  paidToConfirmedMs: Latency
})
export type OrdersResult = typeof OrdersResult.Type

export const ProbeCounts = Schema.Struct({
  statements: Schema.Number,
  gcMs: Schema.Number,
  gcCount: Schema.Number,
  loopDelayP99Ms: Schema.Number,
  loopDelayMaxMs: Schema.Number,
  rssBytes: Schema.Number,
  heapUsedBytes: Schema.Number
})
export type ProbeCounts = typeof ProbeCounts.Type

export const TableCounters = Schema.Struct({
  relname: Schema.String,
  ins: Schema.Number,
  upd: Schema.Number,
  del: Schema.Number,
  seq: Schema.Number,
  idx: Schema.Number
})
export type TableCounters = typeof TableCounters.Type

export const PgliteStats = Schema.Struct({
  tables: Schema.Array(TableCounters),
  database: Schema.optional(Schema.Struct({ commits: Schema.Number, rollbacks: Schema.Number }))
})
