// Load generator for bench/search.ts, in its own process so it does not share the
// server's event loop. Prints one JSON line: per-kind client and server (Server-Timing) latencies.
const [base, total, clients, seed, queriesJson] = process.argv.slice(2)
const queries = JSON.parse(queriesJson)
const pincodes = ["411001", "411003", "411006", "411007", "411013", "411014", "411017", "411018", "411019", "411021", "411027", "411028", "411033", "411036", "411038", "411045", "411047", "411052", "411057", "411058", "411060", "411061", "412207"]
const categories = [undefined, "fresh_produce", "dairy", "packaged_food", "household_cleaning", "personal_care"]
const sorts = ["popularity", "name", "price"]
let s = Number(seed)
const random = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32
const pick = (xs) => xs[Math.floor(random() * xs.length)]
const stats = { search: { client: [], server: [], errors: 0 }, browse: { client: [], server: [], errors: 0 } }
let next = 0
const one = async () => {
  const kind = random() < 0.6 ? "search" : "browse"
  const pincode = pick(pincodes)
  let url
  if (kind === "search") url = `${base}/v1/search?q=${encodeURIComponent(pick(queries))}&pincode=${pincode}&limit=20`
  else {
    const category = pick(categories)
    url = `${base}/v1/catalog?pincode=${pincode}&sort=${pick(sorts)}&limit=20${category ? `&category=${category}` : ""}`
  }
  const t0 = performance.now()
  const res = await fetch(url)
  const body = await res.json()
  const ms = performance.now() - t0
  if (res.status !== 200) { stats[kind].errors++; return }
  stats[kind].client.push(ms)
  stats[kind].server.push(Number((res.headers.get("server-timing") ?? "dur=0").split("dur=")[1]))
  // A quarter of browses go on to page 2.
  if (kind === "browse" && body.nextCursor && random() < 0.25) {
    const t1 = performance.now()
    const res2 = await fetch(`${url}&cursor=${body.nextCursor}`)
    await res2.arrayBuffer()
    if (res2.status !== 200) { stats.browse.errors++; return }
    stats.browse.client.push(performance.now() - t1)
    stats.browse.server.push(Number((res2.headers.get("server-timing") ?? "dur=0").split("dur=")[1]))
  }
}
const started = performance.now()
await Promise.all(Array.from({ length: Number(clients) }, async () => {
  while (next < Number(total)) {
    next++
    await one().catch(() => { stats.search.errors++ })
  }
}))
const seconds = (performance.now() - started) / 1000
const q = (xs, p) => { const a = [...xs].sort((x, y) => x - y); return a.length === 0 ? 0 : a[Math.min(a.length - 1, Math.floor(a.length * p))] }
const out = { seconds }
for (const [k, v] of Object.entries(stats)) {
  out[k] = {
    requests: v.client.length,
    errors: v.errors,
    perSecond: v.client.length / seconds,
    clientP50: q(v.client, 0.5), clientP99: q(v.client, 0.99),
    serverP50: q(v.server, 0.5), serverP99: q(v.server, 0.99)
  }
}
console.log(JSON.stringify(out))
