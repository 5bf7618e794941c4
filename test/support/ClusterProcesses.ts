import { Duration, Effect, Schedule } from "effect"
import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import { appendFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * Real processes of the system (`runner`, `api`, the Razorpay stand-in) for multi-process
 * tests on Postgres: started with `node --import tsx` (a SIGKILL reaches the process itself,
 * not a wrapper), logs kept in memory for the report, every process killed when the scope closes.
 */
const root = fileURLToPath(new URL("../..", import.meta.url))

export interface SystemProcess {
  readonly name: string
  readonly child: ChildProcess
  readonly log: Array<string>
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>
}

export const clusterSecrets = {
  RAZORPAY_KEY_ID: "rzp_test_cluster",
  RAZORPAY_KEY_SECRET: "cluster-key-secret",
  RAZORPAY_WEBHOOK_SECRET: "cluster-webhook-secret",
  AUTH_SECRET: "cluster-auth-secret",
  ADMIN_API_KEY: "cluster-admin-key",
  VENDOR_WEBHOOK_SECRET: "cluster-vendor-secret",
  WMS_WEBHOOK_SECRET: "cluster-wms-secret"
} as const

/** `unset`: variables of the test's own environment the process must not see (say DATABASE_URL, for the embedded mode). */
export const spawnProcess = (
  name: string,
  script: string,
  env: Record<string, string>,
  options?: { readonly unset?: ReadonlyArray<string> }
) =>
  Effect.acquireRelease(
    Effect.sync((): SystemProcess => {
      const inherited = { ...process.env }
      for (const key of options?.unset ?? []) delete inherited[key]
      const child = spawn(process.execPath, ["--import", "tsx", `packages/server/src/${script}`], {
        cwd: root,
        env: { ...inherited, ...env, LOG_LEVEL: "Info" },
        stdio: ["ignore", "pipe", "pipe"]
      })
      const log: Array<string> = []
      // `CLUSTER_TEST_LOGS=dir`: every process's whole log in dir/name.log, for a failure's story.
      const file = process.env.CLUSTER_TEST_LOGS ? join(process.env.CLUSTER_TEST_LOGS, `${name}.log`) : undefined
      const keep = (chunk: Buffer) => {
        if (file !== undefined) appendFileSync(file, chunk)
        log.push(chunk.toString())
        if (log.length > 400) log.splice(0, log.length - 400)
      }
      child.stdout?.on("data", keep)
      child.stderr?.on("data", keep)
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
      return { name, child, log, exited }
    }),
    (p) => Effect.promise(() => p.child.exitCode !== null || p.child.signalCode !== null ? p.exited : (p.child.kill("SIGKILL"), p.exited))
  )

/** Polls `url` until it answers 200 (a process starting: migrations, seed, shard locks). */
export const waitForHttp = (url: string, within: Duration.DurationInput = "120 seconds") =>
  Effect.tryPromise(() => fetch(url, { signal: AbortSignal.timeout(2_000) })).pipe(
    Effect.filterOrFail((r) => r.status === 200),
    Effect.retry(Schedule.spaced("250 millis")),
    Effect.timeoutFail({ duration: within, onTimeout: () => new Error(`${url} did not come up`) }),
    Effect.asVoid
  )

/** Polls a process's log until `pattern` appears. */
export const waitForLog = (p: SystemProcess, pattern: RegExp, within: Duration.DurationInput = "120 seconds") =>
  Effect.suspend(() => pattern.test(p.log.join("")) ? Effect.void : Effect.fail("not yet")).pipe(
    Effect.retry(Schedule.spaced("200 millis")),
    Effect.timeoutFail({ duration: within, onTimeout: () => new Error(`${p.name}: no ${pattern} in its log`) })
  )

export const lastLines = (p: SystemProcess, n = 30) =>
  p.log.join("").split("\n").filter((l) => !/^\s+at /.test(l)).slice(-n).join("\n")

/**
 * `n` ports free right now, as the OS hands them out for port 0 (a fixed range would collide
 * with the ephemeral ports of other connections).
 */
export const freePorts = (n: number) =>
  Effect.promise(async () => {
    const servers = Array.from({ length: n }, () => createServer())
    const ports = await Promise.all(servers.map((server) =>
      new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resolve(typeof address === "object" && address !== null ? address.port : 0)
        })
      )
    ))
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
    return ports
  })
