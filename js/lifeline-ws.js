// LifelineSocket: the public class of the npm package. It keeps WebSocket's surface, runs the
// per-message hot path and the URL rules, and leaves every decision to the wasm Driver
// (docs/driver-contract.md). Built into dist/ by scripts/build-package.mjs.

import { Driver, initSync } from "../pkg/web/lifeline_ws.js";
import wasmBytes from "../pkg/web/lifeline_ws_bytes.js";

const READY_STATE = { connecting: 0, waiting: 0, open: 1, closing: 2, closed: 3 };
const EVENTS = "open message close error reconnect reconnecting giveup heartbeat statechange drop";
const BINARY_TYPES = ["blob", "arraybuffer", "nodebuffer", "fragments"];
const NO_MATCH = {}; // equal to no message
const ignore = () => {};

// Sockets that may still act (state not "closed") stay reachable here, as a WebSocket does
// while it has work; the driver's host holds its socket only weakly, so a closed socket the
// user dropped is collected, and wasm-bindgen's finalizer frees its Driver.
const live = new Set();

let loaded = false;

// Instantiates the inlined module once, on the first construction. Its bytes are decoded
// from an ASCII string (scripts/build-package.mjs says how, and why ASCII).
function load() {
  if (!loaded) {
    initSync({ module: wasmBytes() });
    loaded = true;
  }
}

// Reports a user callback's exception without breaking the caller, as EventTarget does.
function report(error) {
  if (typeof reportError == "function") reportError(error);
  else queueMicrotask(() => {
    throw error;
  });
}

function syntaxError(message) {
  return typeof DOMException == "function"
    ? new DOMException(message, "SyntaxError")
    : new SyntaxError(message);
}

// A URL as messages may show it: no credentials, no query, no fragment.
function shown(url) {
  return url.protocol + "//" + url.host + url.pathname + (url.search && "?…") + (url.hash && "#…");
}

