// The status page of `npm run demo`: one LifelineSocket to the demo server, its state, RTT,
// counters and events on screen, and buttons that ask the server for faults.
import { LifelineSocket } from "/dist/lifeline-ws.mjs";

const OPTIONS = {
  heartbeat: { interval: 1000, timeout: 1000 },
  backoff: { initialDelay: 200, maxDelay: 2000 },
  // A handshake through the muted proxy hangs: cut it (as examples/node/demo.mjs does).
  connectionTimeout: 2000,
};
const SEND_EVERY_MS = 500;
const SPARK_POINTS = 60;
const LOG_MAX = 200;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- what the page keeps

const counts = { connections: 0, closes: 0, errors: 0, sent: 0, received: 0 };
let detectionLast = null; // { ms, cause }
let detectionMax = null;
let downtimeLast = null;
let lastClose = null; // { code, reason, at }
let rtts = []; // the sparkline's last SPARK_POINTS slots: an RTT, or null for a disconnection
let lastHeardAt = null; // performance.now() of the last echo or pong
let pendingFault = null; // { name, at } : a fault asked for whose close has not come yet
let nextAttemptAt = null; // performance.now() of the scheduled attempt, while waiting
let downSince = null;
let connected = false; // between open/reconnect and the next close
let closingByHand = false; // the next close is ours: reconnect now
let offline = false; // the simulated network state (the "go offline" toggle)
let seq = 0;
let heartbeats = 0;
let ws = null; // the LifelineSocket, once /config has answered

// ---------------------------------------------------------------- formatting

const ms = (v) => (v == null ? "–" : `${Math.round(v)} ms`);
const clock = (date) =>
  date.toTimeString().slice(0, 8) + "." + String(date.getMilliseconds()).padStart(3, "0");
