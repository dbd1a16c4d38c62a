// The npm package's driver: carries out the core's commands on the platform and feeds the
// core what happens (docs/driver-contract.md). It owns one platform socket at a time, one
// timer at the core's next deadline, the page-lifecycle listeners and the URL provider, and
// keeps the data of queued messages (the core queues their ids). Every value is converted
// and checked here before it crosses into wasm, and wasm never calls JS: no exception can
// unwind through a wasm frame. The driver decides nothing; the core does.
//
// One closure per socket, made once: the platform socket's message listener (#onMessage), a
// function because the platform calls functions on its fastest path (3 ns per message less
// than an object's handleEvent in Node's ws). Otherwise the driver is itself the listener
// (handleEvent) of its platform socket and of the lifecycle events, and its timer passes it
// as setTimeout's argument.

// This module imports nothing (the facade hands it the wasm's `Core` class): esbuild inlines
// the constants below only in a module without imports.

// Core.poll() kinds (src/npm/mod.rs, `kind`).
const OPEN = 1, SEND = 2, PING = 3, PING_REPLY = 4, CLOSE = 5, ABANDON = 6, ASK = 7;
const EV_OPEN = 8, EV_RECONNECT = 9, EV_RECONNECTING = 10, EV_CLOSE = 11, EV_ERROR = 12;
const EV_GIVEUP = 13, EV_HEARTBEAT = 14, EV_STATE = 15, EV_DROP = 16;
// Inputs (src/npm/mod.rs, `input`).
const START = 0, OPENED = 1, PONG = 2, SERVER_PING = 3, FAILED = 4, DEADLINE = 5, QUEUE = 6;
const VISIBILITY = 7, NETWORK = 8, PAGE_SHOW = 9, PAGE_HIDE = 10, RESUME = 11;
const SHOULD_RECONNECT = 12, RECONNECT_LISTENER = 13, CLOSING = 14, KEEP = 15;
// Numbers to query (src/npm/mod.rs, `field`).
const ERROR = 0, STATE_ = 1, ATTEMPTS = 2, RECONNECTS = 3, LAST_RTT = 4, CONNECTED_SINCE = 5;
const QUEUED = 6, NEXT_DEADLINE = 7, LIVE_GENERATION = 8, CLOSED_FOR_GOOD = 9;
const GENERATION = 10, VALUE = 11, DELAY = 12, CODE = 13, FLAG = 14, REASON = 15, HELD_REASON = 16;
// Refusals (src/npm/mod.rs, `refusal`).
const CLOSED = 1, CLOSE_CODE = 3;

// What the driver calls on its LifelineSocket: an event to fire, a message to deliver, the
// new state.
export const FIRE = Symbol("fire");
export const MESSAGE = Symbol("message");
export const STATE = Symbol("state");

export const STATES = ["connecting", "open", "waiting", "closing", "closed"];
const CAUSES = ["socket", "url", "connection-timeout"];
const SOCKET_EVENTS = ["open", "close", "error"]; // and "message", to #onMessage
const ignore = () => {};
const CODE_ABNORMAL = 1006; // a close with no close frame (the core's CODE_ABNORMAL)
const MAX_CALLS = 100000; // calls from the listeners of one run of events (see #enter)
const now = () => performance.now();

// Close reasons cross into wasm as ids (src/npm/mod.rs, `ReasonId`): 0 is the empty reason,
// 1-8 the core's own words (DropReason::as_str, in the order of DROP_REASONS; tests/texts.rs
// checks them), and every other id one this driver gave a reason of the user's or of the
// platform, whose text it keeps in #reasons.
export const REASONS = [
  "",
  "connection timeout",
  "heartbeat timeout",
  "server ping timeout",
  "closing handshake timed out",
  "closed by the user",
  "reconnect() called",
  "page hidden (pagehide)",
  "page hidden (closeWhenHiddenAfter)",
];
const LAST_ID = 4294967295; // ids are u32s: past this one, numbering starts over

/** The length of `text` in bytes of UTF-8, as TextEncoder encodes it (a lone surrogate is U+FFFD: 3). */
export function utf8Length(text) {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    // A surrogate pair is 2 code units and 4 bytes; every other unit from 0x800 is 3 bytes.
    if (c < 0x800) bytes += 1;
    else if ((c & 0xfc00) == 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) == 0xdc00) bytes += 2, i++;
    else bytes += 2;
  }
  return bytes;
}

