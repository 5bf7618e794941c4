// Load generator for bench/checkout.ts, in its own process so it does not share the server's
// (or the stand-in's) event loop. `node bench/checkout-load.mjs <mode> <config json>`, one JSON
// line on stdout. Modes:
//   catalogue  pages every store's SKUs (GET /v1/stores/{id}/skus, no entity activated) and
//              writes the stocked ones to config.out
//   warm       GET /v1/stores/{storeId}/skus/{skuId} for every store-SKU: each entity resident
//   orders     N customers, each placing a 3–6 line order (Idempotency-Key), paying it on the
//              stand-in's dev endpoint and polling GET /v1/orders/{id} until CONFIRMED, then the next
import { createHmac } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"

const [mode, configJson] = process.argv.slice(2)
const config = JSON.parse(configJson)
const now = () => performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const quantile = (xs, p) => {
  const a = [...xs].sort((x, y) => x - y)
  return a.length === 0 ? 0 : a[Math.min(a.length - 1, Math.floor(a.length * p))]
}
const summary = (xs) => ({ n: xs.length, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: quantile(xs, 1) })
const serverMs = (res) => Number((res.headers.get("server-timing") ?? "dur=0").split("dur=")[1])
const json = async (res) => {
  const text = await res.text()
  try {
    return JSON.parse(text)
  } catch {
    return { text: text.slice(0, 200) }
  }
}

