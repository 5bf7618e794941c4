import { Args, Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "@effect/sql"
import { Config, Console, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { clusterFor } from "../ClusterRoles.js"
import * as Commands from "./Commands.js"
import { parseEntityId } from "./EntityInspection.js"
import type { Report } from "./Report.js"

/** An id that is not there: the report says so, and the process exits with 1. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {}) {}

/** A mistake in how `qc` was called or configured: a message, no stack trace, exit 2. */
export class UsageProblem extends Schema.TaggedError<UsageProblem>()("UsageProblem", { message: Schema.String }) {}

/**
 * `DATABASE_URL` (required: `qc` reads another process's database, never an embedded one).
 * Its connections are named `qc-inspect`, so they are told apart in `pg_stat_activity`.
 */
const Database = Layer.unwrapEffect(
  Effect.gen(function*() {
    const url = yield* Config.option(Config.redacted("DATABASE_URL")).pipe(Effect.orElseSucceed(() => Option.none()))
    if (Option.isNone(url) || Redacted.value(url.value).trim() === "") {
      return yield* new UsageProblem({ message: "DATABASE_URL is required, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/qc" })
    }
    return PgClient.layer({ url: url.value, maxConnections: 3, applicationName: "qc-inspect", connectTimeout: "5 seconds" })
  })
)

/** Same setting and default as the runners (ClusterRoles): how stale a heartbeat may be. */
const shardLockExpiration = Config.duration("SHARD_LOCK_EXPIRATION").pipe(
  Config.withDefault(Duration.seconds(6)),
  Effect.map(Duration.toMillis),
  Effect.orElseSucceed(() => 6000)
)

const json = Options.boolean("json").pipe(Options.withDescription("one JSON document on stdout instead of tables"))

/** An integer option of at least `min`, refused by the parser (exit 2) below it. */
const integerAtLeast = (name: string, min: number, fallback: number, description: string) =>
  Options.integer(name).pipe(
    Options.withDefault(fallback),
    Options.mapEffect((n) =>
      n >= min ? Effect.succeed(n) : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name} must be at least ${min}, got ${n}`)))
    ),
    Options.withDescription(`${description} (default ${fallback})`)
  )

/** Runs a command on the database and prints its report. */
const execute = <E>(asJson: boolean, command: Effect.Effect<Report, E, SqlClient.SqlClient | PgClient.PgClient>) =>
  command.pipe(
    Effect.flatMap((r) =>
      Effect.zipRight(Console.log(asJson ? JSON.stringify(r.json, null, 2) : r.text), r.found ? Effect.void : new NotFound())
    ),
    Effect.provide(Database)
  )

const runners = Command.make("runners", { json }, ({ json }) => execute(json, Effect.flatMap(shardLockExpiration, Commands.runners))).pipe(
  Command.withDescription(
    "The cluster's runners: address, regions (shard groups) it hosts, healthy (flagged healthy and heart-beating " +
      "within SHARD_LOCK_EXPIRATION, default 6 s), and the shards it owns. From cluster_runners, and from the " +
      "advisory locks (pg_locks) held by connections named `qc-runner host:port`."
  )
)

const region = Options.text("region").pipe(Options.optional, Options.withDescription("only this region's shards, e.g. pune-west"))

const shards = Command.make("shards", { json, region }, ({ json, region }) => execute(json, Commands.shards(region))).pipe(
  Command.withDescription("Every shard and the runner holding its lock (`pune-west:17 → localhost:34432`); (unowned) when none does.")
)

const entityType = Args.choice([["StoreSku", "StoreSku"], ["Order", "Order"]] as const, { name: "type" })
const entityId = Args.text({ name: "id" }).pipe(Args.withDescription("StoreSku: {storeId}/{skuId}; Order: the order id"))
const timeout = integerAtLeast("timeout", 0, 10, "seconds to wait for the cluster before showing only what Postgres has")

const entity = Command.make("entity", { json, timeout, type: entityType, id: entityId }, ({ id, json, timeout, type }) =>
  Effect.gen(function*() {
    const parsed = parseEntityId(type, id)
    if (parsed._tag === "Left") return yield* new UsageProblem({ message: parsed.left })
    const expirationMs = yield* shardLockExpiration
    yield* execute(
      json,
      Effect.gen(function*() {
        // The client-only cluster uses this command's database; it registers no runner and hosts nothing.
        const database = yield* Effect.context<SqlClient.SqlClient | PgClient.PgClient>()
        const cluster = clusterFor({ _tag: "Client" }).pipe(Layer.provide(Layer.succeedContext(database)), Layer.orDie)
        return yield* Commands.entity(type, parsed.right, { cluster, timeout: Duration.seconds(timeout), expirationMs })
      })
    )
  })).pipe(
    Command.withDescription(
      "Where an entity lives (its shard, the runner owning it) and its state: Postgres' row next to what the " +
        "entity holds, asked through a client-only cluster (Snapshot / Get; this activates the entity on its " +
        "runner, and writes nothing). If the cluster does not answer within --timeout, only Postgres is shown. " +
        "A single-process server (pnpm start) listens on no cluster socket, so its entities are never reached from here."
    )
  )

const orderId = Args.text({ name: "orderId" })

const order = Command.make("order", { json, orderId }, ({ json, orderId }) => execute(json, Commands.order(orderId))).pipe(
  Command.withDescription("One order from Postgres: its lines, timeline, saga steps, payments, refunds and ops tickets.")
)

const limit = (fallback: number) => integerAtLeast("limit", 1, fallback, "at most this many rows")

const after = integerAtLeast("after", 0, 0, "outbox seq to start after")

const events = Command.make("events", { json, after, limit: limit(100) }, ({ after, json, limit }) =>
  execute(json, Commands.events(after, limit))).pipe(
    Command.withDescription("Domain events in the outbox after seq --after, oldest first.")
  )

const lag = Command.make("lag", { json }, ({ json }) => execute(json, Commands.lag)).pipe(
  Command.withDescription("Per outbox subscriber: its cursor, the outbox head, lag = max(outbox.seq) − cursor, and the oldest event it has not handled.")
)

const tickets = Command.make("tickets", { json, limit: limit(100) }, ({ json, limit }) => execute(json, Commands.openTickets(limit))).pipe(
  Command.withDescription(
    "Ops tickets, newest first, with the current status of their order. A ticket has no closed state in this " +
      "schema (ops_tickets has no status column), so every ticket is open."
  )
)

const olderThan = integerAtLeast("older-than", 0, 300, "seconds past due after which an unprocessed cluster message counts")
const scan = integerAtLeast("scan", 0, 10_000, "latest outbox events to check")

const deadLetters = Command.make("dead-letters", { json, limit: limit(100), olderThan, scan }, ({ json, limit, olderThan, scan }) =>
  execute(json, Commands.deadLetters({ olderThanMs: olderThan * 1000, limit, scan }))).pipe(
    Command.withDescription(
      "What will not be delivered without a person. (1) Persisted cluster messages (cluster_messages, requests) whose " +
        "last reply (cluster_replies, WithExit) is a failure, or still unprocessed --older-than seconds after their " +
        "delivery time (deliver_at, else when sent). The entities' messages here are volatile (never stored), so in " +
        "practice these are ClusterCron runs. (2) Outbox events that do not decode as a domain event: every subscriber passes " +
        "over them. Not included: webhook_events, which records only that an event id was claimed (a failed handling " +
        "deletes its row so Razorpay's retry runs it again), so it holds no failures."
    )
  )

export const qc = Command.make("qc", {}, () => new UsageProblem({ message: "name a command; qc --help lists them" })).pipe(
  Command.withDescription("Inspects the quick-commerce cluster and its Postgres database; reads only. Exit: 0 ok, 1 not found, 2 usage, 3 Postgres unreachable or failing."),
  Command.withSubcommands([runners, shards, entity, order, events, lag, tickets, deadLetters])
)

export const cli = Command.run(qc, { name: "qc", version: "0.0.0" })
