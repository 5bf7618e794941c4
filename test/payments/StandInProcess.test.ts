import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Payments } from "@qc/entities/payments/Payments"
import { Data, Duration, Effect, Schedule } from "effect"
import { keys, paymentsAt, receiver } from "../support/PaymentsFixture.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

class NotYet extends Data.TaggedError("NotYet")<{ readonly message: string }> {}

/** Polls `check` every 50 ms until it returns a value, failing the test after `timeout`. */
const poll = <A>(what: string, check: () => A | undefined, timeout: Duration.DurationInput = "20 seconds") =>
  Effect.suspend(() => {
    const value = check()
    return value === undefined ? Effect.fail(new NotYet({ message: `still waiting for ${what}` })) : Effect.succeed(value)
  }).pipe(
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeoutFail({ duration: timeout, onTimeout: () => new NotYet({ message: `timed out waiting for ${what}` }) }),
    Effect.orDie
  )

/** `pnpm standin` as a child process on a free port; killed (and waited for) when the scope closes. */
const standInProcess = (webhookUrl: string) =>
  Effect.gen(function*() {
    const output: Array<string> = []
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, ["--import", "tsx", "packages/server/src/standin.ts"], {
          cwd: root,
          env: {
            ...process.env,
            STANDIN_PORT: "0",
            RAZORPAY_KEY_ID: keys.keyId,
            RAZORPAY_KEY_SECRET: keys.keySecret,
            RAZORPAY_WEBHOOK_SECRET: keys.webhookSecret,
            STANDIN_WEBHOOK_URL: webhookUrl,
            STANDIN_RETRY_BASE_MS: "100"
          },
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child: ChildProcess) =>
        Effect.async<void>((resume) => {
          if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
          child.once("exit", () => resume(Effect.void))
          child.kill("SIGKILL")
        })
    )
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
    const exited = Effect.async<never>((resume) => {
      child.once("exit", (code) => resume(Effect.dieMessage(`stand-in exited (${code}): ${output.join("")}`)))
    })
    const listening = poll(
      "the stand-in to listen",
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(""))?.[1],
      "60 seconds"
    )
    const baseUrl = yield* Effect.raceFirst(listening, exited)
    return { baseUrl, log: () => output.join("") }
  })

const basicAuth = `Basic ${Buffer.from(`${keys.keyId}:${keys.keySecret}`).toString("base64")}`

const devPay = (baseUrl: string, razorpayOrderId: string, authorization: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${baseUrl}/v1/dev/payments/${razorpayOrderId}`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ outcome: "capture" })
    })
    return { status: response.status, body: (await response.json()) as unknown }
  })

describe("the Razorpay stand-in as its own process", () => {
  it.scopedLive("takes an order from the SDK, pays it on /v1/dev/payments and retries the webhook the receiver refused", () =>
    Effect.gen(function*() {
      // The first request fails as a crashed server's would; every later one is accepted.
      const hook = yield* receiver((n) => (n === 1 ? 500 : 200))
      const standIn = yield* standInProcess(hook.url)
      const payments = yield* Effect.provide(Payments, paymentsAt(standIn.baseUrl))

      const order = yield* payments.createOrder({ amount: 54_900, currency: "INR", receipt: "qc-standin-process" })
      const refused = yield* devPay(standIn.baseUrl, order.id, "Basic bm9ib2R5Om5vdGhpbmc=")
      expect(refused.status).toBe(401)
      const paid = yield* devPay(standIn.baseUrl, order.id, basicAuth)
      expect(paid).toMatchObject({ status: 200, body: { status: "captured", amount: 54_900 } })

      // authorized (500), captured (200), then authorized again after the 100 ms backoff.
      yield* poll("the retried webhook", () => (hook.received.length >= 3 ? true : undefined))
      const [first, other, retry] = hook.received
      expect(retry.eventId).toBe(first.eventId)
      expect(retry.raw.equals(first.raw)).toBe(true)
      expect(other.eventId).not.toBe(first.eventId)
      for (const r of hook.received) expect(payments.verifyWebhookSignature(r.raw, r.signature)).toBe(true)
      expect(retry.body).toMatchObject({
        event: "payment.authorized",
        payload: { payment: { entity: { order_id: order.id, amount: 54_900 } } }
      })
      expect(other.body).toMatchObject({ event: "payment.captured" })
      expect((yield* payments.fetchOrderPayments(order.id)).map((p) => p.status)).toEqual(["captured"])

      // Both attempts of the refused event are in the stand-in's log.
      const attempts = yield* poll("the retry in the log", () => {
        const lines = standIn.log().split("\n").filter((l) => l.includes(first.eventId))
        return lines.length >= 2 ? lines : undefined
      })
      expect(attempts[0]).toMatch(/attempt 1\/12: 500, next attempt in 100ms/)
      expect(attempts[1]).toMatch(/attempt 2\/12: 200, delivered after retrying/)
    }))
})