// HS256 by hand, as CustomerAuth verifies it: the secret's UTF-8 bytes, `sub` and an `exp`.
const base64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url")
const token = (customerId) => {
  const iat = Math.floor(Date.now() / 1000)
  const body = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({ sub: customerId, iat, exp: iat + 12 * 3600 })}`
  return `${body}.${createHmac("sha256", config.authSecret).update(body).digest("base64url")}`
}

const pool = async (total, concurrency, one) => {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (next < total) await one(next++, worker)
  }))
}

const catalogue = async () => {
  const started = now()
  const stores = await (await fetch(`${config.base}/v1/stores`)).json()
  let storeSkus = 0
  const out = await Promise.all(stores.map(async (store) => {
    const all = []
    const stocked = []
    let cursor
    do {
      const res = await fetch(`${config.base}/v1/stores/${store.id}/skus?limit=200${cursor ? `&cursor=${cursor}` : ""}`)
      const page = await res.json()
      for (const item of page.items) {
        all.push(item.sku.id)
        if (item.stock.available >= config.minAvailable) stocked.push(item.sku.id)
      }
      cursor = page.nextCursor
    } while (cursor)
    storeSkus += all.length
    return { storeId: store.id, pincode: store.pincodes[0], all, stocked }
  }))
  writeFileSync(config.out, JSON.stringify(out))
  return { stores: stores.length, storeSkus, stocked: out.reduce((n, s) => n + s.stocked.length, 0), seconds: (now() - started) / 1000 }
}

const warm = async () => {
  const stores = JSON.parse(readFileSync(config.catalogue, "utf8"))
  const pairs = stores.flatMap((s) => s.all.map((skuId) => [s.storeId, skuId]))
  const latency = []
  let errors = 0
  const started = now()
  await pool(pairs.length, config.concurrency, async (i) => {
    const t0 = now()
    const res = await fetch(`${config.base}/v1/stores/${pairs[i][0]}/skus/${pairs[i][1]}`).catch(() => undefined)
    if (res === undefined || res.status !== 200) errors++
    await res?.arrayBuffer()
    latency.push(now() - t0)
  })
  return { requests: pairs.length, errors, seconds: (now() - started) / 1000, latencyMs: summary(latency) }
}

const orders = async () => {
  const stores = JSON.parse(readFileSync(config.catalogue, "utf8")).filter((s) => s.stocked.length >= 6)
  let seed = config.seed
  const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32
  const carts = Array.from({ length: config.orders }, () => {
    const store = stores[Math.floor(random() * stores.length)]
    const chosen = new Set()
    const lines = 3 + Math.floor(random() * 4)
    while (chosen.size < lines) chosen.add(store.stocked[Math.floor(random() * store.stocked.length)])
    return { pincode: store.pincode, items: [...chosen].map((skuId) => ({ skuId, qty: 1 + Math.floor(random() * 2) })) }
  })
  const tokens = config.customers.map(token)
  const payAuth = `Basic ${Buffer.from(`${config.standin.keyId}:${config.standin.keySecret}`).toString("base64")}`
  const stats = {
    place: [], placeServer: [], pay: [], seen: [], placedToConfirmed: [], paidToConfirmed: [],
    polls: 0, confirmed: 0, conflicts: 0, failures: 0, unconfirmed: 0, reasons: []
  }
  const fail = (reason) => {
    stats.failures++
    if (stats.reasons.length < 5) stats.reasons.push(reason.slice(0, 300))
  }
  const at = (view, status) => {
    const entry = view.timeline.find((t) => t.status === status)
    return entry === undefined ? undefined : Date.parse(entry.at)
  }

  const one = async (i, worker) => {
    const auth = `Bearer ${tokens[worker % tokens.length]}`
    const t0 = now()
    const res = await fetch(`${config.base}/v1/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: auth, "idempotency-key": `${config.keyPrefix}-${i}` },
      body: JSON.stringify(carts[i])
    })
    const placed = await json(res)
    stats.place.push(now() - t0)
    stats.placeServer.push(serverMs(res))
    if (res.status === 409) return void stats.conflicts++
    if (res.status !== 201) return fail(`POST /v1/orders ${res.status} ${JSON.stringify(placed)}`)
    const t1 = now()
    const paid = await fetch(`${config.standin.base}/v1/dev/payments/${placed.payment.razorpayOrderId}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: payAuth },
      body: JSON.stringify({ outcome: "capture" })
    })
    const payment = await json(paid)
    stats.pay.push(now() - t1)
    if (paid.status !== 200) return fail(`pay ${paid.status} ${JSON.stringify(payment)}`)
    const t2 = now()
    // The app's poll: soon after paying, then backing off so slow confirmations cost few requests.
    for (let wait = 25; now() - t2 < config.confirmTimeoutMs; wait = Math.min(wait * 1.5, 400)) {
      await sleep(wait)
      stats.polls++
      const got = await fetch(`${config.base}/v1/orders/${placed.orderId}`, { headers: { authorization: auth } })
      const view = await json(got)
      if (got.status !== 200) return fail(`GET /v1/orders/{id} ${got.status} ${JSON.stringify(view)}`)
      if (view.status === "CONFIRMED") {
        stats.confirmed++
        stats.seen.push(now() - t1)
        const confirmedAt = at(view, "CONFIRMED")
        stats.placedToConfirmed.push(confirmedAt - (at(view, "AWAITING_PAYMENT") ?? Date.parse(view.placedAt)))
        const paidAt = at(view, "PAID")
        if (paidAt !== undefined) stats.paidToConfirmed.push(confirmedAt - paidAt)
        return
      }
      if (view.status !== "AWAITING_PAYMENT" && view.status !== "PAID") return fail(`order ended ${view.status} ${view.statusReason}`)
    }
    stats.unconfirmed++
  }

  const started = now()
  await pool(carts.length, config.concurrency, (i, worker) => one(i, worker).catch((error) => fail(String(error))))
  const seconds = (now() - started) / 1000
  return {
    orders: carts.length,
    concurrency: config.concurrency,
    seconds,
    confirmed: stats.confirmed,
    conflicts: stats.conflicts,
    failures: stats.failures,
    unconfirmed: stats.unconfirmed,
    failureReasons: stats.reasons,
    confirmedPerMinute: stats.confirmed / (seconds / 60),
    pollsPerOrder: stats.polls / Math.max(1, stats.confirmed),
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    placeMs: summary(stats.place),
    placeServerMs: summary(stats.placeServer),
    payMs: summary(stats.pay),
    paidSeenConfirmedMs: summary(stats.seen),
    placedToConfirmedMs: summary(stats.placedToConfirmed),
    paidToConfirmedMs: summary(stats.paidToConfirmed)
  }
}

const modes = { catalogue, warm, orders }
console.log(JSON.stringify(await modes[mode]()))
