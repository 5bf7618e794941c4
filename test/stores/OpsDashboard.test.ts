import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SignJWT } from "jose"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Locator } from "playwright-core"
import { chromium } from "playwright-core"
import type { SystemProcess } from "../support/ClusterProcesses.js"
import { freePorts, lastLines, spawnProcess, waitForHttp } from "../support/ClusterProcesses.js"

/**
 * The store manager's page in a real browser: Debian's chromium (never a downloaded one)
 * driven by playwright-core against the real server started as its own process (embedded
 * PGlite, its own data folder, a packing SLA of 4 s). The manager logs in at `/ops` with a
 * token pasted into the form; a customer places and pays an order at Baner; the page shows the
 * order and, 4 s after confirmation, its SLA cell turns red.
 *
 * What it waits on, in order (each names itself when it times out):
 * 1. the manager token accepted by `StaffAuth` (the `store_staff` row `pune-baner-manager`,
 *    role `store_manager`, seeded for the demo);
 * 2. the paid order's pick task at Baner (`pick_tasks`, written by the Store entity once the order
 *    is CONFIRMED), read through the dashboard;
 * 3. the SLA breach: the page's countdown from `slaDueAt` (confirmation + PACKING_SLA_SECONDS),
 *    or the server's `slaBreached`.
 *
 * Runs in CI's Postgres pass only, beside the other process tests; a browser needs a machine
 * prepared for it (`.ci/run` installs chromium), and this pass must not skip it silently.
 */
const storeId = "pune-baner"
const customerId = "cust-demo-1"
const secrets = { AUTH_SECRET: "ops-dashboard-auth-secret", ADMIN_API_KEY: "ops-dashboard-admin-key" }
const screenshot = fileURLToPath(new URL("../artifacts/ops-dashboard.png", import.meta.url))

const chromiumPath = Effect.suspend(() => {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p)
  const found = candidates.find((p) => existsSync(p))
  return found !== undefined ? Effect.succeed(found) : Effect.fail(
    new Error(
      `no chromium found (looked at ${candidates.join(", ")}): install Debian's package ` +
        "(apt-get install -y --no-install-recommends chromium, as .ci/run does) or set CHROMIUM_PATH"
    )
  )
})

const sign = (subject: string, claims: Record<string, string> = {}) =>
  Effect.promise(() =>
    new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(subject).setIssuedAt().setExpirationTime("1h")
      .sign(new TextEncoder().encode(secrets.AUTH_SECRET))
  )

const json = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
    const text = await response.text()
    return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as Record<string, unknown> }
  })

/** Waits for `locator` in the page; on a timeout, fails saying what was awaited, with the order's state and the server's log. */
const awaitOnPage = (server: SystemProcess, what: string, locator: Locator, seconds: number, context: Effect.Effect<string> = Effect.succeed("")) =>
  Effect.tryPromise(() => locator.waitFor({ state: "visible", timeout: seconds * 1000 })).pipe(
    Effect.catchAll(() =>
      Effect.flatMap(context, (detail) =>
        Effect.fail(new Error(`${what}: not on the page within ${seconds} s. ${detail}\n--- server log ---\n${lastLines(server, 40)}`))
      )
    )
  )

