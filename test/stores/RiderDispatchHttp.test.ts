import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { RiderDispatch, RiderDispatchUnavailable } from "@qc/entities/stores/riders/RiderDispatch"
import type { DispatchRequest } from "@qc/entities/stores/riders/RiderDispatch"
import { dmsRetry, RiderDispatchHttp, riderDispatchHttp } from "@qc/entities/stores/riders/RiderDispatchHttp"
import type { DmsCallOptions } from "@qc/entities/stores/riders/RiderDispatchHttp"
import { Cause, Chunk, ConfigProvider, Duration, Effect, Exit, Fiber, Layer, Option, Queue, Redacted, Schedule, TestClock } from "effect"
import type { DmsReply, DmsRequest } from "../support/FakeDms.js"
import { makeFakeDms } from "../support/FakeDms.js"

const apiKey = "dms-secret-key-4242"
const orderId = "ord_pune-west_0123456789abcdefghij"
const request: DispatchRequest = { orderId, storeId: "pune-baner", region: "pune-west", lat: 18.559, lng: 73.7868 }
const assignment = { riderId: "rider-pune-baner-2", name: "Ravi Patil", phone: "9876543210", distanceKm: 0.8, etaSeconds: 624 }
const rider = { riderId: "rider-pune-baner-2", name: "Ravi Patil", phone: "9876543210", online: true, lat: 18.56, lng: 73.79, activeOrderIds: [orderId] }

/** No waits between retries: only the timeouts need the TestClock. */
const immediate: DmsCallOptions = { retry: Schedule.recurs(3) }

/** A fake DMS answering with `answer`, and the dispatcher pointed at it (a trailing slash on the URL, as people write it). */
const withDms = (answer: (request: DmsRequest, n: number) => DmsReply, url?: string) =>
  Effect.gen(function*() {
    const dms = yield* makeFakeDms(answer)
    const live = riderDispatchHttp({ url: url ?? `${dms.url}/`, apiKey: Option.some(Redacted.make(apiKey)) }, immediate)
    const dispatch = yield* Effect.provide(RiderDispatch, live.pipe(Layer.provide(FetchHttpClient.layer)))
    return { dms, dispatch } as const
  })

const unavailable = <A>(exit: Exit.Exit<A, RiderDispatchUnavailable>) => {
  expect(Exit.isFailure(exit)).toBe(true)
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  expect(Option.isSome(failure)).toBe(true)
  const error = Option.getOrThrow(failure)
  expect(error).toBeInstanceOf(RiderDispatchUnavailable)
  for (const text of [error.message, String(error), JSON.stringify(error), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""]) {
    expect(text).not.toContain(apiKey)
  }
  return error.message
}