// The same for a string that did not parse.
function shownRaw(text) {
  return text.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, "$1").replace(/[?#][^]*/, "?…");
}

// WebSocket's URL rules: ws:/wss:, http(s): mapped to them, relative against the page.
function resolveUrl(u) {
  let url;
  try {
    url = new URL(u, globalThis.location?.href);
  } catch {
    throw syntaxError("invalid WebSocket URL: " + shownRaw(String(u)));
  }
  const scheme = url.protocol;
  if (scheme == "http:") url.protocol = "ws:";
  else if (scheme == "https:") url.protocol = "wss:";
  else if (scheme != "ws:" && scheme != "wss:")
    throw syntaxError(`WebSocket URL scheme must be ws:, wss:, http: or https:, got ${shown(url)}`);
  if (url.hash || url.href.endsWith("#"))
    throw syntaxError("WebSocket URL must not have a fragment, got " + shown(url));
  return url.href;
}

function weakRef(target) {
  return typeof WeakRef == "function" ? new WeakRef(target) : { deref: () => target };
}

// A message matcher from an option: a string to compare, or a predicate.
function matcher(option) {
  return typeof option == "function" ? [NO_MATCH, option] : [option, null];
}

export class LifelineSocket {
  #driver;
  #state;
  #open = false; // state is "open": send() may go straight to the socket
  #ws = null; // the socket last attached
  #handlers = new Map(); // attached socket -> its message listener
  #listeners = Object.create(null); // type -> [{f, once?, on?, gone?}], replaced, never mutated
  #messageListeners = undefined; // #listeners.message, kept in a field for the hot path
  #reconnectListener = false;
  #url = "";
  #binaryType = globalThis.Blob ? "blob" : "arraybuffer";
  #options;
  // The hot path's heartbeat matchers (options read once).
  #heartbeat = false;
  #stamp = false; // keep #lastMessageAt: only "any message" liveness reads it
  #pong = NO_MATCH;
  #pongTest = null;
  #ping = NO_MATCH;
  #pingTest = null;
  #lastMessageAt = -1;
  // Events of the constructor's own call to start() (a provider that throws at once, say)
  // wait here for a microtask, so listeners added right after construction get them.
  #pending = [];

  constructor(url, protocols, options) {
    load();
    this.#driver = new Driver(url, protocols, options, LifelineSocket.#host(weakRef(this)));
    this.#options = options;
    const heartbeat = options?.heartbeat;
    if (heartbeat) {
      // Without heartbeat.ping, a serverPing alone turns the client's pings off.
      this.#heartbeat = true;
      this.#stamp = !!(heartbeat.anyMessageIsPong || heartbeat.serverPing);
      if (heartbeat.ping !== undefined || !heartbeat.serverPing)
        [this.#pong, this.#pongTest] = matcher(heartbeat.pong ?? "pong");
      if (heartbeat.serverPing) [this.#ping, this.#pingTest] = matcher(heartbeat.serverPing.ping);
    }
    this.#track(this.#driver.state);
    this.#driver.start();
    this.#track(this.#driver.state);
    queueMicrotask(() => {
      const pending = this.#pending;
      this.#pending = null;
      for (const [type, detail] of pending) this.#fire(type, detail);
    });
  }

  #track(state) {
    this.#state = state;
    this.#open = state == "open";
    if (state == "closed") live.delete(this);
    else live.add(this);
  }

  // The object the driver calls (docs/driver-contract.md, "Host"). It reaches its socket
  // only through `ref` (see `live`); static, so that no closure here can hold `this`.
  static #host(ref) {
    const fire = (type, detail) => ref.deref()?.#fire(type, detail);
    return {
      resolveUrl: (u) => {
        const href = resolveUrl(u);
        const socket = ref.deref();
        if (socket) socket.#url = href;
        return href;
      },
      attach: (ws, generation) => ref.deref()?.#attach(ws, generation),
      detach: (ws) => {
        // The ws package throws an error no listener handles: keep one on abandoned sockets.
        ws.addEventListener("error", ignore);
        ref.deref()?.#detach(ws);
      },
      lastMessageAt: () => ref.deref()?.#lastMessageAt ?? -1,
      shouldReconnect: (code, reason, wasClean) => {
        const socket = ref.deref();
        try {
          return !socket || !!socket.#options.shouldReconnect({ type: "close", target: socket, code, reason, wasClean });
        } catch (error) {
          report(error);
          return true;
        }
      },
      onOpen: () => fire("open"),
      onReconnect: (attempt, downtimeMs) => fire("reconnect", { attempt, downtimeMs }),
      onReconnecting: (attempt, delayMs) => fire("reconnecting", { attempt, delayMs }),
      onClose: (code, reason, wasClean, willReconnect, delayMs) =>
        fire("close", { code, reason, wasClean, willReconnect, delayMs: delayMs < 0 ? null : delayMs }),
      onError: (cause, error) => fire("error", { cause, error }),
      onGiveup: (attempts) => fire("giveup", { attempts }),
      onHeartbeat: (rttMs) => fire("heartbeat", { rttMs }),
      onStateChange: (state) => {
        const socket = ref.deref();
        socket?.#track(state);
        socket?.#fire("statechange", { state });
      },
      onDrop: (data) => fire("drop", { data }),
    };
  }

  #attach(ws, generation) {
    ws.binaryType = this.#binaryType;
    // A socket class without "blob" (an old ws) keeps its own default: use arraybuffer.
    if (ws.binaryType !== this.#binaryType) ws.binaryType = this.#binaryType = "arraybuffer";
    this.#lastMessageAt = -1;
    const onMessage = (event) => this.#message(event, generation);
    this.#handlers.set(ws, onMessage);
    ws.addEventListener("message", onMessage);
    this.#ws = ws;
  }

  #detach(ws) {
    ws.removeEventListener("message", this.#handlers.get(ws));
    this.#handlers.delete(ws);
  }

  // The hot path: heartbeat messages go to the driver, every other message goes to the
  // listeners as the platform's own event object.
  #message(event, generation) {
    if (this.#heartbeat) {
      if (this.#stamp) this.#lastMessageAt = performance.now();
      const data = event.data;
      if (data === this.#pong || (this.#pongTest !== null && this.#test(this.#pongTest, data)))
        return this.#driver.pong(generation);
      if (data === this.#ping || (this.#pingTest !== null && this.#test(this.#pingTest, data)))
        return this.#driver.serverPing(generation);
    }
    const entries = this.#messageListeners;
    if (entries !== undefined) this.#dispatch("message", entries, event);
  }

  #test(predicate, data) {
    try {
      return predicate(data);
    } catch (error) {
      report(error);
      return false;
    }
  }

  #fire(type, detail) {
    if (this.#pending) this.#pending.push([type, detail]);
    else this.#emit(type, { type, target: this, currentTarget: this, ...detail });
  }

  #emit(type, event) {
    const entries = this.#listeners[type];
    if (entries !== undefined) this.#dispatch(type, entries, event);
  }

  // Calls each of `entries` (a snapshot: adding or removing listeners meanwhile does not
  // change who gets this event), as EventTarget does. An indexed loop: this is the hot path.
  #dispatch(type, entries, event) {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.gone) continue;
      if (entry.once) this.#remove(type, entry);
      try {
        const f = entry.f;
        if (typeof f == "function") f.call(this, event);
        else f.handleEvent(event);
      } catch (error) {
        report(error);
      }
    }
  }

  #add(type, entry) {
    this.#listeners[type] = [...(this.#listeners[type] ?? []), entry];
    if (type == "message") this.#messageListeners = this.#listeners.message;
    this.#syncReconnectListener();
  }

  #remove(type, entry) {
    entry.gone = true;
    const rest = this.#listeners[type].filter((e) => e !== entry);
    this.#listeners[type] = rest.length ? rest : undefined;
    if (type == "message") this.#messageListeners = this.#listeners.message;
    this.#syncReconnectListener();
  }

  // Without a `reconnect` listener, re-connections emit `open` (DESIGN.md, problem 2).
  #syncReconnectListener() {
    const present = this.#listeners.reconnect !== undefined;
    if (present !== this.#reconnectListener) {
      this.#reconnectListener = present;
      this.#driver.setReconnectListener(present);
    }
  }

  #setHandler(type, f) {
    const entry = this.#listeners[type]?.find((e) => e.on);
    if (typeof f != "function") f = null;
    if (entry && f) entry.f = f;
    else if (entry) this.#remove(type, entry);
    else if (f) this.#add(type, { f, on: true });
  }

  addEventListener(type, listener, options) {
    if (!listener) return;
    type = String(type);
    const signal = options?.signal;
    if (signal?.aborted || this.#listeners[type]?.some((e) => e.f === listener && !e.on)) return;
    const entry = { f: listener, once: !!options?.once };
    this.#add(type, entry);
    signal?.addEventListener("abort", () => entry.gone || this.#remove(type, entry), { once: true });
  }

  removeEventListener(type, listener) {
    type = String(type);
    const entry = this.#listeners[type]?.find((e) => e.f === listener && !e.on);
    if (entry) this.#remove(type, entry);
  }

  dispatchEvent(event) {
    this.#emit(event.type, event);
    return true;
  }

  send(data) {
    if (this.#open && this.#ws.readyState === 1) this.#ws.send(data);
    else this.#driver.send(data);
  }

  close(code, reason) {
    this.#driver.close(code, reason);
  }

  reconnect(code, reason) {
    this.#driver.reconnect(code, reason);
  }

  get readyState() {
    return READY_STATE[this.#state];
  }

  get state() {
    return this.#state;
  }

  get stats() {
    const stats = this.#driver.stats();
    // The driver counts on performance.now(); users get Date.now() time.
    if (stats.connectedSince != null)
      stats.connectedSince = Math.round(performance.timeOrigin + stats.connectedSince);
    return stats;
  }

  get url() {
    return this.#url;
  }

  get protocol() {
    return this.#ws?.protocol ?? "";
  }

  get extensions() {
    return this.#ws?.extensions ?? "";
  }

  get bufferedAmount() {
    return this.#ws?.bufferedAmount ?? 0;
  }

  get binaryType() {
    return this.#binaryType;
  }

  set binaryType(type) {
    // Like WebSocket, an unknown type is ignored.
    if (!BINARY_TYPES.includes(type)) return;
    this.#binaryType = type;
    if (this.#ws) this.#ws.binaryType = type;
  }

  // onopen, onmessage, … for every event, and WebSocket's readyState constants. (A static
  // field, not a static block: Safari 15 has the one and not the other.)
  static #setup = (() => {
    for (const type of EVENTS.split(" "))
      Object.defineProperty(this.prototype, "on" + type, {
        get() {
          return this.#listeners[type]?.find((e) => e.on)?.f ?? null;
        },
        set(f) {
          this.#setHandler(type, f);
        },
        configurable: true,
      });
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((name, value) => {
      Object.defineProperty(this, name, { value, enumerable: true });
      Object.defineProperty(this.prototype, name, { value, enumerable: true });
    });
  })();
}
