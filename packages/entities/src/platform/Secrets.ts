import { Config, Effect, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/**
 * A random secret kept in `DATA_DIR/{name}` (created on first use, mode 600), so the
 * embedded mode keeps its keys across restarts without anyone configuring them.
 */
export const secretInDataDir = (name: string) =>
  Effect.gen(function*() {
    const dataDir = yield* Config.string("DATA_DIR").pipe(Config.withDefault("./.data"))
    const file = join(dataDir, name)
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true })
      writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 })
    }
    return { file, secret: Redacted.make(readFileSync(file, "utf8").trim()) }
  })

/**
 * A secret from the environment variable `name`, or else (the embedded mode) a random one
 * kept in `DATA_DIR/{file}`; `generated` says which, for whoever must tell the operator.
 * The value is never logged, only where it is kept.
 */
export const configuredOrKeptSecret = (name: string, file: string) =>
  Effect.gen(function*() {
    const configured = yield* Config.option(Config.redacted(name))
    if (Option.isSome(configured)) return { secret: configured.value, generated: false }
    const kept = yield* secretInDataDir(file)
    yield* Effect.logInfo(`${name} not set: using the key kept in ${kept.file}`)
    return { secret: kept.secret, generated: true }
  })
