import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { DomainEvent } from "@qc/domain/events/DomainEvent"
import { Clock, Effect, Either, Option, ParseResult, Schedule, Schema, Stream } from "effect"
import { isPostgresServer } from "./Database.js"

/** An event read back from the outbox: its position and commit time (epoch ms) added. */
export type PublishedEvent = DomainEvent & { readonly seq: number; readonly at: number }

interface OutboxRow {
  readonly seq: string | number
  readonly type: string
  readonly aggregate_id: string
  readonly payload: unknown
  readonly at: Date | string
}

/** A row read back: the event, or why it does not decode (it is then skipped, never handed on). */
interface ReadRow {
  readonly seq: number
  readonly at: number
  readonly event: Either.Either<PublishedEvent, ParseResult.ParseError>
}

const encodeEvents = Schema.encode(Schema.Array(DomainEvent))
const decodeEvent = Schema.decodeUnknownEither(DomainEvent)
const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())

const read = (r: OutboxRow): ReadRow => {
  const seq = Number(r.seq)
  const at = new Date(r.at).getTime()
  // jsonb comes back parsed from `pg` and PGlite; text only from a driver that does not parse it.
  const payload = typeof r.payload === "string" ? decodeJson(r.payload) : Either.right(r.payload)
  const event = Either.flatMap(payload, (payload) => decodeEvent({ type: r.type, aggregateId: r.aggregate_id, payload }))
  return { seq, at, event: Either.map(event, (e): PublishedEvent => ({ ...e, seq, at })) }
}

/** The events of rows that decode; each one that does not is logged once here. */
const decoded = (rows: ReadonlyArray<ReadRow>) =>
  Effect.as(
    Effect.forEach(rows, (r) =>
      Either.isLeft(r.event)
        ? Effect.logWarning(`outbox row ${r.seq} skipped: not a valid event`, ParseResult.TreeFormatter.formatErrorSync(r.event.left))
        : Effect.void, { discard: true }),
    rows.flatMap((r) => (Either.isRight(r.event) ? [r.event.right] : []))
  )

const notifyChannel = "qc_outbox"
/** Followers re-read the outbox at least this often even without a hint. */
const safetyPollMs = 5_000

/** How long a gap in `seq` may be a transaction that has not committed yet. */
const gapGraceMs = 2_000

/**
 * The outbox. `publish` must run inside the transaction of the change it reports
 * (it uses the caller's connection), so an event exists iff its change committed.
 * A dispatcher delivers events to in-process subscribers, at least once, in order.
 */
