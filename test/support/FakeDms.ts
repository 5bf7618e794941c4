import { Effect, Queue } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** A request as the fake DMS received it. */
export interface DmsRequest {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly accept: string | undefined
  readonly body: unknown
}

/** What the fake answers: a status and JSON body, or nothing at all (a hung DMS). */
export type DmsReply = { readonly status: number; readonly body?: unknown } | "hang"

/**
 * A delivery-management system on a port of the OS's choosing, closed with the scope. `answer`
 * decides each reply; every request is also offered to `received`, so a test can wait for one.
 */
export const makeFakeDms = (answer: (request: DmsRequest, n: number) => DmsReply) =>
  Effect.gen(function*() {
    const received = yield* Queue.unbounded<DmsRequest>()
    const log: Array<DmsRequest> = []
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        const request: DmsRequest = {
          method: req.method ?? "",
          path: req.url ?? "",
          authorization: req.headers.authorization,
          accept: req.headers.accept,
          body: text === "" ? undefined : JSON.parse(text)
        }
        log.push(request)
        const reply = answer(request, log.length)
        Queue.unsafeOffer(received, request)
        if (reply === "hang") return
        if (reply.body === undefined) {
          res.writeHead(reply.status).end()
          return
        }
        res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body))
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return { url: `http://127.0.0.1:${port}`, received, log } as const
  })
