import { Entity } from "@effect/cluster"
import type { InvalidInput, StoreSkuNotFound } from "@qc/domain/Errors"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { parseStoreSkuEntityId } from "@qc/domain/Ids"
import { Batch, Reservation, StoreSkuSnapshot } from "@qc/domain/stock/StoreSku"
import { StoreSkuEntity } from "@qc/domain/stock/StoreSkuEntity"
import { Clock, DateTime, Deferred, Effect, Either, Queue } from "effect"
import { commitFailure, worthSplitting } from "../platform/CommitFailure.js"
import type { ReservationRow } from "./StockRows.js"
import { PendingWrites } from "./StockRows.js"
import { countedReserve } from "./ReservationMetrics.js"
import { StoreSkuState } from "./StoreSkuState.js"
import { StockWriter } from "./StockWriter.js"
import { notFound, StoreSkuRepo, toLedgerEntry } from "./StoreSkuRepo.js"

/** One queued operation: applied in memory within a burst, answered after the burst commits. */
interface Work {
  readonly apply: (writes: PendingWrites, now: number) => Effect.Effect<void>
  readonly abort: (error: NotCommitted) => Effect.Effect<void>
}

type NotCommitted = InvalidInput | ServiceUnavailable

const shuttingDown = new ServiceUnavailable({ message: "the store-SKU is moving or shutting down; retry with the same id" })

const unavailable = new ServiceUnavailable({ message: "the stock ledger cannot be read right now; retry" })

/** Upper bound of one group commit; bounds transaction size and reply latency. */
const maxBurst = 512

// Replies are built from the entity's own state, which the state rules keep valid: the
// classes are constructed without re-validating every field (`true`), on the hot path of
// every reserve and commit.
export const toReservation = (state: StoreSkuState, r: ReservationRow) =>
  new Reservation({
    reservationId: r.id,
    storeId: state.storeId,
    skuId: state.skuId,
    qty: r.qty,
    status: r.status,
    expiresAt: DateTime.unsafeMake(r.expiresAt),
    createdAt: DateTime.unsafeMake(r.createdAt)
  }, true)

export const toSnapshot = (s: StoreSkuState) =>
  new StoreSkuSnapshot({
    storeId: s.storeId,
    skuId: s.skuId,
    onHand: s.onHand,
    reserved: s.reserved,
    allocated: s.allocated,
    available: s.available,
    reorderThreshold: s.reorderThreshold,
    belowReorderThreshold: s.available <= s.reorderThreshold,
    batches: s.batches.map((b) => new Batch({ lot: b.lot, qty: b.qty, bestBefore: DateTime.unsafeMake(b.bestBefore) }, true)),
    version: s.version
  }, true)

/**
 * The StoreSku behaviour. Handlers run concurrently but only enqueue; one worker
 * fiber takes everything waiting, applies it in arrival order to the in-memory
 * state, hands the burst to the runner's StockWriter (which commits the bursts of
 * many entities in one transaction) and only then replies. So stock is exact (one
 * writer, in order) and a commit's round trips are shared by every message in it.
 */