describe("RiderDispatchHttp against a fake DMS", () => {
  it.scoped("assign: POSTs the request with the bearer key and decodes the assignment", () =>
    Effect.gen(function*() {
      const { dispatch, dms } = yield* withDms(() => ({ status: 201, body: assignment }))
      expect(yield* dispatch.assign(request)).toEqual(Option.some(assignment))
      expect(dms.log).toEqual([{
        method: "POST",
        path: "/v1/assignments",
        authorization: `Bearer ${apiKey}`,
        accept: "application/json",
        body: { orderId, storeId: "pune-baner", region: "pune-west", lat: 18.559, lng: 73.7868 }
      }])
    }))

  it.scoped("assign: 404 no_rider is none; any other 404 means a wrong DMS_URL and is an error, not retried", () =>
    Effect.gen(function*() {
      const noRider = yield* withDms(() => ({ status: 404, body: { error: "no_rider" } }))
      expect(yield* noRider.dispatch.assign(request)).toEqual(Option.none())
      const wrongUrl = yield* withDms(() => ({ status: 404, body: { message: "Cannot POST /v1/assignments" } }))
      expect(unavailable(yield* Effect.exit(wrongUrl.dispatch.assign(request)))).toContain("outside the contract")
      expect(wrongUrl.dms.log).toHaveLength(1)
    }))

  it.scoped("assign: a 500 then a 201 is retried and succeeds, with the same body", () =>
    Effect.gen(function*() {
      const { dispatch, dms } = yield* withDms((_, n) => (n === 1 ? { status: 500, body: { error: "boom" } } : { status: 201, body: assignment }))
      expect(yield* dispatch.assign(request)).toEqual(Option.some(assignment))
      expect(dms.log).toHaveLength(2)
      expect(dms.log[1]).toEqual(dms.log[0])
    }))

  it.scoped("assign: a DMS that keeps answering 500 gives RiderDispatchUnavailable after 4 attempts, without the key", () =>
    Effect.gen(function*() {
      // The DMS even echoes the key in its error page: it must not reach our error either.
      const { dispatch, dms } = yield* withDms(() => ({ status: 500, body: { error: `bad token ${apiKey}` } }))
      const message = unavailable(yield* Effect.exit(dispatch.assign(request)))
      expect(message).toBe("DMS POST /v1/assignments: status 500")
      expect(dms.log).toHaveLength(4)
    }))

  it.scoped("a client error or an answer outside the contract fails at once", () =>
    Effect.gen(function*() {
      const refused = yield* withDms(() => ({ status: 401, body: { error: "unauthorized" } }))
      expect(unavailable(yield* Effect.exit(refused.dispatch.assign(request)))).toBe("DMS POST /v1/assignments: unexpected status 401")
      expect(refused.dms.log).toHaveLength(1)
      const garbled = yield* withDms(() => ({ status: 201, body: { ...assignment, etaSeconds: "soon" } }))
      expect(unavailable(yield* Effect.exit(garbled.dispatch.assign(request)))).toContain("outside the contract")
      expect(garbled.dms.log).toHaveLength(1)
    }))

  it.scoped("a hung DMS times out after 5 s per attempt (TestClock), then RiderDispatchUnavailable", () =>
    Effect.gen(function*() {
      const { dispatch, dms } = yield* withDms(() => "hang")
      const call = yield* Effect.fork(dispatch.rider("rider-pune-baner-1"))
      for (let attempt = 1; attempt <= 4; attempt++) {
        // The attempt's timer runs from before the request left, so it is set once the DMS has it.
        yield* Queue.take(dms.received)
        yield* TestClock.adjust("4999 millis")
        expect(dms.log).toHaveLength(attempt)
        yield* TestClock.adjust("1 millis")
      }
      expect(unavailable(yield* Fiber.await(call))).toBe("DMS GET /v1/riders/rider-pune-baner-1: no answer within 5s")
    }))

  it.scoped("no DMS listening: transport errors are retried, then RiderDispatchUnavailable", () =>
    Effect.gen(function*() {
      const closed = yield* Effect.scoped(Effect.map(makeFakeDms(() => ({ status: 500 })), (dms) => dms.url))
      const { dms, dispatch } = yield* withDms(() => ({ status: 500 }), closed)
      expect(unavailable(yield* Effect.exit(dispatch.release(orderId)))).toBe(`DMS DELETE /v1/assignments/${orderId}: no connection to the DMS`)
      expect(dms.log).toHaveLength(0)
    }))

  it.scoped("release: DELETE; 204 and 404 are both fine", () =>
    Effect.gen(function*() {
      const { dispatch, dms } = yield* withDms((_, n) => (n === 1 ? { status: 204 } : { status: 404, body: { error: "no_assignment" } }))
      yield* dispatch.release(orderId)
      yield* dispatch.release(orderId)
      expect(dms.log.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /v1/assignments/${orderId}`, `DELETE /v1/assignments/${orderId}`])
    }))

  it.scoped("setStatus, rider, riderOf, ridersOfStore: paths, bodies and decoded riders; 404 is none", () =>
    Effect.gen(function*() {
      const { dispatch, dms } = yield* withDms((req) => {
        if (req.path.includes("nobody")) return { status: 404, body: { error: "not_found" } }
        if (req.path.startsWith("/v1/stores/")) return { status: 200, body: [rider, { ...rider, riderId: "rider-pune-baner-3", activeOrderIds: [] }] }
        return { status: 200, body: rider }
      })
      const moved = yield* dispatch.setStatus("rider-pune-baner-2", { online: false, lat: 18.56, lng: 73.79 })
      expect(Option.map(moved, (r) => ({ ...r }))).toEqual(Option.some(rider))
      expect(yield* dispatch.setStatus("rider-nobody", { online: true, lat: 18.5, lng: 73.8 })).toEqual(Option.none())
      expect(Option.map(yield* dispatch.rider("rider-pune-baner-2"), (r) => r.riderId)).toEqual(Option.some("rider-pune-baner-2"))
      expect(yield* dispatch.rider("rider-nobody")).toEqual(Option.none())
      expect(Option.map(yield* dispatch.riderOf(orderId), (r) => r.activeOrderIds)).toEqual(Option.some([orderId]))
      expect((yield* dispatch.ridersOfStore("pune-baner")).map((r) => r.riderId)).toEqual(["rider-pune-baner-2", "rider-pune-baner-3"])
      expect(yield* dispatch.rider("a b/../x")).toEqual(Option.some(expect.anything()))
      expect(dms.log.map((r) => `${r.method} ${r.path}`)).toEqual([
        "PUT /v1/riders/rider-pune-baner-2/status",
        "PUT /v1/riders/rider-nobody/status",
        "GET /v1/riders/rider-pune-baner-2",
        "GET /v1/riders/rider-nobody",
        `GET /v1/assignments/${orderId}/rider`,
        "GET /v1/stores/pune-baner/riders",
        "GET /v1/riders/a%20b%2F..%2Fx"
      ])
      expect(dms.log[0].body).toEqual({ online: false, lat: 18.56, lng: 73.79 })
      expect(dms.log.every((r) => r.authorization === `Bearer ${apiKey}`)).toBe(true)
    }))

  it.effect("the default retry waits about 100, 200 and 400 ms, then gives up", () =>
    Effect.gen(function*() {
      // `run` also reports the step that ends the schedule: three waits, then done.
      const steps = Chunk.toReadonlyArray(yield* Schedule.run(Schedule.delays(dmsRetry), 0, [1, 2, 3, 4, 5, 6]))
      expect(steps).toHaveLength(4)
      steps.slice(0, 3).forEach((delay, i) => {
        expect(Duration.toMillis(delay)).toBeGreaterThanOrEqual(80 * 2 ** i)
        expect(Duration.toMillis(delay)).toBeLessThanOrEqual(120 * 2 ** i)
      })
    }))

  it.scoped("from config: DMS_URL and DMS_API_KEY; without DMS_URL the live layer refuses to start", () =>
    Effect.gen(function*() {
      const dms = yield* makeFakeDms(() => ({ status: 404, body: { error: "no_rider" } }))
      const configured = (entries: ReadonlyArray<readonly [string, string]>) =>
        RiderDispatchHttp.pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries)))))
      const answer = yield* Effect.provide(
        Effect.flatMap(RiderDispatch, (d) => d.assign(request)),
        configured([["DMS_URL", dms.url], ["DMS_API_KEY", apiKey]])
      )
      expect(answer).toEqual(Option.none())
      expect(dms.log.map((r) => r.authorization)).toEqual([`Bearer ${apiKey}`])
      const exit = yield* Effect.exit(Effect.provide(RiderDispatch, configured([])))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
    }))
})
