import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: files that start databases and clusters compete for them.
    maxWorkers: 2,
    minWorkers: 1,
    pool: "forks"
  }
})