function duration(v) {
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.floor(v / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

// ---------------------------------------------------------------- event log

const logEl = $("log");
const logHeartbeats = $("log-heartbeats");

/**
 * Adds a line at the top of the log: `type` is its CSS class and `data-type`; `data` adds
 * `data-*` attributes (the event's fields, for tests and the console); `data-t` is Date.now().
 */
function log(type, text, data = {}) {
  const now = Date.now();
  const li = document.createElement("li");
  li.className = `ev ev-${type}`;
  li.dataset.type = type;
  li.dataset.seq = String(++seq);
  li.dataset.t = String(now);
  for (const [key, value] of Object.entries(data)) if (value != null) li.dataset[key] = String(value);
  const time = document.createElement("time");
  time.dateTime = new Date(now).toISOString();
  time.textContent = clock(new Date(now));
  const kind = document.createElement("span");
  kind.className = "kind";
  kind.textContent = type;
  const detail = document.createElement("span");
  detail.className = "detail";
  detail.textContent = text;
  li.append(time, kind, detail);
  logEl.prepend(li);
  while (logEl.childElementCount > LOG_MAX) logEl.lastElementChild.remove();
  $("log-count").textContent = String(logEl.childElementCount);
  refresh();
}

$("btn-clear").addEventListener("click", () => {
  logEl.replaceChildren();
  $("log-count").textContent = "0";
});

// ---------------------------------------------------------------- state

const STATE_TEXT = {
  connecting: "opening a socket",
  open: "connected",
  waiting: "no socket: waiting to retry",
  closing: "closing",
  closed: "closed for good (until reconnect now)",
};

function showState(state) {
  const el = $("state");
  el.textContent = state;
  el.dataset.state = state;
  document.body.dataset.state = state;
  if (state !== "waiting") nextAttemptAt = null;
  refresh();
}

function stateDetail() {
  const now = performance.now();
  const stats = ws.stats;
  switch (ws.state) {
    case "open":
      return stats.connectedSince == null
        ? STATE_TEXT.open
        : `up ${duration(Date.now() - stats.connectedSince)} · since ${clock(new Date(stats.connectedSince))}`;
    case "waiting": {
      const parts = [downSince != null ? `down ${duration(now - downSince)}` : "down"];
      if (navigator.onLine === false || offline) parts.push("offline: no attempts");
      else if (nextAttemptAt != null) parts.push(`attempt ${stats.attempts + 1} in ${ms(Math.max(0, nextAttemptAt - now))}`);
      return parts.join(" · ");
    }
    case "connecting":
      return stats.attempts ? `attempt ${stats.attempts}` + (downSince != null ? ` · down ${duration(now - downSince)}` : "") : STATE_TEXT.connecting;
    default:
      return STATE_TEXT[ws.state] ?? "";
  }
}

// ---------------------------------------------------------------- counters, repainted often

function refresh() {
  if (!ws) return;
  const stats = ws.stats;
  $("state-detail").textContent = stateDetail();
  $("last-close").textContent = lastClose
    ? `${lastClose.code}${lastClose.reason ? ` “${lastClose.reason}”` : ""} at ${clock(lastClose.at)}`
    : "none yet";
  $("network").textContent = offline ? "offline (simulated)" : navigator.onLine ? "online" : "offline";
  $("c-connections").textContent = counts.connections;
  $("c-reconnects").textContent = stats.reconnects;
  $("c-attempts").textContent = stats.attempts;
  $("c-closes").textContent = counts.closes;
  $("c-errors").textContent = counts.errors;
  $("c-detection").textContent = detectionLast ? ms(detectionLast.ms) : "–";
  $("c-detection").title = detectionLast ? detectionLast.cause : "";
  $("c-detection-max").textContent = detectionMax ? ms(detectionMax.ms) : "–";
  $("c-detection-max").title = detectionMax ? detectionMax.cause : "";
  $("c-downtime").textContent = ms(downtimeLast);
  $("c-sent").textContent = counts.sent;
  $("c-received").textContent = counts.received;
  $("c-queued").textContent = stats.queued;
  $("c-lost").textContent = Math.max(0, counts.sent - counts.received - stats.queued);
}
setInterval(refresh, 250);

// ---------------------------------------------------------------- RTT sparkline

function drawRtt() {
  if (rtts.length > SPARK_POINTS) rtts = rtts.slice(-SPARK_POINTS);
  const values = rtts.filter((v) => v !== null);
  const last = values.at(-1);
  const fmt = (v) => (v < 10 ? v.toFixed(1) : String(Math.round(v)));
  $("rtt-last").textContent = last == null ? "–" : fmt(last);
  $("rtt-last").dataset.rtt = last == null ? "" : String(last);
  $("rtt-min").textContent = values.length ? fmt(Math.min(...values)) : "–";
  $("rtt-max").textContent = values.length ? fmt(Math.max(...values)) : "–";
  $("rtt-avg").textContent = values.length ? fmt(values.reduce((a, b) => a + b, 0) / values.length) : "–";
  const svg = $("sparkline");
  svg.dataset.points = String(values.length);
  svg.dataset.total = String(heartbeats);

  // viewBox 0 0 300 60; one slot per heartbeat (or break), the newest at the right edge.
  const W = 300, H = 60, PAD = 4, RIGHT = W - 3; // RIGHT: room for the dot
  const top = Math.max(2, ...values) * 1.15;
  const step = RIGHT / (SPARK_POINTS - 1);
  const x = (i) => RIGHT - (rtts.length - 1 - i) * step;
  const y = (v) => H - PAD - (v / top) * (H - 2 * PAD);
  let line = "", area = "", run = [];
  const flush = () => {
    if (!run.length) return;
    const d = run.map(([px, py], i) => `${i ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`).join("");
    line += d;
    area += `${d}L${run.at(-1)[0].toFixed(1)},${H}L${run[0][0].toFixed(1)},${H}Z`;
    run = [];
  };
  const breaks = [];
  rtts.forEach((v, i) => {
    if (v === null) {
      flush();
      breaks.push(`<line x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="0" y2="${H}"/>`);
    } else run.push([x(i), y(v)]);
  });
  flush();
  $("spark-line").setAttribute("d", line);
  $("spark-area").setAttribute("d", area);
  $("spark-breaks").innerHTML = breaks.join("");
  // Dots: zero-length lines with round caps stay round when the SVG stretches. Every RTT gets
  // a small one (a connection that saw a single heartbeat has no line), the newest a big one.
  const dot = (i, v) => `M${x(i).toFixed(1)},${y(v).toFixed(1)}h0`;
  $("spark-points").setAttribute("d", rtts.map((v, i) => (v === null ? "" : dot(i, v))).join(""));
  $("spark-dot").setAttribute("d", last == null ? "" : dot(rtts.lastIndexOf(last), last));
  $("spark-scale").textContent = `scale 0–${fmt(top)} ms · one slot per heartbeat`;
}

// ---------------------------------------------------------------- fault buttons

async function postFault(name) {
  const res = await fetch(`/fault/${name}`, { method: "POST" });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || body.ok === false) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const clicked = { drop: 0, kill: 0, mute: 0, refuse: 0 }; // faults this page asked for
let clicks = 0; // a /status answer older than the last click may not move the toggles

/**
 * Shows a toggle (mute/unmute, refuse/resume) as on or off: its words say what a click does
 * next (so no aria-pressed, which would contradict them), `data-on` styles it.
 */
function setToggle(button, on) {
  const { fault, undo } = button.dataset;
  button.textContent = on ? undo : fault;
  button.dataset.on = String(on);
  button.setAttribute("aria-label", on ? button.dataset.labelOn : button.dataset.labelOff);
}

for (const button of document.querySelectorAll("button[data-fault]")) {
  const { fault, undo } = button.dataset; // undo: the toggles' second fault (unmute, resume)
  if (undo) {
    button.dataset.labelOff = button.getAttribute("aria-label");
    button.dataset.labelOn = `${undo[0].toUpperCase()}${undo.slice(1)}: end the ${fault}`;
  }
  button.addEventListener("click", async () => {
    const name = undo && button.dataset.on === "true" ? undo : fault;
    clicks++;
    button.disabled = true;
    // Logged (and timed) at the click: the close can arrive before the server's answer.
    log("fault", `POST /fault/${name}`, { fault: name });
    if (name === fault) {
      clicked[fault]++;
      pendingFault = { name, at: performance.now() };
    } else if (pendingFault?.name === fault) pendingFault = null;
    try {
      await postFault(name);
      if (undo) setToggle(button, name === fault);
    } catch (err) {
      if (pendingFault?.name === name) pendingFault = null;
      log("error", `fault ${name} failed: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
}

// "Go offline" cannot take the browser offline: it tells the library so, with the events a
// browser dispatches on window when the network goes and comes back.
const offlineButton = $("btn-offline");
offlineButton.addEventListener("click", () => {
  offline = !offline;
  window.dispatchEvent(new Event(offline ? "offline" : "online"));
  log("page", offline ? "dispatched “offline” on window (simulated)" : "dispatched “online” on window (simulated)");
  offlineButton.textContent = offline ? "go online" : "go offline";
  offlineButton.dataset.on = String(offline);
  offlineButton.setAttribute("aria-label", offline ? "Go online: simulate the network coming back" : "Go offline: simulate the browser losing the network");
  refresh();
});

// ---------------------------------------------------------------- the demo server's status

// GET /status (when the demo server has it) says what is broken right now: the toggles follow
// it (a mute or a refusal also ends by itself), and faults the page did not ask for (the demo's
// schedule) are logged.
let serverFaults = null; // the counts at the first answer, then as logged
let serverRestarts = null;

async function pollStatus() {
  const before = clicks;
  let body;
  try {
    const res = await fetch("/status", { cache: "no-store" });
    if (res.status === 404) return; // an older demo server: the toggles stay local
    body = await res.json();
  } catch {
    $("server").textContent = "not answering (is the demo running?)";
    setTimeout(pollStatus, 2000);
    return;
  }
  const { server = {}, counters = {} } = body;
  const parts = [server.up ? "up" : "down (killed, restarting)"];
  if (server.muted) parts.push("muted (half-open)");
  if (server.refused) parts.push("refusing connections");
  if (server.schedule) parts.push("faults on a schedule");
  $("server").textContent = parts.join(" · ");
  if (before === clicks) {
    setToggle($("btn-mute"), !!server.muted);
    setToggle($("btn-refuse"), !!server.refused);
  }
  const faults = counters.faults ?? {};
  if (serverFaults == null) {
    serverFaults = { ...faults };
    for (const name of Object.keys(clicked)) serverFaults[name] = (serverFaults[name] ?? 0) + clicked[name];
  } else {
    for (const [name, n] of Object.entries(faults)) {
      // Faults this page did not ask for: the schedule's (or someone's curl).
      const others = n - (serverFaults[name] ?? 0) - (clicked[name] ?? 0);
      if (others > 0) {
        log("server", `${name}${others > 1 ? ` ×${others}` : ""} — not from this page (the demo's fault schedule)`, { fault: name });
        serverFaults[name] = (serverFaults[name] ?? 0) + others;
      }
    }
  }
  if (serverRestarts != null && counters.restarts > serverRestarts) log("server", "server process restarted");
  serverRestarts = counters.restarts ?? 0;
  setTimeout(pollStatus, 1000);
}

// ---------------------------------------------------------------- the socket

let config;
try {
  const res = await fetch("/config");
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  config = await res.json();
} catch (err) {
  $("state").textContent = "no config";
  $("state").dataset.state = document.body.dataset.state = "closed";
  $("state-detail").textContent = `GET /config failed: ${err.message}. Is the demo server running?`;
  log("error", `GET /config: ${err.message}`);
  throw err;
}
$("ws-url").textContent = config.wsUrl;
$("options-json").textContent =
  `new LifelineSocket(${JSON.stringify(config.wsUrl)}, undefined, ${JSON.stringify(OPTIONS, null, 2)})`;

ws = new LifelineSocket(config.wsUrl, undefined, OPTIONS);
window.lifeline = ws;
showState(ws.state);
log("page", `connecting to ${config.wsUrl}`);
pollStatus();

ws.addEventListener("statechange", (e) => {
  showState(e.state);
  log("statechange", e.state);
});

ws.addEventListener("open", () => {
  counts.connections++;
  connected = true;
  downSince = null;
  log("open", "first connection open");
});

ws.addEventListener("reconnect", (e) => {
  counts.connections++;
  connected = true;
  downtimeLast = e.downtimeMs;
  downSince = null;
  log("reconnect", `attempt ${e.attempt} · down ${duration(e.downtimeMs)}`, {
    attempt: e.attempt,
    downtimeMs: Math.round(e.downtimeMs),
  });
});

ws.addEventListener("close", (e) => {
  counts.closes++;
  const now = performance.now();
  downSince ??= now;
  if (connected && rtts.length && rtts.at(-1) !== null) {
    rtts.push(null); // a break in the sparkline
    drawRtt();
  }
  // Detection time of a lost connection: from the fault button when one was pressed; else,
  // when the client itself declared the connection dead ("heartbeat timeout"), from the last
  // sign of life (echo or pong). Not for failed attempts or our own reconnect().
  let detection = null;
  if (connected && !closingByHand) {
    if (pendingFault && now - pendingFault.at < 30_000) {
      detection = { ms: now - pendingFault.at, cause: `after ${pendingFault.name}` };
    } else if (lastHeardAt != null && /timeout/.test(e.reason)) {
      detection = { ms: now - lastHeardAt, cause: "since last heard" };
    }
  }
  if (connected) pendingFault = null;
  connected = false;
  closingByHand = false;
  lastHeardAt = null;
  if (detection) {
    detectionLast = detection;
    if (detectionMax == null || detection.ms > detectionMax.ms) detectionMax = detection;
  }
  const parts = [`${e.code}`, e.reason ? `“${e.reason}”` : "no reason", e.wasClean ? "clean" : "not clean"];
  if (e.willReconnect) parts.push(e.delayMs == null ? "reconnects when possible" : `next attempt in ${ms(e.delayMs)}`);
  else parts.push("will not reconnect");
  if (detection) parts.push(`detected ${ms(detection.ms)} ${detection.cause}`);
  lastClose = { code: e.code, reason: e.reason, at: new Date() };
  log("close", parts.join(" · "), {
    code: e.code,
    reason: e.reason,
    willReconnect: e.willReconnect,
    detectionMs: detection && Math.round(detection.ms),
  });
});

ws.addEventListener("reconnecting", (e) => {
  nextAttemptAt = performance.now() + e.delayMs;
  log("reconnecting", `attempt ${e.attempt} in ${ms(e.delayMs)}`, { attempt: e.attempt, delayMs: Math.round(e.delayMs) });
});

ws.addEventListener("error", (e) => {
  counts.errors++;
  const what = {
    socket: "the socket failed (attempt refused or connection lost)",
    "connection-timeout": `no handshake within connectionTimeout (${OPTIONS.connectionTimeout} ms)`,
    url: "the URL provider failed",
  }[e.cause] ?? e.cause;
  const message = e.error instanceof Error ? `: ${e.error.message}` : "";
  log("error", `${what}${message}`, { cause: e.cause });
});

ws.addEventListener("giveup", (e) => {
  log("giveup", `gave up after ${e.attempts} attempts — press “reconnect now” to start over`);
});

ws.addEventListener("heartbeat", (e) => {
  lastHeardAt = performance.now();
  heartbeats++;
  rtts.push(e.rttMs);
  drawRtt();
  if (logHeartbeats.checked) log("heartbeat", `rtt ${e.rttMs.toFixed(1)} ms`, { rttMs: e.rttMs });
});

ws.addEventListener("drop", () => log("drop", "queue full: the oldest message was dropped"));

ws.addEventListener("message", () => {
  counts.received++;
  lastHeardAt = performance.now();
});

// One numbered message every SEND_EVERY_MS; while not open they wait in the queue.
let number = 0;
setInterval(() => {
  if (ws.state === "closed" || ws.state === "closing") return;
  try {
    ws.send(`message #${++number}`);
    counts.sent++;
  } catch (err) {
    log("error", `send: ${err.name}: ${err.message}`);
  }
}, SEND_EVERY_MS);

$("btn-reconnect").addEventListener("click", () => {
  log("page", "ws.reconnect()");
  closingByHand = connected;
  ws.reconnect();
});
