import type { AlreadyProcessingMessage, MailboxFull, PersistenceError } from "@effect/cluster/ClusterError"
import { ServiceUnavailable } from "@qc/domain/Errors"
import { Cause, Duration, Effect, Predicate } from "effect"

/** Cluster delivery failures (mailbox full, storage down): the server's problem, not the client's. */
const isDeliveryFailure = (e: unknown): e is MailboxFull | AlreadyProcessingMessage | PersistenceError =>
  Predicate.isTagged(e, "MailboxFull") || Predicate.isTagged(e, "AlreadyProcessingMessage") ||
  Predicate.isTagged(e, "PersistenceError")

/** Transport defects while an entity's runner dies or its shard moves. */
const isTransportDefect = (defect: unknown) =>
  isDeliveryFailure(defect) || Predicate.isTagged(defect, "RunnerUnavailable") ||
  Predicate.isTagged(defect, "EntityNotAssignedToRunner") || Predicate.isTagged(defect, "RpcClientError") ||
  // A write to the socket of a runner that just died (ECONNRESET, EPIPE).
  Predicate.isTagged(defect, "SocketError")

/**
 * How long an HTTP request waits for an entity's answer: its runner may have died with the
 * message, and the shard takes a moment to move. Then a 503 the client retries with the
 * same operation id (reservation, receipt, Idempotency-Key), which the entity answers once.
 */
export const entityAnswerTimeout = Duration.seconds(10)

const moving = (message: string) => new ServiceUnavailable({ message: `${message}; retry with the same id` })

/**
 * An entity call as an HTTP handler answers it: delivery failures, transport defects and
 * no answer within `entityAnswerTimeout` become 503 `ServiceUnavailable`.
 */
export const entityAnswer = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, Exclude<E, Extract<E, MailboxFull | AlreadyProcessingMessage | PersistenceError>> | ServiceUnavailable, R> =>
  effect.pipe(
    Effect.catchIf(
      (e): e is Extract<E, MailboxFull | AlreadyProcessingMessage | PersistenceError> => isDeliveryFailure(e),
      (e) => Effect.zipRight(Effect.logWarning("entity unreachable", e), Effect.fail(moving("the stock or order service is busy or moving")))
    ),
    Effect.catchAllDefect((defect) =>
      isTransportDefect(defect)
        ? Effect.zipRight(Effect.logWarning("entity runner unreachable", Cause.die(defect)), Effect.fail(moving("the runner holding this item is moving")))
        : Effect.die(defect)
    ),
    // Interrupted at the timeout, not left running: a send to a dead runner retries every
    // 100 ms until the shard moves, and thousands left behind would starve this process.
    Effect.timeoutFail({ duration: entityAnswerTimeout, onTimeout: () => moving(`no answer within ${Duration.format(entityAnswerTimeout)}`) })
  )