// (Every platform the package runs on has DOMException and Blob: browsers, Workers, Node 18+.)
export function domException(message, name) {
  return new DOMException(message, name);
}

/** Reports a user callback's exception without breaking the caller, as EventTarget does. */
export function report(error) {
  if (typeof reportError == "function") reportError(error);
  else
    queueMicrotask(() => {
      throw error;
    });
}

// The lifecycle targets: the global scope (online, offline, pageshow, pagehide) and the
// document (visibilitychange, resume), where there are such.
function targets() {
  const scope = typeof globalThis.addEventListener == "function" ? globalThis : null;
  const document = globalThis.document;
  return [scope, typeof document?.addEventListener == "function" ? document : null];
}
const hidden = () => globalThis.document?.visibilityState == "hidden";

export class Driver {
  #core;
  #target;
  #ping; // heartbeat.ping, heartbeat.serverPing.reply, shouldReconnect, WebSocket, maxMessages
  #reply;
  #shouldReconnect;
  #WebSocket;
  #maxMessages;
  #url;
  #protocols;
  #resolve;
  #gen;
  #timer;
  #due;
  #life;
  #data;
  #nextId;
  #lastError;
  #lastMessageAt;
  #stamp;
  #heartbeat;
  #pong;
  #pongTest;
  #sping;
  #spingTest;
  // The platform socket's message listener (see the top of this file).
  #onMessage = (event) => this.#message(event);
  #pumping = false; // carrying out the core's commands (listeners may call back in)
  // The texts of the reasons given ids (see REASONS): kept until the end of a run of the
  // core's commands (#pump) that drained them all, then only the one the core still holds.
  #reasons = null; // id -> text
  #nextReason = REASONS.length;
  #calls = 0; // calls made from listeners during this run
  #lingering = null; // sockets let go of whose closing handshake has not ended (ws package)
  #told = "closed"; // the state the listeners were last told
  // Whether binary data sent on the open socket is copied first. A WebSocket copies it at
  // send(); so does the ws package (masking it into its frame) unless it is busy with an
  // earlier message, a Blob being read or a message being compressed, when it keeps the
  // data by reference: #keeps is a ws socket, and copies turns on once it could be busy.
  #keeps = false;
  copies = false;

