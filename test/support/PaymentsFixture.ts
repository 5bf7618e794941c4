import { createHmac } from "node:crypto"
import * as http from "node:http"
import { Payments } from "@qc/entities/payments/Payments"
import { PaymentsLive } from "@qc/entities/payments/PaymentsLive"
import * as StandIn from "@qc/entities/payments/standin/RazorpayStandIn"
import { Effect, Layer, Redacted } from "effect"

export const keys = {
  keyId: "rzp_test_StandIn0000001",
  keySecret: "stand-in-key-secret-0001",
  webhookSecret: "stand-in-webhook-secret-0001"
}

export const paymentsAt = (baseUrl: string, keySecret = keys.keySecret) =>
  PaymentsLive({
    keyId: keys.keyId,
    keySecret: Redacted.make(keySecret),
    webhookSecret: Redacted.make(keys.webhookSecret),
    baseUrl
  })

/** A fresh stand-in per test, and the live SDK layer pointed at it. */
export const env = (config: Partial<StandIn.StandInConfig> = {}) =>
  Layer.unwrapEffect(Effect.map(StandIn.RazorpayStandIn, (s) => paymentsAt(s.baseUrl))).pipe(
    Layer.provideMerge(StandIn.layer({ ...keys, ...config }))
  )

export interface Received {
  readonly eventId: string
  readonly signature: string
  readonly raw: Buffer
  readonly body: { readonly event: string; readonly payload: Record<string, { readonly entity: Record<string, unknown> }> }
}

/** A webhook endpoint (or a broken upstream) that records requests and answers `status(n)` to the n-th. */
export const receiver = (status: (n: number) => number = () => 200) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: Array<Received>; readonly server: http.Server }>(
      (resume) => {
        const received: Array<Received> = []
        const server = http.createServer((req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (c: Buffer) => chunks.push(c))
          req.on("end", () => {
            const raw = Buffer.concat(chunks)
            received.push({
              eventId: String(req.headers["x-razorpay-event-id"]),
              signature: String(req.headers["x-razorpay-signature"]),
              raw,
              body: raw.length > 0 && req.headers["content-type"] === "application/json" ? JSON.parse(raw.toString()) : {}
            })
            const code = status(received.length)
            res.writeHead(code, { "content-type": "text/html" })
            res.end(code < 300 ? "ok" : "<html>upstream trouble</html>")
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          const port = typeof address === "object" && address !== null ? address.port : 0
          resume(Effect.succeed({ url: `http://127.0.0.1:${port}/webhooks/razorpay`, received, server }))
        })
      }
    ),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )

export const hmacHex = (secret: string, data: string | Buffer) => createHmac("sha256", secret).update(data).digest("hex")

export const flipFirstHexDigit = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1)

export const newOrder = (amount: number) =>
  Effect.flatMap(Payments, (p) => p.createOrder({ amount, currency: "INR", receipt: "qc-order-0001" }))
