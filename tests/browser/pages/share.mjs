// The page side of tests/browser/share.test.mjs: one LifelineSocket with `share`, whose
// every event is posted, in order, to the test's log server (?log=URL), so that the test
// sees all pages of a browser alike (Playwright or WebDriver, one window or many).
//
//   share.html?ws=URL&key=K&id=P&log=URL[&opts=JSON][&nolocks]
//
// A server message "cmd:send:N:TAG" makes the page send N messages "P:TAG:i"; the test can
// also call window.share.burst(TAG, N) in the page. Entries: {page, type, at (Date.now()),
// share (stats.share at the time), ...detail}.

import { LifelineSocket } from "/dist/lifeline-ws.mjs";

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

for (const type of ["freeze", "resume", "visibilitychange"]) document.addEventListener(type, () => log(type));
addEventListener("pagehide", () => log("pagehide"));

function burst(tag, n) {
  for (let i = 0; i < n; i++) sock.send(`${id}:${tag}:${i}`);
}

sock = new LifelineSocket(q.get("ws"), undefined, {
  share: q.get("key"),
  backoff: { initialDelay: 100, maxDelay: 500, jitter: "none" },
  ...JSON.parse(q.get("opts") || "{}"),
});
for (const type of ["open", "close", "error", "reconnect", "statechange", "message", "drop"]) {
  sock.addEventListener(type, (e) => {
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
window.share = { burst, get stats() { return sock.stats; }, get state() { return sock.state; }, close: () => sock.close() };
log("loaded", { stats: sock.stats });
