// The per-message cost of each library's own code, without a network; a worker
// (bench/lib.mjs startWorker / serve): node dispatch-child.mjs <library> [settings JSON]
// The library gets a stand-in WebSocket class (the `WebSocket` option, or the global for
// sockette and websocket-ts) that records the listeners added to it (functions, or objects
// with handleEvent, as EventTarget takes them); after `open`, the bench calls the socket's
// message listeners (and `onmessage`) directly with one event object, as the platform
// would, and the application's listener reads `event.data`. After `ready`
// (and a warm-up), every command is answered with one batch of ~100 ms: { ns } per message.
// This is what the library adds per message on top of the platform: the raw row is the
// application's listener called directly.

import { connect } from "../clients.mjs";
import { serve } from "../lib.mjs";
import { loadLibrary } from "./libraries.mjs";

const [name, settingsArg] = process.argv.slice(2);
const settings = settingsArg ? JSON.parse(settingsArg) : {};

class StandIn {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static last = null;
  CONNECTING = 0;
  OPEN = 1;
  CLOSING = 2;
  CLOSED = 3;
  constructor(url) {
    this.url = String(url);
    this.readyState = 0;
    this.listeners = {};
    this.binaryType = "blob";
    this.protocol = "";
    this.extensions = "";
    this.bufferedAmount = 0;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    StandIn.last = this;
  }
  addEventListener(type, f) {
    (this.listeners[type] ??= []).push(f);
  }
  removeEventListener(type, f) {
    this.listeners[type] = (this.listeners[type] ?? []).filter((x) => x !== f);
  }
  send() {}
  close() {
    this.readyState = 3;
  }
  /**
   * The message listeners as one function, as the platform would call them. A listener is a
   * function or, as EventTarget allows, an object whose handleEvent the platform looks up and
   * calls with the object as `this` (lifeline-ws's driver is such an object).
   */
  receiver() {
    const fs = [...(this.listeners.message ?? [])];
    const on = this.onmessage;
    if (on && !fs.length) return on;
    if (!on && fs.length == 1) return typeof fs[0] == "function" ? fs[0] : (event) => fs[0].handleEvent(event);
    return (event) => {
      if (on) on.call(this, event);
      for (const f of fs) call(f, this, event);
    };
  }
}

/** Calls one listener as EventTarget does: a function with `this` the target, or handleEvent. */
function call(listener, target, event) {
  if (typeof listener == "function") listener.call(target, event);
  else listener.handleEvent(event);
}

const lib = await loadLibrary(name);
lib.WebSocket = StandIn;
globalThis.WebSocket = StandIn;

// Kept small: a sum past 2^30 would stop being a small integer, and every addition after that
// would allocate (a slowdown of ~10 ns per message that would hit each process at another time).
let sink = 0;
let received = 0;
const message = (data) => {
  sink = (sink + data.length) & 0xffff;
  received = 1;
};
let receive;
if (name == "ws") {
  // The raw row: the platform calls the application's listener itself.
  const listener = (event) => message(event.data);
  receive = listener;
} else {
  await new Promise((resolve) => {
    connect(lib, name, "ws://127.0.0.1:9/", { up: resolve, message }, settings);
    // Libraries that wait before creating their socket (a promise, a timer of 0) get it here.
    const poll = setInterval(() => {
      const ws = StandIn.last;
      if (!ws || ws.readyState != 0) return;
      clearInterval(poll);
      ws.readyState = 1;
      const open = { type: "open", target: ws };
      ws.onopen?.(open);
      for (const f of ws.listeners.open ?? []) call(f, ws, open);
    }, 1);
  });
  receive = StandIn.last.receiver();
}

const event = { type: "message", data: "m".repeat(32) };
const batch = () => {
  let n = 0;
  const t0 = process.hrtime.bigint();
  let t;
  do {
    for (let i = 0; i < 1000; i++) receive(event);
    n += 1000;
    t = process.hrtime.bigint() - t0;
  } while (t < 100_000_000n);
  return Number(t) / n;
};
await serve(
  async () => {
    for (let i = 0; i < 3; i++) batch(); // warm-up
    return {};
  },
  async () => {
    const ns = batch();
    if (!received) throw new Error("no message reached the application");
    return { ns };
  },
);
process.exit(0); // the libraries' sockets are stand-ins: nothing to close for real
