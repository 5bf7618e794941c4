import { Config, Effect, FiberRef, HashSet, Layer, Logger } from "effect"

const jsonLines = Logger.withConsoleLog(Logger.jsonLogger)

/**
 * `LOG_FORMAT=json`: one JSON object per line (`message`, `logLevel`, `timestamp`, `cause`,
 * `annotations`, `spans`, `fiberId`), for log shippers. `text` or unset keeps the logger the
 * process already has (pretty under `runMain`, logfmt-like elsewhere); any other value stops
 * the start with a configuration error rather than logging in a format nobody asked for.
 *
 * Both stock loggers are removed: `runMain` swaps the default logger for the pretty one
 * before any layer runs, so replacing only the default would leave pretty lines beside the JSON.
 */
export const LogFormatLive = Layer.unwrapEffect(
  Effect.map(
    Effect.orDie(Config.literal("json", "text")("LOG_FORMAT").pipe(Config.withDefault("text" as const))),
    (format) =>
      format === "json"
        ? Layer.fiberRefLocallyScopedWith(FiberRef.currentLoggers, (loggers) =>
          loggers.pipe(
            HashSet.remove(Logger.defaultLogger),
            HashSet.remove(Logger.prettyLoggerDefault),
            HashSet.add(jsonLines)
          ))
        : Layer.empty
  )
)
