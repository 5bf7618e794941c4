import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { DatabaseLive } from "@qc/entities/Database"
import { Config, Effect, Layer, Redacted } from "effect"
import { createServer } from "node:http"
import { AdminKey, AdminKeyFromConfig } from "./AdminAuth.js"
import { databaseReady, HttpLive, runner } from "./App.js"

const Banner = Layer.effectDiscard(
  Effect.gen(function*() {
    const port = yield* Config.integer("PORT").pipe(Config.withDefault(8080))
    const admin = yield* AdminKey
    yield* Effect.logInfo(`listening on http://localhost:${port} (API docs at /docs)`)
    if (admin.generated) {
      // Printed on purpose: with no ADMIN_API_KEY configured, this is the only way to learn the key.
      yield* Effect.logWarning(`no ADMIN_API_KEY set; this run's admin key: ${Redacted.value(admin.key)}`)
    }
  })
)

const ServerLive = Layer.unwrapEffect(
  Effect.map(
    Config.integer("PORT").pipe(Config.withDefault(8080)),
    (port) => NodeHttpServer.layer(createServer, { port })
  )
)

const MainLive = Layer.mergeAll(HttpLive, Banner).pipe(
  Layer.provide(ServerLive),
  Layer.provide(runner()),
  Layer.provide(AdminKeyFromConfig),
  Layer.provide(databaseReady(DatabaseLive))
)

NodeRuntime.runMain(Layer.launch(MainLive))
