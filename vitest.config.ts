import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: files that start databases and clusters compete for them.
    maxWorkers: 2,
    minWorkers: 1,
    pool: "forks",
    // Each test stack on Postgres opens an app pool (10) and a cluster pool; two workers, some
    // with two stacks (restart tests), must stay under the server's max_connections of 100.
    env: { CLUSTER_DB_POOL: "10" }
  }
})
