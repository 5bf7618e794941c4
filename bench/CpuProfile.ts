import { Schema } from "effect"

/** The part of a V8 `.cpuprofile` (inspector `Profiler.stop`) that self time needs. */
export const CpuProfile = Schema.Struct({
  nodes: Schema.Array(Schema.Struct({
    id: Schema.Number,
    callFrame: Schema.Struct({ functionName: Schema.String, url: Schema.String, lineNumber: Schema.Number })
  })),
  samples: Schema.Array(Schema.Number),
  timeDeltas: Schema.Array(Schema.Number)
})

/** Who the code belongs to: a package, our workspace package, Node itself, or V8's pseudo-frames. */
const owner = (url: string, functionName: string) => {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)"
  if (url.startsWith("node:")) return "node internals"
  if (url.startsWith("wasm://")) return "wasm (PGlite's Postgres)"
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pnpm) return pnpm[1]
  const workspace = /\/packages\/([^/]+)\/src\//.exec(url)
  return workspace ? `@qc/${workspace[1]}` : url.replace(/^file:\/\//, "")
}

const where = (url: string, line: number) => {
  const path = url.replace(/^file:\/\//, "").replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "").replace(/^.*\/packages\//, "")
  return path === "" ? "" : `${path}:${line + 1}`
}

/** Self time per function and per owner, as shares of the sampled time that was not idle. */
export const selfTime = (profile: typeof CpuProfile.Type, top = 10) => {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
  const byFunction = new Map<string, { fn: string; owner: string; ms: number }>()
  const byOwner = new Map<string, number>()
  let busy = 0
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000
    if (frame === undefined || frame.functionName === "(idle)") return
    busy += ms
    const who = owner(frame.url, frame.functionName)
    const key = `${frame.functionName || "(anonymous)"} ${where(frame.url, frame.lineNumber)}`.trim()
    const entry = byFunction.get(key) ?? { fn: key, owner: who, ms: 0 }
    entry.ms += ms
    byFunction.set(key, entry)
    byOwner.set(who, (byOwner.get(who) ?? 0) + ms)
  })
  const share = (ms: number) => Number(((100 * ms) / Math.max(busy, 1)).toFixed(1))
  return {
    busyMs: Math.round(busy),
    functions: [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, top)
      .map((f) => ({ function: f.fn, owner: f.owner, selfMs: Math.round(f.ms), percent: share(f.ms) })),
    owners: [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([who, ms]) => ({ owner: who, selfMs: Math.round(ms), percent: share(ms) }))
  }
}
