/**
 * The `/ops` page's script: plain DOM JavaScript, sent inline (no build step, no CDN). Written
 * without template literals so it can live in this string. Every value from the server goes
 * into the page as text (`textContent`), never as markup: SKU and staff names are data.
 *
 * The token stays in `sessionStorage` (gone when the tab closes) and travels only in the
 * `Authorization` header, never in a URL.
 */
export const opsPageScript = String.raw`
"use strict";
(function () {
  var TOKEN_KEY = "qc.ops.token";
  var POLL_MS = 2000;
  // Statuses in which the order still waits to be packed: the SLA clock is running.
  var BEFORE_PACKED = { AWAITING_PAYMENT: true, PAID: true, CONFIRMED: true, PICKING: true };
  var s = { token: null, storeId: null, offsetMs: 0, poller: null, ticker: null, generation: 0, data: null };

  function byId(id) { return document.getElementById(id); }

  function el(tag, options, children) {
    var node = document.createElement(tag);
    var o = options || {};
    if (o.cls) node.className = o.cls;
    if (o.testid) node.setAttribute("data-testid", o.testid);
    if (o.text !== undefined && o.text !== null) node.textContent = String(o.text);
    if (o.title) node.title = o.title;
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  var timeFormat = new Intl.DateTimeFormat("en-IN", { timeZone: "Asia/Kolkata", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  var dateTimeFormat = new Intl.DateTimeFormat("en-IN", { timeZone: "Asia/Kolkata", day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function istTime(iso) { return timeFormat.format(new Date(iso)); }
  function istDateTime(iso) { return dateTimeFormat.format(new Date(iso)); }

  function serverNow() { return Date.now() + s.offsetMs; }

  /** mm:ss of a duration in ms (minutes may pass 59). */
  function mmss(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    return pad(Math.floor(total / 60)) + ":" + pad(total % 60);
  }

  function ago(ms) {
    var minutes = Math.round(ms / 60000);
    if (minutes < 1) return "just now";
    if (minutes < 120) return minutes + " min ago";
    return Math.round(minutes / 60) + " h ago";
  }

  function hoursAway(ms) {
    var h = ms / 3600000;
    if (ms <= 0) return "expired " + (h > -1 ? Math.max(1, Math.round(-ms / 60000)) + " min" : Math.round(-h) + " h") + " ago";
    return h < 1 ? "in " + Math.max(1, Math.round(ms / 60000)) + " min" : "in " + Math.round(h) + " h";
  }

  /** The token's claims, read without checking the signature: the server checks it. */
  function claimsOf(token) {
    var parts = token.split(".");
    if (parts.length !== 3) throw new Error("This is not a bearer token (three dot-separated parts expected).");
    var b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4 !== 0) b64 += "=";
    var bytes = Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  function stop() {
    s.generation += 1;
    if (s.poller !== null) clearTimeout(s.poller);
    if (s.ticker !== null) clearInterval(s.ticker);
    s.poller = null;
    s.ticker = null;
  }

  function showLogin(message) {
    stop();
    sessionStorage.removeItem(TOKEN_KEY);
    s.token = null;
    s.storeId = null;
    s.data = null;
    document.body.setAttribute("data-state", "login");
    byId("board").hidden = true;
    byId("login").hidden = false;
    var error = byId("login-error");
    error.textContent = message || "";
    error.hidden = !message;
    byId("token").value = "";
    byId("token").focus();
  }

  function start(token) {
    var claims;
    try { claims = claimsOf(token); } catch (e) { return showLogin("Cannot read this token: " + e.message); }
    if (typeof claims.store !== "string" || claims.store === "") return showLogin("This token names no store (no store claim): ask for a store manager token.");
    stop();
    s.token = token;
    s.storeId = claims.store;
    sessionStorage.setItem(TOKEN_KEY, token);
    document.body.setAttribute("data-state", "loading");
    byId("login").hidden = true;
    byId("login-error").hidden = true;
    byId("board").hidden = false;
    byId("store-name").textContent = claims.store;
    byId("signed-in").textContent = (claims.sub || "?") + " (" + (claims.role || "no role") + ")";
    poll();
    s.ticker = setInterval(tick, 1000);
  }

  function banner(message) {
    var b = byId("banner");
    b.textContent = message || "";
    b.hidden = !message;
  }

  function messageOf(body, status) {
    if (body && typeof body.message === "string") return body.message;
    if (body && typeof body._tag === "string") return body._tag;
    return "HTTP " + status;
  }

  function poll() {
    var generation = s.generation;
    var abort = new AbortController();
    var timeout = setTimeout(function () { abort.abort(); }, 10000);
    fetch("/v1/ops/stores/" + encodeURIComponent(s.storeId) + "/dashboard", {
      headers: { authorization: "Bearer " + s.token, accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
      signal: abort.signal
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = null; }
        return { status: response.status, body: body };
      });
    }).then(function (answer) {
      if (generation !== s.generation) return;
      if (answer.status === 200) {
        banner(null);
        render(answer.body);
      } else if (answer.status === 401 || answer.status === 403) {
        showLogin((answer.status === 401 ? "Not signed in: " : "Not allowed: ") + messageOf(answer.body, answer.status));
      } else if (answer.status === 404) {
        showLogin("Store " + s.storeId + " does not exist.");
      } else {
        banner("The server answered " + messageOf(answer.body, answer.status) + "; retrying every 2 s.");
      }
    }, function () {
      if (generation === s.generation) banner("Cannot reach the server; retrying every 2 s.");
    }).then(function () {
      clearTimeout(timeout);
      if (generation === s.generation) s.poller = setTimeout(poll, POLL_MS);
    });
  }

  function fill(tbodyId, rows, columns, empty) {
    var body = byId(tbodyId);
    var next = rows.length > 0 ? rows : [el("tr", { cls: "empty" }, [el("td", { text: empty })])];
    if (rows.length === 0) next[0].firstChild.colSpan = columns;
    body.replaceChildren.apply(body, next);
  }

  function render(d) {
    document.body.setAttribute("data-state", "live");
    s.data = d;
    s.offsetMs = Date.parse(d.now) - Date.now();
    var store = d.store;
    byId("store-name").textContent = store.name;
    byId("store-id").textContent = store.storeId + " · " + store.region;
    var open = byId("store-open");
    open.textContent = store.openNow ? "Open" : "Closed";
    open.className = "badge " + (store.openNow ? "open" : "closed");
    byId("store-hours").textContent = (store.hours === null ? "open all day" : store.hours.opens + "–" + store.hours.closes + " IST") +
      (store.accepting ? "" : " · not accepting orders");
    byId("sla-setting").textContent = "Packing SLA " + mmss(d.packingSlaSeconds * 1000);
    byId("updated").textContent = "updated " + istTime(d.now);

    byId("orders-count").textContent = String(d.orders.length);
    fill("orders-body", d.orders.map(function (o) {
      var sla = el("td", { cls: "sla", testid: "sla-" + o.orderId });
      sla.dataset.due = String(Date.parse(o.slaDueAt));
      sla.dataset.breached = o.slaBreached ? "1" : "";
      sla.dataset.running = BEFORE_PACKED[o.status] ? "1" : "";
      return el("tr", { testid: "order-" + o.orderId }, [
        el("td", { cls: "mono", text: o.orderId }),
        el("td", {}, [el("span", { cls: "status status-" + o.status.toLowerCase(), text: o.status.replace(/_/g, " ") })]),
        el("td", { text: o.picker ? o.picker.name : "—", cls: o.picker ? "nowrap" : "none" }),
        el("td", { text: o.rider ? o.rider.name : "—", cls: o.rider ? "nowrap" : "none" }),
        el("td", { cls: "num", testid: "picked-" + o.orderId, text: o.picked + " / " + o.units }),
        el("td", { text: istTime(o.placedAt) }),
        sla
      ]);
    }), 7, "No active orders.");

    byId("alerts-count").textContent = String(d.alerts.length);
    var alerts = byId("alerts");
    var items = d.alerts.map(function (a) {
      return el("li", { testid: "alert-" + a.orderId }, [
        el("strong", { text: "Packing SLA breached" }),
        el("span", { cls: "mono", text: a.orderId }),
        el("span", { cls: "muted", text: istTime(a.at) + " (" + ago(serverNow() - Date.parse(a.at)) + ")" })
      ]);
    });
    alerts.replaceChildren.apply(alerts, items.length > 0 ? items : [el("li", { cls: "empty", text: "No alerts." })]);

    fill("riders-body", d.riders.map(function (r) {
      return el("tr", { testid: "rider-" + r.id }, [
        el("td", { cls: "nowrap", text: r.name }),
        el("td", {}, [el("span", { cls: "dot " + (r.online ? "online" : "offline"), text: r.online ? "online" : "offline" })]),
        r.activeOrderIds.length > 0
          ? el("td", { cls: "mono ids" }, r.activeOrderIds.map(function (id) { return el("span", { text: id }); }))
          : el("td", { cls: "none", text: "—" })
      ]);
    }), 3, "No riders based here.");

    byId("low-count").textContent = String(d.lowStock.length);
    fill("low-body", d.lowStock.map(function (k) {
      return el("tr", { testid: "low-" + k.skuId, cls: k.available <= 0 ? "out" : "" }, [
        el("td", { text: k.name, title: k.skuId }),
        el("td", { cls: "num", text: k.available }),
        el("td", { cls: "num", text: k.reorderThreshold })
      ]);
    }), 3, "Nothing below its reorder threshold.");

    byId("expiring-count").textContent = String(d.expiringBatches.length);
    fill("expiring-body", d.expiringBatches.map(function (b) {
      var left = Date.parse(b.bestBefore) - serverNow();
      return el("tr", { testid: "batch-" + b.skuId + "-" + b.lot, cls: left <= 0 ? "out" : "" }, [
        el("td", { text: b.name, title: b.skuId }),
        el("td", { cls: "mono", text: b.lot }),
        el("td", { cls: "num", text: b.qty }),
        el("td", { text: istDateTime(b.bestBefore) + " · " + hoursAway(left) })
      ]);
    }), 4, "No batch expires within 48 h.");
    tick();
  }

  /** Every second: each SLA cell counts down on the server's clock and turns red at the breach. */
  function tick() {
    var now = serverNow();
    var cells = document.querySelectorAll("#orders-body td.sla");
    for (var i = 0; i < cells.length; i++) {
      var cell = cells[i];
      var left = Number(cell.dataset.due) - now;
      var running = cell.dataset.running === "1";
      var breached = cell.dataset.breached === "1" || (running && left <= 0);
      cell.textContent = running ? (left <= 0 ? "-" + mmss(-left) : mmss(left)) : (breached ? "packed late" : "packed");
      cell.classList.toggle("sla-breached", breached);
      cell.classList.toggle("sla-soon", running && !breached && left <= 60000);
    }
  }

  byId("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var token = byId("token").value.trim().replace(/^Bearer\s+/i, "");
    if (token === "") return showLogin("Paste a store manager token first.");
    start(token);
  });
  byId("logout").addEventListener("click", function () { showLogin(null); });

  var saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) start(saved); else showLogin(null);
})();
`