export const StoreSkuLive = StoreSkuEntity.toLayer(
  Effect.gen(function*() {
    const address = yield* Entity.CurrentAddress
    const { skuId, storeId } = parseStoreSkuEntityId(address.entityId)
    const repo = yield* StoreSkuRepo
    const writer = yield* StockWriter

    const reload = Effect.gen(function*() {
      const loaded = yield* repo.load({ storeId, skuId })
      return loaded._tag === "Loaded"
        ? { state: loaded.state as StoreSkuState | undefined, carriable: false }
        : { state: undefined, carriable: loaded.carriable }
    })
    let { carriable, state } = yield* reload

    const queue = yield* Queue.unbounded<Work>()
    const wakeTimer = yield* Queue.sliding<void>(1)
    let timerAt: number | undefined

    const submit = <A, E>(
      run: (state: StoreSkuState, writes: PendingWrites, now: number) => Either.Either<A, E>,
      options?: { readonly createIfMissing?: boolean }
    ): Effect.Effect<A, E | StoreSkuNotFound | NotCommitted> =>
      Effect.flatMap(Deferred.make<A, E | StoreSkuNotFound | NotCommitted>(), (deferred) =>
        queue.offer({
          apply: (writes, now) => {
            if (state === undefined && carriable && options?.createIfMissing) {
              state = StoreSkuState.empty(storeId, skuId)
            }
            if (state === undefined) return Deferred.fail(deferred, notFound(storeId, skuId))
            return Either.match(run(state, writes, now), {
              onLeft: (e) => Deferred.fail(deferred, e),
              onRight: (a) => Deferred.succeed(deferred, a)
            })
          },
          abort: (error) => Deferred.fail(deferred, error)
        }).pipe(Effect.zipRight(Deferred.await(deferred)))
      )

    // Set when memory may have run ahead of the database (a failed commit): reload before the next burst.
    let stale = false

    const applyAndCommit = (burst: Iterable<Work>) =>
      Effect.gen(function*() {
        if (stale) {
          ;({ carriable, state } = yield* reload)
          stale = false
        }
        const now = yield* Clock.currentTimeMillis
        const fromVersion = state?.version ?? 0
        const created = state === undefined
        const writes = new PendingWrites()
        const replies = Array.from(burst, (work) => work.apply(writes, now))
        if (state !== undefined && !writes.isEmpty) {
          stale = true
          yield* writer.write({
            storeId,
            skuId,
            created,
            fromVersion,
            version: state.version,
            onHand: state.onHand,
            reserved: state.reserved,
            allocated: state.allocated,
            reorderThreshold: state.reorderThreshold,
            reservations: Array.from(writes.reservations.values()),
            batches: Array.from(writes.batches.values()),
            ledger: writes.ledger
          })
          stale = false
        }
        yield* Effect.all(replies, { discard: true })
        const next = state?.nextExpiry()
        if (next !== undefined && (timerAt === undefined || next < timerAt)) yield* wakeTimer.offer(void 0)
      })

    /**
     * Commits a burst. If it fails, memory is reloaded and the burst split in halves, each
     * applied and committed again, down to single messages: a message the database refuses
     * (or that conflicts) fails alone, with a 400 or 503, and the rest of its burst commits.
     * Shutdown mid-commit answers every waiting caller instead of leaving it hanging.
     */
    const settle = (burst: ReadonlyArray<Work>): Effect.Effect<void> =>
      applyAndCommit(burst).pipe(
        Effect.catchAllCause((cause) => {
          const error = commitFailure(cause)
          return burst.length === 1 || !worthSplitting(cause)
            ? Effect.zipRight(
              Effect.forEach(burst, (work) => work.abort(error), { discard: true }),
              Effect.logError(`StoreSku ${storeId}/${skuId}: ${burst.length} message(s) not committed (${error._tag})`, cause)
            )
            : Effect.zipRight(
              settle(burst.slice(0, Math.ceil(burst.length / 2))),
              settle(burst.slice(Math.ceil(burst.length / 2)))
            )
        }),
        Effect.onInterrupt(() => Effect.forEach(burst, (work) => work.abort(shuttingDown), { discard: true }))
      )
    const commitBurst = Effect.flatMap(queue.takeBetween(1, maxBurst), (burst) => settle(Array.from(burst)))
    // Whatever is still queued when the entity stops is answered, not abandoned.
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(queue.takeAll, (left) => Effect.forEach(left, (work) => work.abort(shuttingDown), { discard: true }))
    )
    yield* Effect.forkScoped(Effect.forever(commitBurst))

    const expireDue = submit((s, writes, now) => Either.right(s.expireDue(writes, now)))

    // Releases reservations when their TTL passes while this entity is in memory.
    // A restart or passivation loses this fiber; ReservationSweeper covers that case.
    const expiryTimer = Effect.gen(function*() {
      const next = state?.nextExpiry()
      timerAt = next
      if (next === undefined) return yield* wakeTimer.take
      const now = yield* Clock.currentTimeMillis
      if (next > now) return yield* Effect.raceFirst(Effect.sleep(next - now), wakeTimer.take)
      // A failed commit must not stop the timer; retry after a pause rather than spin.
      yield* expireDue.pipe(Effect.catchAllCause(() => Effect.sleep("1 second")))
    })
    yield* Effect.forkScoped(Effect.forever(expiryTimer))

    return StoreSkuEntity.of({
      Reserve: ({ payload }) => {
        let repeated = false
        return countedReserve(() => repeated, submit((s, writes, now) => {
          repeated = s.reservations.has(payload.reservationId)
          return Either.map(s.reserve(writes, now, payload), (r) => toReservation(s, r))
        }))
      },
      Release: ({ payload }) =>
        submit((s, writes, now) => Either.map(s.release(writes, now, payload.reservationId), (r) => toReservation(s, r))),
      Commit: ({ payload }) =>
        submit((s, writes, now) => Either.map(s.commit(writes, now, payload.reservationId), (r) => toReservation(s, r))),
      Fulfil: ({ payload }) =>
        submit((s, writes, now) => Either.map(s.fulfil(writes, now, payload.reservationId), (r) => toReservation(s, r))),
      WriteOff: ({ payload }) => submit((s, writes, now) => Either.map(s.writeOff(writes, now, payload), toLedgerEntry)),
      Receive: ({ payload }) =>
        submit(
          (s, writes, now) =>
            Either.map(
              s.receive(writes, now, {
                receiptId: payload.receiptId,
                qty: payload.qty,
                lot: payload.lot,
                bestBefore: DateTime.toEpochMillis(payload.bestBefore)
              }),
              toLedgerEntry
            ),
          { createIfMissing: true }
        ),
      Adjust: ({ payload }) =>
        submit((s, writes, now) => Either.map(s.adjust(writes, now, payload), toLedgerEntry)),
      // Reads queue behind writes, so an answer never shows a change that is not yet committed.
      Snapshot: () => submit((s) => Either.right(toSnapshot(s))),
      Ledger: ({ payload }) =>
        state === undefined
          ? Effect.fail(notFound(storeId, skuId))
          : Effect.catchAllDefect(repo.ledger(storeId, skuId, payload.limit), () => Effect.fail(unavailable)),
      ExpireDue: () => expireDue.pipe(Effect.catchTag("StoreSkuNotFound", () => Effect.succeed(0)))
    })
  }),
  // A defect answers its own caller instead of restarting the entity and replaying every
  // message it held (the replayed poison would defect again, forever).
  { concurrency: "unbounded", maxIdleTime: "10 minutes", disableFatalDefects: true }
)
