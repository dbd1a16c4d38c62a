// The `share` option: one server connection for every LifelineSocket of an origin with the
// same key (tabs, windows, iframes, workers of one browser profile). Each LifelineSocket is
// a view; one of them, the leader (elected with Web Locks), runs an ordinary Driver and its
// core, and tells the others over a BroadcastChannel what happens; the others (followers)
// hand it their sends. A `Shared` stands in for the facade's Driver (the same members), so
// the facade only picks it. docs/design.md ("One connection for every tab") says how and why.
//
// The channel's messages (`k` their kind; `l` the leadership they belong to, `v` a view):
//   to every view, from the leader: L (I lead; st: the state, x: the stats), e (an event:
//   t its type, d its detail), m (a server message), a (acknowledged: a[v] the last send of
//   view v handed to the socket), d (view v's send s dropped);
//   to the leader, from a view: h (hello: a view joined), s (send s of view v), r
//   (reconnect()), v (view v visible or not), o (a lifecycle signal: probe).
// A view keeps its sends until the leader acknowledges them, and sends them again, in order,
// to a new leader; a leader ignores what a view sent it twice. A view takes events and
// messages from its current leader only: a socket whose leader was replaced reaches no one.

import { Driver, FIRE, MESSAGE, STATE } from "./internals.js";

const now = () => performance.now();
const STALE = 2000;
const hidden = () => globalThis.document?.visibilityState == "hidden";

// Where there is no Web Locks or BroadcastChannel (Node, old webviews, a page that is not a
// secure context, an opaque origin), each instance connects on its own, and its stats say so.
class Alone extends Driver {
  stats() {
    const s = super.stats();
    s.share = "unavailable";
    return s;
  }
}

export class Shared {
  #target;
  #args; // the Driver's constructor arguments
  #name; // the lock's and the channel's name
  #me = Math.random() + ""; // this view
  #v; // a Driver never started: it checks the options and the calls as a socket would
  #d; // the leader's Driver
  #lead; // the leadership this view holds, if it leads
  #release; // ends it (resolves the lock's callback)
  #leader; // the leadership this view follows
  #bc; // the channel while joined
  #ac; // aborts the lock request
  #left = true; // closed by the user (or not started)
  #st = "closed"; // the state as this view's listeners know it
  #opened; // this view saw `open`
  #rl; // a `reconnect` listener is present
  #down = 0; // when the connection was last lost (for a reconnect's downtime)
  #x; // the leader's stats
  #seq = 0;
  #timer; // the watch on a send not acknowledged
  #pending = []; // [seq, wire, data]: sends not yet handed to the socket
  // The leader's side.
  #seen; // view -> last send taken
  #q; // [view, seq] of the sends in the Driver's queue, in order
  #views = new Map(); // the views of other tabs -> visible
  #alone; // no other view waits for the lock, as last asked

  constructor(target, read, url, protocols, resolve, Core) {
    let key = read.share;
    if (key === true) {
      if (typeof url != "string") throw new TypeError("share must be a string key with a URL provider, got true");
      key = url + " " + protocols;
    }
    const locks = globalThis.navigator?.locks;
    // An opaque origin (a sandboxed iframe, file:) gets no lock.
    if (!locks?.request || typeof BroadcastChannel != "function" || globalThis.origin == "null")
      return new Alone(target, read, url, protocols, resolve, Core);
    this.#target = target;
    // The leader connects at once: startClosed is this view's, not the connection's.
    const values = read.values.slice();
    values[23] = 0;
    this.#args = [this, { ...read, values }, url, protocols, resolve, Core];
    this.#v = new Driver(...this.#args);
    this.#name = "lifeline-ws " + key;
    // Never a socket: the facade sends through send(); it reads the protocol the server chose.
    this.ws = {};
    this.binaryType = globalThis.Blob ? "blob" : "arraybuffer";
    this.start = read.values[23] ? () => {} : this.#join; // startClosed
  }

  error() {
    return this.#v.error();
  }

