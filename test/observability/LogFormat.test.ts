import { describe, expect, it } from "@effect/vitest"
import { LogFormatLive } from "@qc/server/observability/LogFormat"
import type { Console } from "effect"
import { ConfigProvider, Effect, Exit, FiberRef, HashSet, Logger } from "effect"

/** The console the loggers write to, keeping each line instead of printing it. */
const capturing = (lines: Array<string>) =>
  Effect.map(Effect.console, (base): Console.Console => ({
    ...base,
    unsafe: { ...base.unsafe, log: (...args: ReadonlyArray<unknown>) => void lines.push(args.map(String).join(" ")) }
  }))

const someLogs = Effect.gen(function*() {
  yield* Effect.logInfo("order placed").pipe(Effect.annotateLogs({ orderId: "ord_1" }), Effect.withLogSpan("checkout"))
  yield* Effect.logWarning("a message\non two lines")
  yield* Effect.logError("payment failed", new Error("gateway timeout"))
})

/**
 * The lines `someLogs` writes with `LogFormatLive` built under `env`, in a process whose logger
 * was `before`: Effect's default (logfmt), or the pretty one `runMain` installs.
 */
const logLines = (env: Record<string, string>, before: Logger.Logger<unknown, void> = Logger.defaultLogger) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    yield* someLogs.pipe(
      Effect.provide(LogFormatLive),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.withConsole(yield* capturing(lines)),
      Effect.locally(FiberRef.currentLoggers, HashSet.make(before))
    )
    return lines
  })

describe("LOG_FORMAT", () => {
  it.effect("json: one parseable JSON object per log line, annotations and spans included", () =>
    Effect.gen(function*() {
      const lines = yield* logLines({ LOG_FORMAT: "json" })
      // Instead of the default logger's lines, not beside them.
      expect(lines).toHaveLength(3)
      const [info, warning, error] = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(info).toMatchObject({ message: "order placed", logLevel: "INFO", annotations: { orderId: "ord_1" } })
      expect(Object.keys(info.spans as object)).toEqual(["checkout"])
      expect(typeof info.timestamp).toBe("string")
      expect(warning).toMatchObject({ message: "a message\non two lines", logLevel: "WARN" })
      expect(error).toMatchObject({ logLevel: "ERROR" })
      expect(JSON.stringify(error.message)).toContain("gateway timeout")
    }))

  it.effect("json under runMain: the pretty logger it installed is replaced too", () =>
    Effect.gen(function*() {
      const lines = yield* logLines({ LOG_FORMAT: "json" }, Logger.prettyLoggerDefault)
      expect(lines).toHaveLength(3)
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
    }))

  it.effect("unset or text: the logger stays as it was", () =>
    Effect.gen(function*() {
      for (const env of [{}, { LOG_FORMAT: "text" }]) {
        const lines = yield* logLines(env)
        expect(lines).toHaveLength(3)
        expect(lines[0]).toMatch(/^timestamp=\S+ level=INFO fiber=\S+ message="order placed" checkout=\d+ms orderId=ord_1$/)
      }
    }))

  it.effect("any other value stops the start instead of logging in an unasked-for format", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(logLines({ LOG_FORMAT: "yaml" }))
      expect(Exit.isFailure(exit) && !Exit.isInterrupted(exit)).toBe(true)
    }))
})
