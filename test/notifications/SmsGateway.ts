import { Effect } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

export interface GatewayHit {
  readonly authorization: string | undefined
  readonly body: unknown
  readonly status: number
}

/**
 * A tiny SMS gateway on 127.0.0.1 for one test: answers each POST with `answer()`'s status
 * (`"hang"`: never answers), and records what it was sent.
 */
export const fakeSmsGateway = (answer: () => number | "hang") =>
  Effect.gen(function*() {
    const hits: Array<GatewayHit> = []
    const server = yield* Effect.acquireRelease(
      Effect.async<ReturnType<typeof createServer>>((resume) => {
        const s = createServer((req, res) => {
          let text = ""
          req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")))
          req.on("end", () => {
            const status = answer()
            if (status === "hang") return
            hits.push({ authorization: req.headers.authorization, body: JSON.parse(text), status })
            res.writeHead(status, { "content-type": "application/json" })
            res.end(status < 300 ? JSON.stringify({ messageId: `gw-${hits.length}` }) : JSON.stringify({ error: "nope" }))
          })
        })
        s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
      }),
      (s) => Effect.sync(() => s.closeAllConnections()).pipe(Effect.zipRight(Effect.async<void>((resume) => {
        s.close(() => resume(Effect.void))
      })))
    )
    const { port } = server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}/v1/sms`, hits } as const
  })