  checkOpen() {
    if (this.#lead) this.#d.checkOpen();
  }

  setReconnectListener(present) {
    this.#rl = present;
  }

  setBinaryType(type) {
    this.binaryType = type;
  }

  stats() {
    return { ...(this.#lead ? this.#d.stats() : this.#x || this.#v.stats()), queued: this.#pending.length, share: this.#lead ? "leader" : "follower" };
  }

  send(wire, data = wire) {
    // Refused as a closed socket refuses it (the checker's core is closed).
    if (this.#st == "closed") this.#v.send(wire, data);
    const p = [++this.#seq, wire, data];
    this.#pending.push(p);
    this.#hand(p);
  }

  close(reconnect, code, reason) {
    this.#v.close(false, code, reason); // throws for a code or a reason a socket refuses
    if (reconnect) {
      if (this.#left) this.#join();
      else if (this.#lead) this.#d.close(true, code, reason);
      else this.#post("r", { c: code, r: reason });
      return;
    }
    if (this.#left) return;
    if (this.#lead) this.#abdicate(0, code, reason);
    this.#post("v");
    this.#left = true;
    this.#ac.abort();
    this.#bc.close();
    this.#bc = this.#leader = null;
    this.#listen(false);
    this.#pending = [];
    this.#down = now();
    // As a socket closed by its user tells it.
    const was = this.#st;
    if (was == "open") this.#state("closing");
    this.#state("closed");
    if (was != "closed") this.#fire("close", { code: code ?? 1005, reason, wasClean: true, willReconnect: false, delayMs: null });
  }

  // ----- a view -----

  #join() {
    this.#left = false;
    this.#state("connecting");
    if (this.#opened) this.#fire("reconnecting", { attempt: 1, delayMs: 0 }); // reconnect() after close()
    const bc = (this.#bc = new BroadcastChannel(this.#name));
    bc.onmessage = (e) => this.#receive(e.data);
    this.#listen(true);
    this.#request();
    this.#post("h", { on: !hidden() });
  }

  // Queues for the leadership (granted at once when no view leads).
  // With `steal`, takes it from a leader that stopped answering: that one, once it runs
  // again, hears that it lost the lock (or of the new leader) and follows.
  #request(steal) {
    this.#ac?.abort();
    const ac = (this.#ac = new AbortController());
    let l;
    navigator.locks
      .request(this.#name, steal ? { steal } : { signal: ac.signal }, () =>
        ac.signal.aborted ? null : new Promise((resolve) => (l = this.#become(resolve))),
      )
      .catch(() => l && l === this.#lead && this.#abdicate(1));
  }

  // A message of kind `k`, from this view, of the leadership it follows (or holds).
  #post(k, m) {
    this.#bc?.postMessage({ k, l: this.#leader, v: this.#me, ...m });
  }

  // What a view hears: from its leader, or (when it leads) from the other views.
  #receive(m) {
    const k = m.k;
    if (k == "L") return this.#follow(m.l, m.st, m.x, m.p);
    if (m.l === this.#leader && this.#leader !== this.#lead) {
      if (k == "e") {
        this.#x = m.x;
        this.ws = { protocol: m.p };
        this.#event(m.t, m.d);
      } else if (k == "m") this.#message(m.d);
      else if (k == "a") this.#acked(m.a[this.#me]);
      else if (k == "d" && m.v == this.#me) this.#dropped(m.s);
    }
    const d = this.#d;
    if (!this.#lead) return;
    if (k == "h" || k == "v") {
      if (m.on === undefined) {
        this.#views.delete(m.v);
        this.#check();
      } else this.#views.set(m.v, m.on);
      if (k == "h") this.#post("L", { st: d.state, x: d.stats(), p: d.ws?.protocol });
      d.handleEvent({ type: "visibilitychange" });
    }
    if (m.l !== this.#lead) return;
    if (k == "s") this.#take(m.v, m.s, m.d);
    else if (k == "r") d.close(true, m.c, m.r); // checked by the view
    else if (k == "o") d.handleEvent({ type: m.t });
  }

  // A leadership, as a view learns of it (its own included).
  #follow(l, st, x, protocol) {
    if (l === this.#leader || this.#left) return;
    this.ws = { protocol };
    if (this.#lead && l !== this.#lead) this.#abdicate(1); // replaced
    this.#leader = l;
    this.#x = x;
    if (this.#st == "open" || this.#st == "closing") {
      // The connection went with the leader that held it: as a lost connection is told.
      this.#fire("close", { code: 1006, reason: "the leading tab left", wasClean: false, willReconnect: true, delayMs: 0 });
      this.#down = now();
    }
    this.#state(st);
    if (st == "open") this.#event("open");
    if (l === this.#lead) return;
    this.#post("v", { on: !hidden() });
    for (const p of this.#pending) this.#hand(p);
  }

  // An event of the shared connection, as this view's listeners get it.
  #event(type, detail) {
    if (this.#left) return;
    if (type == "statechange") return this.#state(detail.state);
    if (type == "open" || type == "reconnect") {
      // Open once; later connections are `reconnect` where someone listens for it.
      if (this.#opened && this.#rl)
        return this.#fire("reconnect", type == "reconnect" ? detail : { attempt: 1, downtimeMs: Math.round(now() - this.#down) });
      this.#opened = true;
      return this.#fire("open");
    }
    if (type == "close") this.#down = now();
    this.#fire(type, detail);
  }

  #state(state) {
    if (state == this.#st) return;
    this.#st = state;
    this.#target[STATE](state);
    this.#fire("statechange", { state });
  }

  #fire(type, detail) {
    this.#target[FIRE](type, detail);
  }

  #message(data) {
    if (this.#left) return;
    if (data instanceof ArrayBuffer && this.binaryType == "blob") data = new Blob([data]);
    this.#target[MESSAGE]({ data });
  }

  #hand([s, wire]) {
    if (this.#lead) this.#take(this.#me, s, wire);
    else if (this.#leader) {
      this.#post("s", { s, d: wire });
      this.#watch();
    }
  }

  // An open connection's leader acknowledges a send at once: one that has not for STALE ms
  // has stopped (a tab frozen without notice, a main thread held), and this view takes over.
  #watch() {
    const p = this.#pending[0];
    const l = this.#leader;
    if (p && !this.#timer && !this.#lead && this.#st == "open")
      this.#timer = setTimeout(() => {
        this.#timer = 0;
        if (this.#leader === l && this.#st == "open") this.#pending[0] === p ? this.#request(1) : this.#watch();
      }, STALE);
  }

  #acked(s) {
    this.#pending = this.#pending.filter((p) => !(p[0] <= s)); // s: undefined when none
  }

  #dropped(s) {
    const i = this.#pending.findIndex((p) => p[0] == s);
    if (i >= 0) this.#fire("drop", { data: this.#pending.splice(i, 1)[0][2] });
  }

  // The page's signals: the leader's Driver hears its own; a follower's are told to it.
  #listen(on) {
    const method = on ? "addEventListener" : "removeEventListener";
    ["online", "pageshow", "visibilitychange", "freeze"].forEach((type, i) => (i > 1 ? globalThis.document : globalThis)?.[method]?.(type, this));
  }

  handleEvent(event) {
    const type = event.type;
    if (type == "freeze") {
      // A frozen leader answers no one: another tab leads, and this one queues for its turn.
      if (this.#lead) this.#abdicate(1);
    } else if (!this.#lead) {
      // Visible, online and back from the back/forward cache: the leader probes.
      if (type == "visibilitychange") this.#post("v", { on: !hidden() });
      if (type == "online" || (type == "pageshow" ? event.persisted : !hidden()))
        this.#post("o", { t: type == "online" ? type : "resume" });
    }
  }

  // ----- the leader -----

  #become(release) {
    const d = (this.#d = new Driver(...this.#args));
    const l = (this.#lead = this.#me + ++this.#seq);
    this.#release = release;
    this.#seen = {};
    this.#q = [];
    this.#views.clear();
    this.#check();
    // The page counts as visible while any view is (closeWhenHiddenAfter parks the
    // connection only when every tab is hidden).
    d.hidden = () => hidden() && ![...this.#views.values()].includes(true);
    d.setReconnectListener(true);
    d.setBinaryType("arraybuffer");
    const x = d.stats();
    this.#post("L", { l, st: "connecting", x });
    this.#follow(l, "connecting", x);
    d.start();
    for (const p of this.#pending) this.#hand(p);
    return l;
  }

  // Whether any other view is there to hear the server's messages: those that told the
  // leader, and those waiting for the lock (until they tell it).
  #check() {
    this.#alone = false;
    navigator.locks.query().then((s) => (this.#alone = !s.pending.some((r) => r.name == this.#name)));
  }

  // Lets go of the connection and the lock; `again` (a number) queues for the lock anew.
  #abdicate(again, code, reason) {
    const d = this.#d;
    this.#lead = null;
    this.#release();
    d.close(false, code, reason ?? "");
    if (again) this.#request();
  }

  // A send of view `v`, taken once, in order.
  #take(v, s, wire) {
    if (s <= (this.#seen[v] ?? 0)) return;
    this.#seen[v] = s;
    const token = [v, s];
    try {
      this.#d.send(wire, token);
      this.#q.push(token);
    } catch {
      this.#drop(token);
    }
    // Taken while the Driver carries out commands (from a listener in this tab): it hands
    // the send over once that run ends.
    if (this.#ack()) queueMicrotask(() => this.#ack());
  }

  #drop([v, s]) {
    if (v == this.#me) this.#dropped(s);
    else this.#post("d", { v, s });
  }

  // Tells each view the last of its sends the Driver no longer queues (handed to the socket).
  #ack() {
    if (!this.#lead) return;
    const q = this.#q;
    const n = q.length && q.length - this.#d.queued();
    if (n > 0) {
      const a = {};
      for (const [v, s] of q.splice(0, n)) a[v] = s;
      this.#post("a", { a });
      this.#acked(a[this.#me]);
    }
    return q.length;
  }

  // What the leader's Driver tells: to every view.
  [FIRE](type, detail) {
    if (!this.#lead) return;
    if (type == "drop") {
      this.#q.splice(this.#q.indexOf(detail.data), 1);
      return this.#drop(detail.data);
    }
    // An error's `error` (an Event, an exception) stays in this tab.
    const p = this.#d.ws?.protocol;
    this.ws = { protocol: p };
    this.#post("e", { t: type, d: type == "error" ? { cause: detail.cause } : detail, x: this.#d.stats(), p });
    this.#event(type, detail);
    this.#ack();
  }

  [MESSAGE](event) {
    if (!this.#lead) return;
    if (this.#views.size || !this.#alone) this.#post("m", { d: event.data });
    this.#message(event.data);
  }

  [STATE]() {}
}
