import { SqlClient } from "@effect/sql"
import { Clock, Effect, Schedule } from "effect"

export interface DomainEvent {
  readonly seq: number
  readonly type: string
  readonly aggregateId: string
  readonly payload: unknown
  readonly at: number
}

export interface NewEvent {
  readonly type: string
  readonly aggregateId: string
  readonly payload: unknown
}

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
    const subscribers = new Map<string, (event: DomainEvent) => Effect.Effect<void>>()

    const publish = (events: ReadonlyArray<NewEvent>) =>
      events.length === 0 ? Effect.void : Effect.gen(function*() {
        const at = new Date(yield* Clock.currentTimeMillis).toISOString()
        yield* sql`INSERT INTO outbox (type, aggregate_id, payload, at)
          SELECT * FROM unnest(${events.map((e) => e.type)}::text[], ${events.map((e) => e.aggregateId)}::text[],
                               ${events.map((e) => JSON.stringify(e.payload))}::jsonb[], ${events.map(() => at)}::timestamptz[])`
      }).pipe(Effect.orDie)

    const list = (after: number, limit: number) =>
      sql<{ seq: string | number; type: string; aggregate_id: string; payload: unknown; at: Date | string }>`
        SELECT seq, type, aggregate_id, payload, at FROM outbox WHERE seq > ${after} ORDER BY seq LIMIT ${limit}`.pipe(
        Effect.map((rows) =>
          rows.map((r): DomainEvent => ({
            seq: Number(r.seq),
            type: r.type,
            aggregateId: r.aggregate_id,
            payload: typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload,
            at: new Date(r.at).getTime()
          }))
        ),
        Effect.orDie
      )

    const deliver = (name: string, handler: (event: DomainEvent) => Effect.Effect<void>) =>
      Effect.gen(function*() {
        const [row] = yield* sql<{ seq: string | number }>`SELECT seq FROM outbox_cursors WHERE subscriber = ${name}`
        let cursor = row ? Number(row.seq) : 0
        const now = yield* Clock.currentTimeMillis
        const events = yield* list(cursor, 500)
        for (const event of events) {
          // A missing seq may belong to a transaction still open: wait for it a little.
          if (event.seq !== cursor + 1 && now - event.at < gapGraceMs) break
          yield* handler(event)
          cursor = event.seq
        }
        if (!row || Number(row.seq) !== cursor) {
          yield* sql`INSERT INTO outbox_cursors (subscriber, seq) VALUES (${name}, ${cursor})
            ON CONFLICT (subscriber) DO UPDATE SET seq = EXCLUDED.seq`
        }
      }).pipe(Effect.orDie)

    const scope = yield* Effect.scope
    // Started by the first subscriber: with none there is nothing to poll for.
    const dispatcher = yield* Effect.cached(Effect.forkIn(
      Effect.forEach(subscribers, ([name, handler]) => deliver(name, handler), { discard: true }).pipe(
        Effect.catchAllCause((cause) => Effect.logWarning("event dispatch failed", cause)),
        Effect.repeat(Schedule.spaced("200 millis"))
      ),
      scope
    ))

    /**
     * Per-runner and not durable: from the current end of the outbox on, every new
     * event, at least once, promptly (a gap is re-read later instead of waited for).
     * For in-memory read models whose state carries a version to apply against.
     */
    const follow = (handler: (events: ReadonlyArray<DomainEvent>) => Effect.Effect<void>, every = "100 millis" as const) =>
      Effect.gen(function*() {
        const [end] = yield* sql<{ seq: string | number | null }>`SELECT max(seq) AS seq FROM outbox`.pipe(Effect.orDie)
        let cursor = Number(end?.seq ?? 0)
        const gaps = new Map<number, number>()
        const poll = Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const gapList = [...gaps.keys()]
          const rows = yield* sql<{ seq: string | number; type: string; aggregate_id: string; payload: unknown; at: Date | string }>`
            SELECT seq, type, aggregate_id, payload, at FROM outbox
             WHERE seq > ${cursor} OR seq = ANY(${gapList}::bigint[]) ORDER BY seq LIMIT 2000`
          const events = rows.map((r): DomainEvent => ({
            seq: Number(r.seq),
            type: r.type,
            aggregateId: r.aggregate_id,
            payload: typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload,
            at: new Date(r.at).getTime()
          }))
          for (const e of events) {
            gaps.delete(e.seq)
            if (e.seq > cursor) {
              for (let missing = cursor + 1; missing < e.seq; missing++) gaps.set(missing, now)
              cursor = e.seq
            }
          }
          for (const [seq, since] of gaps) if (now - since > gapGraceMs) gaps.delete(seq)
          if (events.length > 0) yield* handler(events)
        }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("event follower failed", cause)))
        yield* Effect.forkScoped(Effect.repeat(poll, Schedule.spaced(every)))
      })

    return {
      publish,
      list,
      follow,
      /** Registers an in-process subscriber; its cursor is durable under `name`. */
      subscribe: (name: string, handler: (event: DomainEvent) => Effect.Effect<void>) =>
        Effect.zipRight(
          Effect.sync(() => {
            subscribers.set(name, handler)
          }),
          Effect.asVoid(dispatcher)
        )
    } as const
  })
}) {}