describe.runIf(process.env.DATABASE_URL)("store dashboard page (/ops) in chromium (Postgres pass only: real processes)", () => {
  it.scopedLive("a manager logs in; a paid order appears in Active orders; its SLA cell turns red at the breach", () =>
    Effect.gen(function*() {
      const executablePath = yield* chromiumPath
      const [port] = yield* freePorts(1)
      const base = `http://127.0.0.1:${port}`
      const dataDir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "qc-ops-page-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      // Embedded mode: this process's own PGlite, the in-process Razorpay stand-in, memory caches.
      const server = yield* spawnProcess("server", "main.ts", {
        ...secrets,
        PORT: String(port),
        DATA_DIR: dataDir,
        DEMO_SKU_COUNT: "100",
        PACKING_SLA_SECONDS: "4"
      }, { unset: ["DATABASE_URL", "REDIS_URL", "RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET", "RAZORPAY_WEBHOOK_SECRET", "RAZORPAY_BASE_URL"] })
      yield* waitForHttp(`${base}/health`).pipe(
        Effect.catchAll((e) => Effect.fail(new Error(`${e.message}\n${lastLines(server, 40)}`)))
      )
      const managerToken = yield* sign(`${storeId}-manager`, { role: "store_manager", store: storeId })
      const customerToken = yield* sign(customerId)

      const browser = yield* Effect.acquireRelease(
        Effect.promise(() => chromium.launch({ executablePath, headless: true })),
        (b) => Effect.promise(() => b.close())
      )
      const page = yield* Effect.promise(() => browser.newPage({ viewport: { width: 1360, height: 900 } }))
      yield* Effect.promise(() => page.goto(`${base}/ops`))
      yield* Effect.promise(() => page.getByTestId("token-input").fill(managerToken))
      yield* Effect.promise(() => page.getByTestId("login-submit").click())
      // The page is "live" once the dashboard answered; a refusal shows the login form and its error instead.
      const live = page.locator('body[data-state="live"]')
      const refused = page.getByTestId("login-error")
      yield* Effect.promise(() => live.or(refused).first().waitFor({ state: "visible", timeout: 30_000 }))
      if (yield* Effect.promise(() => refused.isVisible())) {
        return yield* Effect.fail(new Error(`the dashboard refused the manager token: ${yield* Effect.promise(() => refused.innerText())}`))
      }
      expect(yield* Effect.promise(() => page.getByTestId("store-name").innerText())).toBe("Baner Dark Store")

      // A customer orders one unit of a SKU in stock at Baner (primary store of 411045) and pays.
      const skus = yield* json(`${base}/v1/stores/${storeId}/skus?limit=50`)
      const items = skus.body.items as ReadonlyArray<{ sku: { id: string }; stock: { available: number } }>
      const sku = items.find((i) => i.stock.available >= 1)
      expect(sku, "a SKU in stock at Baner").toBeDefined()
      const placed = yield* json(`${base}/v1/orders`, {
        method: "POST",
        headers: { authorization: `Bearer ${customerToken}`, "idempotency-key": "ops-dashboard-1", "content-type": "application/json" },
        body: JSON.stringify({ pincode: "411045", items: [{ skuId: sku!.sku.id, qty: 1 }] })
      })
      expect(placed.status, JSON.stringify(placed.body)).toBe(201)
      const orderId = placed.body.orderId as string
      expect((placed.body.lines as ReadonlyArray<{ storeId: string }>)[0].storeId).toBe(storeId)
      const razorpayOrderId = (placed.body.payment as { razorpayOrderId: string }).razorpayOrderId
      const paid = yield* json(`${base}/v1/dev/payments/${razorpayOrderId}`, {
        method: "POST",
        headers: { "x-admin-key": secrets.ADMIN_API_KEY, "content-type": "application/json" },
        body: JSON.stringify({ outcome: "capture" })
      })
      expect(paid.status, JSON.stringify(paid.body)).toBe(200)
      const orderState = Effect.map(
        json(`${base}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${customerToken}` } }),
        (r) => `order ${orderId}: HTTP ${r.status}, status ${String(r.body.status)}`
      )

      yield* awaitOnPage(server, `order row ${orderId} (its pick task at Baner)`, page.getByTestId(`order-${orderId}`), 60, orderState)
      const sla = page.getByTestId(`sla-${orderId}`)
      yield* awaitOnPage(server, `SLA cell of ${orderId} turning red (sla-breached)`, page.locator(`[data-testid="sla-${orderId}"].sla-breached`), 30, orderState)
      expect(yield* Effect.promise(() => sla.innerText())).toMatch(/^-\d{2}:\d{2}$|packed late/)
      // The order's own SLA timer stamps the breach: the manager's alert shows on the next poll.
      yield* awaitOnPage(server, `alert for ${orderId} (store.sla_breached stamped on its task)`, page.getByTestId(`alert-${orderId}`), 30, orderState)

      mkdirSync(dirname(screenshot), { recursive: true })
      yield* Effect.promise(() => page.screenshot({ path: screenshot, fullPage: true }))
      console.log(`ops dashboard screenshot: ${screenshot}`)
    }), { timeout: 240_000 })
})
