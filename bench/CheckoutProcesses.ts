import { Data, Effect, Schema } from "effect"
import type { Scope } from "effect"
import type { ChildProcess } from "node:child_process"
import { execFile, execFileSync, spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { promisify } from "node:util"

export class BenchFailed extends Data.TaggedError("BenchFailed")<{ readonly message: string }> {}

/** A process the bench started: its pid, what it printed last, and the address it announced. */
export interface Service {
  readonly name: string
  readonly child: ChildProcess
  readonly pid: number
  readonly address: string
  readonly tail: () => string
}

export const freePort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/** SIGINT (the runtime's graceful stop), SIGKILL if it is still there after 15 s. */
const stop = (child: ChildProcess) =>
  Effect.async<void>((resume) => {
    if (exited(child)) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    child.kill("SIGINT")
  })

/**
 * `node <args>` with `env` (nothing inherited but PATH and HOME), up once it prints a line
 * matching `ready` (its first group is the address); stopped when the scope closes. Output
 * is drained (the server logs every request) and its last 8 kB kept for error messages.
 */
export const spawnNode = (
  name: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs: number
): Effect.Effect<Service, BenchFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Service, BenchFailed>((resume) => {
      const child = spawn(process.execPath, args, {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe", "ipc"]
      })
      let tail = ""
      let started = false
      const fail = (why: string) => {
        if (started) return
        started = true
        clearTimeout(timer)
        child.kill("SIGKILL")
        resume(Effect.fail(new BenchFailed({ message: `${name} ${why}; its last output:\n${tail}` })))
      }
      const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs)
      const onOutput = (chunk: Buffer) => {
        tail = (tail + chunk.toString("utf8")).slice(-8192)
        const match = started ? null : ready.exec(tail)
        if (match === null) return
        started = true
        clearTimeout(timer)
        resume(Effect.succeed({ name, child, pid: child.pid ?? 0, address: match[1] ?? "", tail: () => tail }))
      }
      child.stdout?.on("data", onOutput)
      child.stderr?.on("data", onOutput)
      child.once("exit", (code, signal) => fail(`exited (${code ?? signal})`))
      return Effect.sync(() => fail("interrupted"))
    }),
    (service) => stop(service.child)
  )

const ProbeReply = Schema.Struct({ id: Schema.Number, result: Schema.optional(Schema.Unknown), error: Schema.optional(Schema.String) })
const isProbeReply = Schema.is(ProbeReply)
let probeRequests = 0

/** Asks bench/checkout-probe.mjs (preloaded into the server) over IPC; decodes the answer with `schema`. */
export const askProbe = <A, I>(service: Service, type: string, schema: Schema.Schema<A, I>) =>
  Effect.async<unknown, BenchFailed>((resume) => {
    const id = ++probeRequests
    const onMessage = (message: unknown) => {
      if (!isProbeReply(message) || message.id !== id) return
      service.child.off("message", onMessage)
      resume(
        message.error === undefined
          ? Effect.succeed(message.result)
          : Effect.fail(new BenchFailed({ message: `probe: ${message.error}` }))
      )
    }
    service.child.on("message", onMessage)
    service.child.send({ id, type })
  }).pipe(
    Effect.flatMap(Schema.decodeUnknown(schema)),
    Effect.mapError((e) => new BenchFailed({ message: `probe ${type}: ${e.message}` }))
  )

/** Runs bench/checkout-load.mjs in `mode` in its own process; decodes its one line of JSON. */
export const runLoad = <A, I>(mode: string, config: object, schema: Schema.Schema<A, I>) =>
  Effect.tryPromise({
    try: () => promisify(execFile)(process.execPath, ["bench/checkout-load.mjs", mode, JSON.stringify(config)], { maxBuffer: 1 << 24 }),
    catch: (e) => new BenchFailed({ message: `load ${mode}: ${String(e)}` })
  }).pipe(
    Effect.flatMap(({ stdout }) => Schema.decodeUnknown(Schema.parseJson(schema))(stdout.trim())),
    Effect.mapError((e) => new BenchFailed({ message: `load ${mode}: ${e.message}` }))
  )

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100

/** utime + stime of a process (all its threads), in ms; 0 once it is gone. */
export const cpuMs = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    // Fields 14 and 15 of stat; after "pid (comm) " they are the 12th and 13th.
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000
  } catch {
    return 0
  }
}

export const rssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:")) ?? "VmRSS: 0 kB"
  return Math.round(Number(line.split(/\s+/)[1]) / 1024)
}

/** CPU of every local `postgres` process (the server's backends, writer, WAL…), in ms; 0 if none is local. */
export const postgresCpuMs = (): number =>
  readdirSync("/proc").filter((d) => /^\d+$/.test(d)).reduce((sum, pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres" ? sum + cpuMs(Number(pid)) : sum
    } catch {
      return sum
    }
  }, 0)

/** The whole machine's busy CPU time (all cores, all processes), in ms. */
export const machineBusyMs = (): number => {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number)
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = ticks.slice(0, 8).reduce((a, b) => a + b, 0) - ticks[3] - ticks[4]
  return (busy / ticksPerSecond) * 1000
}

/** Whether a test run (vitest) is going on beside the bench: its numbers are then noisy. */
export const testsRunning = (): boolean => {
  try {
    return execFileSync("pgrep", ["-f", "vitest"], { encoding: "utf8" }).trim().length > 0
  } catch {
    return false
  }
}