export class DomainEvents extends Effect.Service<DomainEvents>()("DomainEvents", {
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const subscribers = new Map<string, (event: PublishedEvent) => Effect.Effect<void>>()
    // Other runners exist only on a Postgres server; PGlite is one process.
    const pg = Option.filter(yield* Effect.serviceOption(PgClient.PgClient), isPostgresServer)
    /** Follower polls still owed to publishes made by this process. */
    let localPublishes = 0

    /** Encoded with their schemas: an event that does not encode is a defect, and so is its transaction. */
    const publish = (events: ReadonlyArray<DomainEvent>) =>
      events.length === 0 ? Effect.void : Effect.gen(function*() {
        const encoded = yield* encodeEvents(events)
        localPublishes = 3
        const at = new Date(yield* Clock.currentTimeMillis).toISOString()
        const rows = sql`SELECT * FROM unnest(${encoded.map((e) => e.type)}::text[], ${encoded.map((e) => e.aggregateId)}::text[],
                               ${encoded.map((e) => JSON.stringify(e.payload))}::jsonb[], ${encoded.map(() => at)}::timestamptz[])`
        if (Option.isSome(pg)) {
          // One round trip: the rows, and the NOTIFY that every runner's listener gets when
          // (and only if) the transaction commits.
          yield* sql`WITH inserted AS (INSERT INTO outbox (type, aggregate_id, payload, at) ${rows} RETURNING 1)
            SELECT pg_notify(${notifyChannel}, '') FROM (SELECT 1 FROM inserted LIMIT 1) AS one`
        } else {
          yield* sql`INSERT INTO outbox (type, aggregate_id, payload, at) ${rows}`
        }
      }).pipe(Effect.orDie)

    const readAfter = (after: number, limit: number) =>
      Effect.map(
        sql<OutboxRow>`
          SELECT seq, type, aggregate_id, payload, at FROM outbox WHERE seq > ${after} ORDER BY seq LIMIT ${limit}`,
        (rows) => rows.map(read)
      )

    /** Events after `after`, in order; rows that do not decode are logged and left out. */
    const list = (after: number, limit: number) => readAfter(after, limit).pipe(Effect.flatMap(decoded), Effect.orDie)

    const deliver = (name: string, handler: (event: PublishedEvent) => Effect.Effect<void>) =>
      Effect.gen(function*() {
        const [row] = yield* sql<{ seq: string | number }>`SELECT seq FROM outbox_cursors WHERE subscriber = ${name}`
        let cursor = row ? Number(row.seq) : 0
        const now = yield* Clock.currentTimeMillis
        const rows = yield* readAfter(cursor, 500)
        for (const r of rows) {
          // A missing seq may belong to a transaction still open: wait for it a little.
          if (r.seq !== cursor + 1 && now - r.at < gapGraceMs) break
          // A row that does not decode is passed over, so it cannot stop this subscriber for good.
          const [event] = yield* decoded([r])
          if (event !== undefined) yield* handler(event)
          cursor = r.seq
        }
        if (!row || Number(row.seq) !== cursor) {
          yield* sql`INSERT INTO outbox_cursors (subscriber, seq) VALUES (${name}, ${cursor})
            ON CONFLICT (subscriber) DO UPDATE SET seq = EXCLUDED.seq`
        }
      }).pipe(Effect.orDie)

    const scope = yield* Effect.scope
    // Started by the first subscriber: with none there is nothing to poll for.
    // The pause between rounds is on the wall clock even under a TestClock (I/O polling: a test
    // that jumps the clock by an hour must not turn it into 18,000 rounds); the handlers still
    // read the ambient clock.
    const wallClock = Clock.make()
    const dispatcher = yield* Effect.cached(Effect.forkIn(
      Effect.forever(
        Effect.forEach(subscribers, ([name, handler]) => deliver(name, handler), { discard: true }).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("event dispatch failed", cause)),
          Effect.zipRight(Effect.withClock(Effect.sleep("200 millis"), wallClock))
        )
      ),
      scope
    ))

    /**
     * Per-runner and not durable: from the current end of the outbox on, every new
     * event, at least once, promptly (a gap is re-read later instead of waited for).
     * For in-memory read models whose state carries a version to apply against.
     * One poll loop serves every follower of this runner.
     */
    const followers: Array<(events: ReadonlyArray<PublishedEvent>) => Effect.Effect<void>> = []
    const tail = Effect.gen(function*() {
      const [end] = yield* sql<{ seq: string | number | null }>`SELECT max(seq) AS seq FROM outbox`.pipe(Effect.orDie)
      let cursor = Number(end?.seq ?? 0)
      const gaps = new Map<number, number>()
      const poll = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const gapList = [...gaps.keys()]
        const rows = yield* sql<OutboxRow>`
          SELECT seq, type, aggregate_id, payload, at FROM outbox
           WHERE seq > ${cursor} OR seq = ANY(${gapList}::bigint[]) ORDER BY seq LIMIT 2000`
        const fetched = rows.map(read)
        for (const r of fetched) {
          gaps.delete(r.seq)
          if (r.seq > cursor) {
            for (let missing = cursor + 1; missing < r.seq; missing++) gaps.set(missing, now)
            cursor = r.seq
          }
        }
        const events = yield* decoded(fetched)
        for (const [seq, since] of gaps) if (now - since > gapGraceMs) gaps.delete(seq)
        if (events.length > 0) yield* Effect.forEach(followers, (f) => f(events), { discard: true })
      }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("event follower failed", cause)))
      // Polls right after a publish from this process (its commit may land a moment later)
      // or a NOTIFY from another runner's commit (Postgres); otherwise only a slow safety poll.
      let remote = false
      if (Option.isSome(pg)) {
        yield* Effect.forkIn(
          pg.value.listen(notifyChannel).pipe(
            Stream.runForEach(() => Effect.sync(() => (remote = true))),
            Effect.catchAllCause((cause) => Effect.logWarning("outbox listener stopped", cause))
          ),
          scope
        )
      }
      let lastPoll = 0
      const maybePoll = Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (localPublishes === 0 && !remote && now - lastPoll < safetyPollMs) return Effect.void
        localPublishes = Math.max(0, localPublishes - 1)
        remote = false
        lastPoll = now
        return poll
      })
      // Paced by the wall clock even under a TestClock: this is I/O polling, and a test
      // that jumps the clock by minutes must not turn it into thousands of queries.
      yield* Effect.forkIn(Effect.withClock(Effect.repeat(maybePoll, Schedule.spaced("100 millis")), Clock.make()), scope)
    })
    const tailing = yield* Effect.cached(tail)
    const follow = (handler: (events: ReadonlyArray<PublishedEvent>) => Effect.Effect<void>) =>
      Effect.zipRight(Effect.sync(() => followers.push(handler)), tailing)

    return {
      publish,
      list,
      follow,
      /** Registers an in-process subscriber; its cursor is durable under `name`. */
      subscribe: (name: string, handler: (event: PublishedEvent) => Effect.Effect<void>) =>
        Effect.zipRight(
          Effect.sync(() => {
            subscribers.set(name, handler)
          }),
          Effect.asVoid(dispatcher)
        )
    } as const
  })
}) {}
