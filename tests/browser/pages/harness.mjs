// The page side of the browser tests: one LifelineSocket and a log of everything that
// happens around it, each entry stamped with performance.now() (`t`) and Date.now() (`at`).
//
//   await harness.start(url, options)   url: a string, or an array of strings (attempt n uses
//                                        url[min(n, last)]: the first via a proxy, the rest
//                                        direct, say)
//   harness.log                         [{type, t, at, ...}]
//   harness.fakeVisibility(state)       overrides document.visibilityState / hidden and
//                                        dispatches "visibilitychange" (the fallback when the
//                                        browser cannot be made to hide the page)
//   harness.fakeOnline(onLine)          overrides navigator.onLine and dispatches "offline" /
//                                        "online" on window (the fallback where the browser
//                                        cannot be taken offline: Firefox, WebKitGTK)
//
// Entries: the socket's events (open, close, error, reconnect, reconnecting, heartbeat,
// statechange, message), the platform's (online, offline, visibilitychange, pageshow,
// pagehide, freeze, resume), and "send" for every WebSocket.prototype.send on the wire
// (pings included), "ws" for every platform WebSocket constructed. Each entry is also
// handed to window.__report (a Playwright binding) when the test installed one.

import { LifelineSocket } from "/dist/lifeline-ws.mjs";

const log = [];
function record(type, fields = {}) {
  const entry = { type, t: performance.now(), at: Date.now(), ...fields };
  log.push(entry);
  try {
    globalThis.__report?.(entry);
  } catch {}
  return entry;
}

// The wire: every send and every construction of a platform socket.
const NativeWebSocket = globalThis.WebSocket;
const nativeSend = NativeWebSocket.prototype.send;
NativeWebSocket.prototype.send = function (data) {
  record("send", { data: typeof data == "string" ? data : "<binary>" });
  return nativeSend.call(this, data);
};
class RecordedWebSocket extends NativeWebSocket {
  constructor(url, protocols) {
    super(url, protocols);
    record("ws", { url: String(url) });
  }
}
globalThis.WebSocket = RecordedWebSocket;

// The platform's lifecycle events, as the library sees them.
for (const type of ["online", "offline"]) addEventListener(type, () => record(type, { onLine: navigator.onLine }));
for (const type of ["pageshow", "pagehide"])
  addEventListener(type, (e) => record(type, { persisted: e.persisted }));
document.addEventListener("visibilitychange", () =>
  record("visibilitychange", { state: document.visibilityState }),
);
for (const type of ["freeze", "resume"]) document.addEventListener(type, () => record(type));

const EVENTS = ["open", "close", "error", "reconnect", "reconnecting", "heartbeat", "statechange", "message"];

function describe(type, e) {
  switch (type) {
    case "close":
      return { code: e.code, reason: e.reason, wasClean: e.wasClean, willReconnect: e.willReconnect, delayMs: e.delayMs };
    case "error":
      return { cause: e.cause };
    case "reconnect":
      return { attempt: e.attempt, downtimeMs: e.downtimeMs };
    case "reconnecting":
      return { attempt: e.attempt, delayMs: e.delayMs };
    case "heartbeat":
      return { rttMs: e.rttMs };
    case "statechange":
      return { state: e.state };
    case "message":
      return { data: typeof e.data == "string" ? e.data : "<binary>" };
    default:
      return {};
  }
}

let socket = null;
let overridden = false;

const harness = {
  log,
  record,
  get socket() {
    return socket;
  },
  start(url, options = {}) {
    const urls = Array.isArray(url) ? url : [url];
    let n = 0;
    const target = urls.length > 1 ? () => urls[Math.min(n++, urls.length - 1)] : urls[0];
    socket = new LifelineSocket(target, undefined, options);
    for (const type of EVENTS) socket.addEventListener(type, (e) => record("ll-" + type, describe(type, e)));
    record("started", { state: socket.state, onLine: navigator.onLine, visibility: document.visibilityState });
    return socket.state;
  },
  state() {
    return socket?.state;
  },
  stats() {
    return socket?.stats;
  },
  send(data) {
    socket.send(data);
  },
  close() {
    socket?.close();
  },
  // A faithful visibilitychange for browsers that cannot be made to hide the page: the
  // getters the library reads, then the event, as the platform orders them.
  fakeVisibility(state) {
    overridden = true;
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => state == "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  },
  restoreVisibility() {
    if (!overridden) return;
    delete document.visibilityState;
    delete document.hidden;
    overridden = false;
  },
  // A faithful offline/online for browsers that cannot be taken offline: the getter the
  // library reads, then the event. Back online, the platform's own getter is restored.
  fakeOnline(onLine) {
    if (onLine) delete navigator.onLine;
    else Object.defineProperty(navigator, "onLine", { configurable: true, get: () => false });
    dispatchEvent(new Event(onLine ? "online" : "offline"));
  },
  // A faithful pagehide/pageshow for browsers without a back/forward cache.
  firePageTransition(type, persisted) {
    dispatchEvent(new PageTransitionEvent(type, { persisted }));
  },
};

globalThis.harness = harness;
record("loaded", { visibility: document.visibilityState, onLine: navigator.onLine });
