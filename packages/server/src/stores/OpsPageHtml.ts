/** The `/ops` page's stylesheet, sent inline. */
export const opsPageStyle = `
:root { --ink: #1d2330; --muted: #6b7385; --line: #e3e6ee; --bg: #f5f6fa; --card: #fff; --accent: #0b7a4b;
  --red: #c62828; --red-bg: #fdecea; --amber: #a86400; --amber-bg: #fff4e0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font-size: 14px; }
[hidden] { display: none !important; }
.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
.muted, .none { color: var(--muted); }
.nowrap, td.mono { white-space: nowrap; }
.ids span { display: block; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
#login { max-width: 520px; margin: 12vh auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 28px 32px; }
#login h1 { margin: 0 0 4px; font-size: 22px; }
#login p { color: var(--muted); margin: 0 0 18px; }
#login label { display: block; font-weight: 600; margin-bottom: 6px; }
#login textarea { width: 100%; height: 110px; font: 12px ui-monospace, Menlo, monospace; padding: 8px; border: 1px solid var(--line); border-radius: 6px; resize: vertical; }
#login code { background: var(--bg); padding: 1px 5px; border-radius: 4px; }
button { font: inherit; border: 0; border-radius: 6px; padding: 8px 16px; cursor: pointer; background: var(--accent); color: #fff; font-weight: 600; }
button.quiet { background: transparent; color: #cfd6e4; border: 1px solid #4a5368; padding: 5px 12px; }
#login button { margin-top: 14px; }
.error { background: var(--red-bg); color: var(--red); border-radius: 6px; padding: 8px 12px; margin-top: 12px; }
header { background: #1d2330; color: #fff; padding: 14px 24px; display: flex; align-items: center; gap: 18px; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 20px; }
header .sub { color: #aeb7c9; font-size: 13px; }
header .spacer { flex: 1; }
.badge { display: inline-block; border-radius: 999px; padding: 3px 12px; font-weight: 700; font-size: 12px; letter-spacing: .04em; text-transform: uppercase; }
.badge.open { background: #d9f7e6; color: var(--accent); }
.badge.closed { background: #ffe0dd; color: var(--red); }
#banner { background: var(--amber-bg); color: var(--amber); padding: 8px 24px; border-bottom: 1px solid #f2d9a8; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; padding: 16px 24px 32px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; min-width: 0; overflow-x: auto; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 15px; margin: 0 0 10px; display: flex; align-items: center; gap: 8px; }
h2 .count { background: var(--bg); color: var(--muted); border-radius: 999px; padding: 1px 9px; font-size: 12px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 7px 8px; vertical-align: middle; }
tr:last-child td { border-bottom: 0; }
tr.empty td { color: var(--muted); text-align: center; padding: 18px; }
tr.out td { color: var(--red); }
.status { font-size: 11.5px; font-weight: 700; border-radius: 4px; padding: 2px 7px; background: #eef1f7; color: #39425a; white-space: nowrap; }
.status-picking { background: #e6f0ff; color: #1f5fbf; }
.status-packed { background: #efe6ff; color: #6a3dbf; }
.status-rider_assigned, .status-out_for_delivery { background: #e3f6ee; color: var(--accent); }
td.sla { font: 700 15px ui-monospace, Menlo, monospace; text-align: right; white-space: nowrap; border-radius: 4px; }
td.sla.sla-soon { color: var(--amber); background: var(--amber-bg); }
td.sla.sla-breached { color: #fff; background: var(--red); }
ul#alerts { list-style: none; margin: 0; padding: 0; }
ul#alerts li { display: flex; gap: 10px; flex-wrap: wrap; align-items: baseline; padding: 8px 10px; margin-bottom: 6px; border-radius: 6px; background: var(--red-bg); color: var(--red); }
ul#alerts li.empty { background: transparent; color: var(--muted); }
.dot { white-space: nowrap; }
.dot::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: #b8bfcc; }
.dot.online::before { background: #1aa761; }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
`

/** The page itself; `style` and `script` go inline, as the Content-Security-Policy's hashes allow. */
export const opsPageHtml = (style: string, script: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Store dashboard · QC ops</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
<section id="login" hidden>
  <h1>Store dashboard</h1>
  <p>For store managers. Paste your bearer token (<code>pnpm run token store_manager &lt;storeId&gt;</code>); it is kept in this tab only.</p>
  <form id="login-form" data-testid="login-form" method="post" autocomplete="off">
    <label for="token">Manager token</label>
    <textarea id="token" data-testid="token-input" spellcheck="false" autocomplete="off" placeholder="eyJhbGciOiJIUzI1NiJ9…"></textarea>
    <div id="login-error" class="error" role="alert" data-testid="login-error" hidden></div>
    <button type="submit" data-testid="login-submit">Open dashboard</button>
  </form>
</section>
<div id="board" hidden>
  <header>
    <div>
      <h1 id="store-name" data-testid="store-name"></h1>
      <div class="sub"><span id="store-id"></span> · <span id="store-hours"></span></div>
    </div>
    <span id="store-open" class="badge" data-testid="store-open"></span>
    <span class="spacer"></span>
    <div class="sub"><span id="sla-setting"></span> · <span id="updated" data-testid="updated"></span><br><span id="signed-in"></span></div>
    <button id="logout" class="quiet" type="button" data-testid="logout">Log out</button>
  </header>
  <div id="banner" role="status" data-testid="banner" hidden></div>
  <main>
    <section class="card wide">
      <h2>Active orders <span id="orders-count" class="count"></span></h2>
      <table data-testid="orders">
        <thead><tr><th>Order</th><th>Status</th><th>Picker</th><th>Rider</th><th class="num">Picked / units</th><th>Placed</th><th class="num">Packing SLA</th></tr></thead>
        <tbody id="orders-body"></tbody>
      </table>
    </section>
    <section class="card">
      <h2>Alerts <span id="alerts-count" class="count"></span></h2>
      <ul id="alerts" data-testid="alerts"></ul>
    </section>
    <section class="card">
      <h2>Riders</h2>
      <table data-testid="riders">
        <thead><tr><th>Rider</th><th>State</th><th>Orders</th></tr></thead>
        <tbody id="riders-body"></tbody>
      </table>
    </section>
    <section class="card">
      <h2>Low stock <span id="low-count" class="count"></span></h2>
      <table data-testid="low-stock">
        <thead><tr><th>SKU</th><th class="num">Available</th><th class="num">Reorder at</th></tr></thead>
        <tbody id="low-body"></tbody>
      </table>
    </section>
    <section class="card">
      <h2>Expiring within 48 h <span id="expiring-count" class="count"></span></h2>
      <table data-testid="expiring">
        <thead><tr><th>SKU</th><th>Lot</th><th class="num">Qty</th><th>Best before (IST)</th></tr></thead>
        <tbody id="expiring-body"></tbody>
      </table>
    </section>
  </main>
</div>
<script>${script}</script>
</body>
</html>
`
