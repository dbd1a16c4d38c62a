// The page side of tests/browser/share.test.mjs: one LifelineSocket with `share`, whose
// every event is posted, in order, to the test's log server (?log=URL), so that the test
// sees all pages of a browser alike (Playwright or WebDriver, one window or many).
//
//   share.html?ws=URL[&key=K]&id=P&log=URL[&opts=JSON][&nolocks][&worker]   (no key: no share)
//
// A server message "cmd:send:N:TAG" makes the page send N messages "P:TAG:i"; the test can
// also call window.share.burst(TAG, N) in the page. Entries: {page, type, at (Date.now()),
// share (stats.share at the time), ...detail}. Server messages "b:STAMP:i" (the benchmark,
// bench/scenarios/share.mjs) are not logged but counted: window.share.bench() answers (and
// resets) their count, their delays (performance.timeOrigin + now() - STAMP) and the time
// from the first to the last; window.share.count() their count so far.

import { LifelineSocket } from "/dist/share.mjs";

const q = new URLSearchParams(location.search);
const id = q.get("id");
const logUrl = q.get("log");
let buffer = [];
let busy = false;
let sock = null;

function flush() {
  if (busy || !buffer.length) return;
  busy = true;
  const body = JSON.stringify(buffer);
  buffer = [];
  fetch(logUrl, { method: "POST", body, mode: "no-cors" })
    .catch(() => {})
    .finally(() => {
      busy = false;
      flush();
    });
}

function log(type, fields = {}) {
  buffer.push({ page: id, type, at: Date.now(), share: sock?.stats.share, ...fields });
  flush();
}

for (const type of ["freeze", "resume", "visibilitychange"]) globalThis.document?.addEventListener(type, () => log(type));
addEventListener("pagehide", () => log("pagehide"));
// ?worker: a dedicated Worker of this page runs this module too, as page id + "w".
if (q.has("worker") && globalThis.document) {
  const params = new URLSearchParams(q);
  params.delete("worker");
  params.set("id", id + "w");
  new Worker(`./share.mjs?${params}`, { type: "module" });
}

function burst(tag, n) {
  for (let i = 0; i < n; i++) sock.send(`${id}:${tag}:${i}`);
}

const bench = { n: 0, delays: [], first: 0, last: 0 };
sock = new LifelineSocket(q.get("ws"), undefined, {
  ...(q.has("key") ? { share: q.get("key") } : {}),
  backoff: { initialDelay: 100, maxDelay: 500, jitter: "none" },
  ...JSON.parse(q.get("opts") || "{}"),
});
for (const type of ["open", "close", "error", "reconnect", "statechange", "message", "drop", "heartbeat"]) {
  sock.addEventListener(type, (e) => {
    if (type == "message" && typeof e.data == "string" && e.data.startsWith("b:")) {
      const t = performance.now();
      bench.delays.push(performance.timeOrigin + t - Number(e.data.split(":")[1]));
      bench.first ||= t;
      bench.last = t;
      bench.n++;
      return;
    }
    if (type == "message" && typeof e.data == "string" && e.data.startsWith("cmd:send:")) {
      const [, , n, tag] = e.data.split(":");
      burst(tag, Number(n));
    }
    log(type, {
      data: typeof e.data == "string" ? e.data : undefined,
      state: e.state,
      code: e.code,
      willReconnect: e.willReconnect,
      reason: e.reason,
      attempt: e.attempt,
    });
  });
}
globalThis.share = {
  burst,
  bench() {
    const out = { ...bench };
    Object.assign(bench, { n: 0, delays: [], first: 0, last: 0 });
    return out;
  },
  count: () => bench.n,
  get stats() {
    return sock.stats;
  },
  close: () => sock.close(),
};
log("loaded", { stats: sock.stats });