  // The timer's callback (setTimeout passes the driver).
  static #fire(driver) {
    const due = driver.#due;
    driver.#timer = undefined;
    driver.#due = undefined;
    // A timer may fire a fraction of a ms before its deadline (Node does): it is due all
    // the same, or the core would ask for a second wake-up a moment later.
    driver.#core.input(DEADLINE, driver.#gen, driver.#stamp ? driver.#lastMessageAt : NaN, Math.max(now(), due));
    driver.#pump();
  }

  /**
   * @param target the LifelineSocket: its `[FIRE](type, detail)`, `[MESSAGE](event)` and
   *   `[STATE](state)` receive what the driver has to tell
   * @param read what js/options.js read
   * @param url a resolved URL (a string), or a provider function
   * @param resolve turns a provider's answer into a URL string (throws SyntaxError)
   * @param Core the wasm module's `Core` class
   */
  constructor(target, read, url, protocols, resolve, Core) {
    const seed = new Uint32Array(2);
    if (globalThis.crypto?.getRandomValues) crypto.getRandomValues(seed);
    else seed.set([Math.random() * 2 ** 32, Math.random() * 2 ** 32]);
    this.#core = new Core(new Float64Array(read.values), seed[0], seed[1]);
    this.#target = target;
    // Only what is used later is kept (each socket's heap counts).
    this.#ping = read.ping;
    this.#reply = read.reply;
    this.#shouldReconnect = read.shouldReconnect;
    this.#WebSocket = read.WebSocket;
    this.#maxMessages = read.values[8];
    this.#url = url;
    this.#protocols = protocols;
    this.#resolve = resolve;
    this.ws = null; // the platform socket of generation `gen`
    this.#gen = 0;
    this.#life = false; // lifecycle listeners installed
    this.#data = null; // id -> queued message
    this.#nextId = 0;
    this.#lastMessageAt = NaN;
    this.binaryType = globalThis.Blob ? "blob" : "arraybuffer";
    // The hot path's matchers: a string to compare, or a predicate.
    this.#stamp = read.stamp;
    this.#heartbeat = read.pong !== undefined || read.serverPing !== undefined;
    [this.#pong, this.#pongTest] = matcher(read.pong);
    [this.#sping, this.#spingTest] = matcher(read.serverPing);
  }

  /** The core's config error (0: none); the core is freed when there is one. */
  error() {
    const code = this.#core.query(ERROR);
    if (code) this.#core.free();
    return code;
  }

  get state() {
    return STATES[this.#core.query(STATE_)];
  }

  start() {
    this.#listen();
    this.#input(START);
  }

  // Feeds the core an input without text (src/npm/mod.rs, `input`), then carries out what
  // it asks for.
  #input(input, value = 0) {
    this.#core.input(input, this.#gen, value, now());
    this.#pump();
  }

  // ----- user calls (the facade converted their arguments) -----

  // Events are delivered one after the other, never nested: a call from a listener feeds
  // the core, and what it causes is delivered after that listener returns (as WebSocket's
  // events, each its own task). Listeners whose calls keep causing events (a `drop`
  // listener that sends the dropped message again) would never end: past MAX_CALLS in
  // one run, a call is refused with a RangeError, thrown before the core is called.
  #enter(what) {
    if (this.#pumping && ++this.#calls > MAX_CALLS)
      throw new RangeError(`${what} from a listener: ${MAX_CALLS} calls in one run of the socket's events, each causing more; not done`);
  }

  // `wire` is what goes out (the bytes as they were at send()), `data` what the user handed
  // over: a drop event or a refusal gives that back.
  send(wire, data = wire) {
    this.#enter("send()");
    this.checkOpen();
    const id = (this.#nextId = (this.#nextId + 1) >>> 0);
    (this.#data ??= new Map()).set(id, [wire, data]);
    let refused = this.#core.input(QUEUE, 0, id, now());
    // The core may have ended while the events from before are still being delivered: until
    // the listeners are told ("closed"), a send is kept for a later reconnect().
    if (refused == CLOSED && this.#told != "closed") refused = this.#core.input(KEEP, 0, id, now());
    if (refused) {
      this.#data.delete(id);
      const error =
        refused == CLOSED
          ? domException("send() after close(): the socket is closed (call reconnect() first)", "InvalidStateError")
          : domException(queueFull(this.#maxMessages), "QuotaExceededError");
      error.data = data;
      throw error;
    }
    this.#pump();
  }

  // close(code, reason), or reconnect(code, reason) when `reconnect` is set; `code` is
  // undefined or a whole number from 0 to 65535.
  close(reconnect, code, reason) {
    this.#enter(reconnect ? "reconnect()" : "close()");
    // After a final close the listeners were gone: the network and the page may have
    // changed meanwhile, and listen() reports how they are now.
    if (reconnect) this.#listen();
    const id = this.#reason(reason), bytes = utf8Length(reason);
    const refused = this.#core.close(reconnect, code, id, bytes, now());
    if (refused) {
      this.#reasons?.delete(id); // the core keeps nothing of a refused call
      if (refused == CLOSE_CODE) throw domException("close code must be 1000 or 3000-4999, got " + code, "InvalidAccessError");
      throw domException(`close reason must be at most 123 bytes of UTF-8, got ${bytes}`, "SyntaxError");
    }
    this.#pump();
  }

  // Tells the core when the platform socket left OPEN before its close event (the server
  // started the closing handshake; no event says so): from then on sends are queued for the
  // next connection, never handed to the closing socket.
  checkOpen() {
    if (this.ws !== null && this.ws.readyState > 1) this.#input(CLOSING);
  }

  setReconnectListener(present) {
    this.#core.input(RECONNECT_LISTENER, 0, +present, now());
  }

  stats() {
    const c = this.#core;
    const since = c.query(CONNECTED_SINCE), rtt = c.query(LAST_RTT);
    return {
      attempts: c.query(ATTEMPTS),
      reconnects: c.query(RECONNECTS),
      lastRttMs: isNaN(rtt) ? null : rtt,
      // The core counts on performance.now(); users get Date.now() time.
      connectedSince: isNaN(since) ? null : Math.round(performance.timeOrigin + since),
      queued: this.queued(),
    };
  }

  /** How many messages the core queues (stats().queued, without the rest of the stats). */
  queued() {
    return this.#core.query(QUEUED);
  }

  // ----- events of the platform socket and of the page -----

  handleEvent(event) {
    const type = event.type;
    if (SOCKET_EVENTS.includes(type)) {
      if (event.target !== this.ws) return;
      if (type == "open") {
        this.ws.removeEventListener("open", this); // heard once; one listener less to keep
        // The ws package with compression may keep a message by reference (see copies).
        this.copies = this.#keeps && this.ws.extensions !== "";
        return this.#input(OPENED);
      }
      if (type == "error") {
        this.#lastError = event;
        return this.#input(FAILED, 0);
      }
      // close
      const gen = this.#gen;
      this.#detach();
      const code = typeof event.code == "number" ? event.code : CODE_ABNORMAL;
      this.#core.closed(gen, code, this.#reason(String(event.reason ?? "")), !!event.wasClean, now());
      return this.#pump();
    }
    if (type == "online" || type == "offline") this.#input(NETWORK, +(type == "online"));
    else if (type == "pageshow") this.#input(PAGE_SHOW, +!!event.persisted);
    else if (type == "pagehide") this.#input(PAGE_HIDE, +!!event.persisted);
    else if (type == "visibilitychange") this.#input(VISIBILITY, +!this.hidden());
    else if (type == "resume") this.#input(RESUME);
  }

  // The hot path: heartbeat messages go to the core, every other one to the listeners as
  // the platform's own event object.
  #message(event) {
    if (this.#heartbeat) {
      if (this.#stamp) this.#lastMessageAt = now();
      const data = event.data;
      if (data === this.#pong || (this.#pongTest !== null && this.#test(this.#pongTest, data))) return this.#input(PONG);
      if (data === this.#sping || (this.#spingTest !== null && this.#test(this.#spingTest, data))) return this.#input(SERVER_PING);
    } else if (this.#stamp) this.#lastMessageAt = now();
    this.#target[MESSAGE](event);
  }

  #test(predicate, data) {
    try {
      return predicate(data);
    } catch (error) {
      report(error);
      return false;
    }
  }

  // ----- carrying out the core's commands -----

  #pump() {
    if (this.#pumping) return; // the run under way carries out what this call caused
    const c = this.#core;
    this.#pumping = true;
    this.#calls = 0;
    try {
      for (let kind; (kind = c.poll()) !== 0; ) this.#execute(kind, c);
    } finally {
      this.#pumping = false;
    }
    // Every command was polled (a throw above skips this: commands may be left), so the
    // core holds no reason but HELD_REASON's; calls from listeners fed theirs during this
    // run and it carried them out. A reason is read (#text) only for a command being
    // carried out, so no text still to be read is forgotten.
    const reasons = this.#reasons;
    if (reasons?.size) {
      const held = c.query(HELD_REASON), text = reasons.get(held);
      reasons.clear();
      if (text !== undefined) reasons.set(held, text);
    }
    let due = c.query(NEXT_DEADLINE);
    if (isNaN(due)) due = undefined; // no deadline
    if (due !== this.#due) {
      clearTimeout(this.#timer);
      this.#due = due;
      this.#timer = due === undefined ? undefined : setTimeout(Driver.#fire, Math.min(Math.max(due - now(), 0), 2147483647), this);
    }
    if (due === undefined && this.ws === null && c.query(CLOSED_FOR_GOOD)) {
      this.#unlisten();
      const lingering = this.#lingering;
      this.#lingering = null;
      if (lingering) for (const ws of lingering) ws.terminate();
    }
  }

  #execute(kind, c) {
    const t = this.#target;
    switch (kind) {
      case OPEN:
        return this.#open(c.query(GENERATION));
      case SEND: {
        const id = c.query(VALUE);
        const [wire] = this.#data.get(id);
        this.#data.delete(id);
        if (c.query(GENERATION) === this.#gen && this.ws) this.#send(wire);
        return;
      }
      case PING:
      case PING_REPLY: {
        if (c.query(GENERATION) !== this.#gen || !this.ws) return;
        let payload = kind == PING ? this.#ping : this.#reply;
        if (typeof payload == "function") {
          try {
            payload = payload();
          } catch (error) {
            // Nothing is sent: the heartbeat then treats the silence as it would any other.
            return t[FIRE]("error", { cause: "heartbeat", error });
          }
        }
        return this.#send(payload);
      }
      case CLOSE: {
        if (c.query(GENERATION) !== this.#gen || !this.ws) return;
        const code = c.query(CODE);
        return isNaN(code) ? this.ws.close() : this.ws.close(code, this.#text(c));
      }
      case ABANDON: {
        if (c.query(GENERATION) !== this.#gen || !this.ws) return;
        const ws = this.ws;
        const code = c.query(CODE), reason = this.#text(c), dead = c.query(FLAG);
        this.#detach(); // our listeners go first: nothing it does now reaches the core
        if (typeof ws.terminate != "function") return ws.close(code, reason);
        if (dead) return ws.terminate();
        // The ws package holds a socket whose closing handshake never ends, with a timer of
        // its own, for 30 s: it is terminated when this client is closed for good.
        ws.close(code, reason);
        if (ws.readyState != 3) {
          (this.#lingering ??= new Set()).add(ws);
          ws.addEventListener("close", () => this.#lingering?.delete(ws), { once: true });
        }
        return;
      }
      case ASK: {
        const should = this.#shouldReconnect;
        let answer = true;
        const event = { type: "close", target: t, code: c.query(CODE), reason: this.#text(c), wasClean: !!c.query(FLAG) };
        try {
          answer = !!should(event);
        } catch (error) {
          report(error);
        }
        return c.input(SHOULD_RECONNECT, 0, +answer, now());
      }
      case EV_OPEN:
        return t[FIRE]("open");
      case EV_RECONNECT:
        return t[FIRE]("reconnect", { attempt: c.query(VALUE), downtimeMs: c.query(DELAY) });
      case EV_RECONNECTING:
        return t[FIRE]("reconnecting", { attempt: c.query(VALUE), delayMs: c.query(DELAY) });
      case EV_CLOSE: {
        const delay = c.query(DELAY);
        return t[FIRE]("close", {
          code: c.query(CODE),
          reason: this.#text(c),
          wasClean: !!c.query(FLAG),
          willReconnect: !!c.query(VALUE),
          delayMs: isNaN(delay) ? null : delay,
        });
      }
      case EV_ERROR: {
        const cause = CAUSES[c.query(VALUE)];
        const error = cause == "connection-timeout" ? undefined : this.#lastError;
        this.#lastError = undefined;
        return t[FIRE]("error", { cause, error });
      }
      case EV_GIVEUP:
        return t[FIRE]("giveup", { attempts: c.query(VALUE) });
      case EV_HEARTBEAT:
        return t[FIRE]("heartbeat", { rttMs: c.query(DELAY) });
      case EV_STATE: {
        const state = STATES[c.query(VALUE)];
        this.#told = state;
        t[STATE](state);
        return t[FIRE]("statechange", { state });
      }
      case EV_DROP: {
        const id = c.query(VALUE);
        const [, data] = this.#data.get(id);
        this.#data.delete(id);
        return t[FIRE]("drop", { data });
      }
    }
  }

  // The id the core is given for a reason's text (kept in #reasons until #pump forgets it).
  #reason(text) {
    if (text === "") return 0;
    const id = this.#nextReason;
    // Ids start over after 2^32 - 1 of them; an id still kept then was given billions of
    // reasons ago, which #pump's pruning rules out (the core holds at most one between runs).
    this.#nextReason = id < LAST_ID ? id + 1 : REASONS.length;
    (this.#reasons ??= new Map()).set(id, text);
    return id;
  }

  // The text of the polled command's reason.
  #text(c) {
    const id = c.query(REASON);
    return id < REASONS.length ? REASONS[id] : this.#reasons.get(id);
  }

  #open(gen) {
    const url = this.#url;
    if (typeof url == "string") return this.#connect(gen, url, false);
    // Always settled in a later microtask, even when the provider answers (or fails) at
    // once: an `error` of the very first attempt must reach listeners added right after
    // construction.
    let answer;
    try {
      answer = Promise.resolve(url());
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (u) => this.#connect(gen, u, false),
      (error) => this.#connect(gen, error, true),
    );
  }

  #connect(gen, url, failed) {
    const c = this.#core;
    if (c.query(LIVE_GENERATION) !== gen) return;
    let ws;
    try {
      if (failed) throw url;
      if (typeof this.#url == "function") url = this.#resolve(url);
      const P = this.#WebSocket;
      ws = this.#protocols === undefined ? new P(url) : new P(url, this.#protocols);
    } catch (error) {
      this.#lastError = error;
      c.input(FAILED, gen, 1, now());
      c.closed(gen, CODE_ABNORMAL, 0, false, now());
      return this.#pump();
    }
    ws.binaryType = this.binaryType;
    // A socket class without "blob" (an old ws) keeps its own default: use arraybuffer.
    if (ws.binaryType !== this.binaryType) ws.binaryType = this.binaryType = "arraybuffer";
    for (const type of SOCKET_EVENTS) ws.addEventListener(type, this);
    ws.addEventListener("message", this.#onMessage);
    this.ws = ws;
    this.#keeps = typeof ws.terminate == "function"; // the ws package
    this.copies = false;
    this.#gen = gen;
    this.#lastMessageAt = NaN;
  }

  // Lets go of the socket: our listeners go, and a no-op `error` listener stays (the ws
  // package throws an `error` that no listener handles when an abandoned CONNECTING socket
  // fails).
  #detach() {
    const ws = this.ws;
    for (const type of SOCKET_EVENTS) ws.removeEventListener(type, this);
    ws.removeEventListener("message", this.#onMessage);
    ws.addEventListener("error", ignore);
    this.ws = null;
  }

  // A message the socket takes now: its bytes as they are at the call (the facade's send()
  // on the open socket; a queued message is a copy already).
  wire(data) {
    // A detached buffer, or a view of one, holds no bytes (the ws package would throw).
    if (this.copies || (ArrayBuffer.isView(data) ? data.buffer : data).byteLength === 0) return copy(data);
    if (this.#keeps && isBlob(data)) this.copies = true;
    return data;
  }

  #send(wire) {
    if (this.#keeps && isBlob(wire)) this.copies = true;
    this.ws.send(wire);
  }

  setBinaryType(type) {
    this.binaryType = type;
    if (this.ws) this.ws.binaryType = type;
  }

  // Whether the page counts as hidden (a shared connection's leader, js/share.js, counts
  // every tab).
  hidden() {
    return hidden();
  }

  // ----- the page-lifecycle listeners -----

  #listen() {
    if (this.#life) return;
    this.#life = true;
    const [scope, document] = targets();
    if (scope) for (const type of ["online", "offline", "pageshow", "pagehide"]) scope.addEventListener(type, this);
    if (document) for (const type of ["visibilitychange", "resume"]) document.addEventListener(type, this);
    // What the listeners would have said so far: the network and the page as they are now.
    const online = globalThis.navigator?.onLine;
    if (typeof online == "boolean") this.#core.input(NETWORK, 0, +online, now());
    if (document) this.#core.input(VISIBILITY, 0, +!this.hidden(), now());
  }

  #unlisten() {
    if (!this.#life) return;
    this.#life = false;
    const [scope, document] = targets();
    if (scope) for (const type of ["online", "offline", "pageshow", "pagehide"]) scope.removeEventListener(type, this);
    if (document) for (const type of ["visibilitychange", "resume"]) document.removeEventListener(type, this);
  }
}

const isBlob = (data) => data instanceof Blob;

/** Binary data, which `send()` takes as it is (js/options.js, which imports nothing, has its own check for payloads). */
export function isBinary(data) {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data) || isBlob(data);
}

/**
 * What a queue keeps of binary data: its bytes as they are now. Blobs cannot change; a
 * detached buffer holds no bytes (and a DataView of one throws on byteLength).
 */
export function copy(data) {
  if (data instanceof ArrayBuffer) return data.byteLength ? data.slice(0) : new ArrayBuffer(0);
  if (ArrayBuffer.isView(data))
    return data.buffer.byteLength ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(0);
  return data;
}

function matcher(option) {
  return typeof option == "function" ? [NO_MATCH, option] : [option === undefined ? NO_MATCH : option, null];
}
const NO_MATCH = {}; // equal to no message

function queueFull(max) {
  return max == 0
    ? "send() while not open, and queueing is off (queue.maxMessages is 0); the message was not sent"
    : `send() while not open, and the send queue is full (${max} messages, queue.maxMessages); the message was not queued`;
}
