// LifelineSocket: the public class of the npm package. It keeps WebSocket's surface (the
// listener registry, the events, the message hot path's dispatch) and hands everything else
// to the JS driver (js/driver.js), which carries out the wasm core's commands
// (docs/driver-contract.md). Built into dist/ by scripts/build-package.mjs.

import { instantiate, instantiateSync } from "../pkg/web/lifeline_ws.js";
import wasmBytes from "../pkg/web/lifeline_ws_bytes.js";
import { Core } from "./core.js";
import { Driver, FIRE, MESSAGE, STATE, copy, domException, isBinary, report } from "./driver.js";
import { configError, readOptions, readProtocols } from "./options.js";

const READY_STATE = { connecting: 0, waiting: 0, open: 1, closing: 2, closed: 3 };
const EVENTS = "open message close error reconnect reconnecting giveup heartbeat statechange drop";
const BINARY_TYPES = ["blob", "arraybuffer", "nodebuffer", "fragments"];
// The key of what the `share` entry (js/share-entry.js, `lifeline-ws/share`) takes from this
// module, a static of LifelineSocket: the Driver and its symbols. The share entry's subclass
// adds `Shared` under it, which the constructor then uses for `share`: a socket without it
// does not carry share's bytes.
const INTERNALS = Symbol.for("lifeline-ws");

let loaded = false;
let compiling = null; // the asynchronous compilation, where the synchronous one was refused

// Instantiates the inlined module once, on the first construction, synchronously; answers
// whether it is ready. Its bytes are decoded from an ASCII string (scripts/build-package.mjs
// says how, and why ASCII). Where synchronous compilation is refused (Chromium before 2023
// and its WebViews refuse modules over 4 KB on the main thread), it compiles asynchronously
// and sockets made meanwhile start once it is ready.
function load() {
  if (!loaded && !compiling) {
    try {
      instantiateSync(wasmBytes());
      loaded = true;
    } catch {
      compiling = instantiate(wasmBytes()).then(() => {
        loaded = true;
      });
    }
  }
  return loaded;
}

// Stands in for the driver while the module compiles: records what the user asks for, in
// order, and hands it to the driver once there is one.
class Pending {
  ws = null;
  binaryType = globalThis.Blob ? "blob" : "arraybuffer";
  calls = [];
  queued = 0;

  send(...args) {
    this.calls.push(["send", ...args]);
    this.queued++;
  }

  close(...args) {
    this.calls.push(["close", ...args]);
  }

  setReconnectListener(present) {
    this.calls.push(["setReconnectListener", present]);
  }

  setBinaryType(type) {
    this.binaryType = type;
  }

  checkOpen() {}

  stats() {
    return { attempts: 0, reconnects: 0, lastRttMs: null, connectedSince: null, queued: this.queued };
  }

  // Replays the calls on `driver`; what it refuses is reported (the call returned long ago).
  replay(driver) {
    driver.setBinaryType(this.binaryType);
    for (const [method, ...args] of this.calls) {
      try {
        driver[method](...args);
      } catch (error) {
        report(error);
      }
    }
  }
}

const syntaxError = (message) => domException(message, "SyntaxError");

// A URL as messages may show it: its scheme and host, nothing of its credentials, path,
// query or fragment (where a string's credentials end is the parser's guess: a password with
// a "/" in it lands in the path).
function shown(url) {
  return url.protocol + "//" + url.host + (url.href.length > url.origin.length + 1 ? "/…" : "");
}

