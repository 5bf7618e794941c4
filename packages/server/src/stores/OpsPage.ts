import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { opsPageHtml, opsPageStyle } from "./OpsPageHtml.js"
import { opsPageScript } from "./OpsPageScript.js"

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`

const page = opsPageHtml(opsPageStyle, opsPageScript)

/**
 * The page holds a bearer token, so it runs nothing but its own inline script and style (by
 * hash), talks only to this origin, and cannot be framed or submitted anywhere.
 */
const headers = {
  "content-security-policy": [
    "default-src 'none'",
    `script-src ${sha256(opsPageScript)}`,
    `style-src ${sha256(opsPageStyle)}`,
    "connect-src 'self'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join("; "),
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY"
}

/**
 * `GET /ops`: the store manager's dashboard, one self-contained page that polls
 * `/v1/ops/stores/{storeId}/dashboard` with the manager's token. A router route beside the
 * HttpApi (as `/metrics` is): no token is needed to load the page, only to read the data.
 */
export const OpsPageLive = HttpApiBuilder.Router.use((router) =>
  router.get("/ops", Effect.succeed(HttpServerResponse.text(page, { contentType: "text/html; charset=utf-8", headers })))
)