// WebSocket's URL rules: ws:/wss:, http(s): mapped to them, relative against the page. A
// string that does not parse is not shown beyond its scheme: where its credentials or
// query end cannot be known.
function resolveUrl(u) {
  let url;
  try {
    url = new URL(u, globalThis.location?.href);
  } catch {
    const scheme = typeof u == "string" ? /^[a-z][a-z0-9+.-]*:/i.exec(u)?.[0] : undefined;
    throw syntaxError("invalid WebSocket URL" + (scheme ? ` (${scheme}…)` : "") + ": it does not parse as a URL");
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

// A message event as listeners get it: MessageEvent's members, the platform's data, and the
// LifelineSocket as its target (a handler's `event.target.send()` must go through the queue
// and the reconnect logic, not to the platform socket). One small object per message: the
// members other than data and target live on the prototype.
class LifelineMessageEvent {
  #event;
  constructor(event, target) {
    this.#event = event;
    this.data = event.data;
    this.target = target;
  }
  get currentTarget() {
    return this.target;
  }
  get origin() {
    return this.#event.origin ?? "";
  }
  get lastEventId() {
    return this.#event.lastEventId ?? "";
  }
  get timeStamp() {
    return this.#event.timeStamp ?? 0;
  }
  get ports() {
    return [];
  }
  get source() {
    return null;
  }
  composedPath() {
    return [this.target];
  }
  preventDefault() {}
  stopPropagation() {}
  stopImmediatePropagation() {}
}
Object.assign(LifelineMessageEvent.prototype, {
  type: "message",
  bubbles: false,
  cancelable: false,
  composed: false,
  defaultPrevented: false,
  eventPhase: 2, // AT_TARGET
  isTrusted: false,
});

// WebIDL's [Clamp] unsigned short, as WebSocket.close converts its code (ToNumber, NaN is
// 0, clamped to 0..65535, rounded half to even), and its reason's String().
function closeArgs(code, reason) {
  let n = 0;
  if (code !== undefined) {
    n = +code; // ToNumber: a BigInt or a Symbol throws a TypeError, as WebIDL's does
    n = n !== n ? 0 : Math.min(Math.max(n, 0), 65535);
    const r = Math.round(n);
    n = r - n == 0.5 && r % 2 ? r - 1 : r;
  }
  return [code === undefined ? undefined : n, reason === undefined ? "" : `${reason}`]; // a Symbol throws
}

export class LifelineSocket {
  #driver;
  #state = "closed";
  #open = false; // state is "open": send() may go straight to the socket
  // "$" + type -> [{f, once?, on?, gone?}], replaced, never mutated. A plain object (the "$"
  // keeps types like "toString" off its prototype): a null-prototype one would be a
  // dictionary, twice the memory.
  #listeners = {};
  #messageListeners = undefined; // #listeners.message, kept in a field for the hot path
  #reconnectListener = false;
  #url = "";
  // Events of the constructor's own call to start() (a provider that throws at once, say)
  // wait here for a microtask, so listeners added right after construction get them.
  #pending = [];

  constructor(url, protocols, options) {
    const ready = load();
    const read = readOptions(options);
    const Shared = read.share ? new.target[INTERNALS].Shared : null;
    if (Shared === undefined)
      throw new TypeError('share needs the share entry: import { LifelineSocket } from "lifeline-ws/share"');
    protocols = readProtocols(protocols, syntaxError);
    let resolve;
    if (typeof url == "function") resolve = (u) => (this.#url = resolveUrl(u));
    else url = this.#url = resolveUrl(url);
    const start = () => {
      // With `share`, a view of a connection shared between tabs (js/share.js).
      const driver = new (Shared || Driver)(this, read, url, protocols, resolve, Core);
      const error = driver.error();
      if (error) throw configError(error, read.values);
      const pending = this.#driver;
      this.#driver = driver;
      driver.start();
      pending?.replay(driver);
    };
    if (ready) start();
    else {
      // Compiling asynchronously: the socket is connecting (or closed, with startClosed)
      // until the module is ready, and the numbers' ranges are checked then (a refusal is
      // reported, as a throwing listener is, and the socket stays closed).
      this.#driver = new Pending();
      this.#state = read.values[23] ? "closed" : "connecting"; // startClosed
      compiling.then(start).catch(report);
    }
    queueMicrotask(() => {
      const pending = this.#pending;
      this.#pending = null;
      for (const [type, detail] of pending) this.#fire(type, detail);
    });
  }

  // What the driver tells (js/driver.js): an event, a message, a new state.
  [FIRE](type, detail) {
    this.#fire(type, detail);
  }

  [MESSAGE](event) {
    const entries = this.#messageListeners;
    if (entries !== undefined) this.#dispatch("message", entries, new LifelineMessageEvent(event, this));
  }

  [STATE](state) {
    this.#state = state;
    this.#open = state == "open";
  }

  #fire(type, detail) {
    if (this.#pending) this.#pending.push([type, detail]);
    else this.#emit(type, { type, target: this, currentTarget: this, ...detail });
  }

  #emit(type, event) {
    const entries = this.#listeners["$" + type];
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
    this.#listeners["$" + type] = [...(this.#listeners["$" + type] ?? []), entry];
    if (type == "message") this.#messageListeners = this.#listeners.$message;
    this.#syncReconnectListener();
  }

  #remove(type, entry) {
    entry.gone = true;
    const rest = this.#listeners["$" + type].filter((e) => e !== entry);
    this.#listeners["$" + type] = rest.length ? rest : undefined;
    if (type == "message") this.#messageListeners = this.#listeners.$message;
    this.#syncReconnectListener();
  }

  // Without a `reconnect` listener, re-connections emit `open` (docs/driver-contract.md; the core decides).
  #syncReconnectListener() {
    const present = this.#listeners.$reconnect !== undefined;
    if (present !== this.#reconnectListener) {
      this.#reconnectListener = present;
      this.#driver.setReconnectListener(present);
    }
  }

  #setHandler(type, f) {
    const entry = this.#listeners["$" + type]?.find((e) => e.on);
    if (typeof f != "function") f = null;
    if (entry && f) entry.f = f;
    else if (entry) this.#remove(type, entry);
    else if (f) this.#add(type, { f, on: true });
  }

  addEventListener(type, listener, options) {
    if (!listener) return;
    type = String(type);
    const signal = options?.signal;
    if (signal?.aborted || this.#listeners["$" + type]?.some((e) => e.f === listener && !e.on)) return;
    const entry = { f: listener, once: !!options?.once };
    this.#add(type, entry);
    signal?.addEventListener("abort", () => entry.gone || this.#remove(type, entry), { once: true });
  }

  removeEventListener(type, listener) {
    type = String(type);
    const entry = this.#listeners["$" + type]?.find((e) => e.f === listener && !e.on);
    if (entry) this.#remove(type, entry);
  }

  dispatchEvent(event) {
    this.#emit(event.type, event);
    return true;
  }

  send(data) {
    // As WebSocket.send converts it (WebIDL): binary data as it is, anything else String()ed
    // (a Symbol throws a TypeError), in every state, at the call. Binary data goes out as its
    // bytes are now: on the open socket as the driver says (the platform's socket copies at
    // the call, but the ws package may not); queued, as our copy.
    let binary = false;
    if (typeof data != "string") {
      if (isBinary(data)) binary = true;
      else data = `${data}`; // a Symbol throws
    }
    const driver = this.#driver;
    const ws = driver.ws;
    if (this.#open && ws !== null && ws.readyState === 1) ws.send(binary ? driver.wire(data) : data);
    else driver.send(binary ? copy(data) : data, data); // it checks whether the socket left OPEN
  }

  close(code, reason) {
    this.#driver.close(false, ...closeArgs(code, reason));
  }

  reconnect(code, reason) {
    this.#driver.close(true, ...closeArgs(code, reason));
  }

  get readyState() {
    return READY_STATE[this.state];
  }

  get state() {
    // The platform socket leaves OPEN with no event when the server starts closing.
    if (this.#open) this.#driver.checkOpen();
    return this.#state;
  }

  get stats() {
    return this.#driver.stats();
  }

  get url() {
    return this.#url;
  }

  get protocol() {
    return this.#driver.ws?.protocol ?? "";
  }

  get extensions() {
    return this.#driver.ws?.extensions ?? "";
  }

  get bufferedAmount() {
    return this.#driver.ws?.bufferedAmount ?? 0;
  }

  get binaryType() {
    return this.#driver.binaryType;
  }

  set binaryType(type) {
    // Like WebSocket, an unknown type is ignored.
    if (!BINARY_TYPES.includes(type)) return;
    this.#driver.setBinaryType(type);
  }

  static [INTERNALS] = { Driver, FIRE, MESSAGE, STATE };

  // onopen, onmessage, … for every event, and WebSocket's readyState constants. (A static
  // field, not a static block: Safari 15 has the one and not the other.)
  static #setup = (() => {
    for (const type of EVENTS.split(" "))
      Object.defineProperty(this.prototype, "on" + type, {
        get() {
          return this.#listeners["$" + type]?.find((e) => e.on)?.f ?? null;
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
