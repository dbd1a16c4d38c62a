// A controllable WebSocket test server (the `ws` package) on 127.0.0.1, with fault modes
// that can be switched at run time. Usable two ways:
//
//   In-process:
//     import { startServer } from "../support/server.mjs";
//     const srv = await startServer({ echo: true, pong: true });   // port 0 -> srv.port
//     ... srv.set({ closeAfter: { ms: 100, code: 4000 } }); await srv.refuse(); ...
//     await srv.stop();
//
//   As a child process (so that it can be killed for real):
//     node tests/support/server.mjs --port 0 --mode echo,pong [--server-ping MS]
//          [--handshake-delay MS [--handshake-delay-count N]] [--close-after MS --close-code C]
//     prints `LISTENING <port>` on stdout, then takes one JSON command per stdin line
//       {"id": 1, "cmd": "set", "args": {"pong": false}}
//     and answers `REPLY <json {id, ok, result | error}>`; it also prints `EVENT <json>` lines
//     (upgrade, connection, message, disconnect, aborted). It exits by itself (no
//     process.exit) on the `stop` command, on SIGTERM/SIGINT, or when its stdin ends.
//     `spawnServer()` below wraps all of that.
//
// Settings (all switchable with set()):
//   echo                   send every received message back (default true)
//   pong                   answer the text "ping" with "pong" (takes precedence over echo)
//   mute                   receive and record, answer nothing (application-level mute; for
//                          the TCP-level half-open case use proxy.mjs)
//   serverPingEvery        ms; send the text "ping" to every client that often (0 = off)
//   closeAfter             { ms, code, reason } : close each connection ms after it opened
//   handshakeDelay         ms to hold each upgrade request before answering it
//   handshakeDelayCount    only the next N upgrades are delayed (default Infinity); counts down
//
// Records: `connections` (how many WebSocket connections ever completed), `upgrades` (one
// record per upgrade request: url, state pending|connected|aborted|closed), `received`
// ({conn, data, isBinary, t} in arrival order; `messages` = just the data), `live` (open now).

import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { WebSocketServer, WebSocket } from "ws";

const HOST = "127.0.0.1";
const DEFAULTS = Object.freeze({
  echo: true,
  pong: false,
  mute: false,
  serverPingEvery: 0,
  closeAfter: null,
  handshakeDelay: 0,
  handshakeDelayCount: Infinity,
});

const noop = () => {};

export class TestServer extends EventEmitter {
  /** `settings`: DEFAULTS' keys, and `perMessageDeflate` (ws's server option, fixed at start). */
  constructor({ perMessageDeflate = false, ...settings } = {}) {
    super();
    this.settings = { ...DEFAULTS };
    this.set(settings);
    this.port = 0;
    this.listening = false;
    this.connections = 0;
    this.upgrades = [];
    this.received = [];
    this.clients = new Set(); // live ws connections (server side)
    this._sockets = new Set(); // every raw TCP socket, to destroy on refuse/stop
    this._timers = new Set();
    this._pingTimer = null;
    this._stopped = false;
    this._http = createServer((req, res) => {
      res.writeHead(426, { "content-type": "text/plain" });
      res.end("upgrade required\n");
    });
    this._http.on("connection", (s) => {
      this._sockets.add(s);
      s.on("error", noop);
      s.on("close", () => this._sockets.delete(s));
    });
    this._http.on("upgrade", (req, socket, head) => this._onUpgrade(req, socket, head));
    this._wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate });
  }

  /** ws://127.0.0.1:<port><path> */
  url(path = "/") {
    return `ws://${HOST}:${this.port}${path}`;
  }

  /** Messages received so far, in order (strings for text, Buffers for binary). */
  get messages() {
    return this.received.map((r) => r.data);
  }

  /** Number of WebSocket connections open right now. */
  get live() {
    return this.clients.size;
  }

  /** Change settings at run time (partial object). */
  set(partial = {}) {
    for (const [k, v] of Object.entries(partial)) {
      if (!(k in DEFAULTS)) throw new TypeError(`unknown server setting ${k}`);
      this.settings[k] = v;
    }
    if (this._pingTimer !== undefined) this._applyPingTimer();
    this._changed();
    return this.settings;
  }

  async listen(port = this.port) {
    if (this.listening) return this.port;
    await new Promise((resolve, reject) => {
      const onError = (err) => reject(err);
      this._http.once("error", onError);
      this._http.listen({ port, host: HOST, exclusive: true }, () => {
        this._http.off("error", onError);
        resolve();
      });
    });
    this.port = this._http.address().port;
    this.listening = true;
    this._stopped = false;
    this._applyPingTimer();
    this.emit("listening", this.port);
    this._changed();
    return this.port;
  }

  /**
   * Stop listening (new connections are refused; the port stays free for resume()), and end
   * every current connection: with `code` given, a clean close with that code (terminated
   * after `graceMs` if the client does not answer); without, an abrupt TCP teardown.
   */
  async refuse({ code, reason = "", graceMs = 1000 } = {}) {
    const closed = this.listening
      ? new Promise((resolve) => this._http.close(() => resolve()))
      : Promise.resolve();
    this.listening = false;
    this._applyPingTimer();
    if (code !== undefined) await this.closeAll(code, reason, { graceMs });
    this.terminateAll();
    for (const s of this._sockets) s.destroy();
    await closed;
    this.emit("refusing");
    this._changed();
  }

  /** Listen again on the same port after refuse(). */
  resume() {
    return this.listen(this.port);
  }

  /** Close every live connection with a code; resolves once they are all closed. */
  async closeAll(code = 1000, reason = "", { graceMs = 2000 } = {}) {
    const waits = [];
    for (const ws of this.clients) {
      waits.push(
        new Promise((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once("close", resolve);
          const t = this._timer(() => ws.terminate(), graceMs);
          ws.once("close", () => this._clear(t));
          ws.close(code, reason);
        }),
      );
    }
    await Promise.all(waits);
  }

  /** Drop every live connection without a closing handshake. */
  terminateAll() {
    for (const ws of this.clients) ws.terminate();
  }

  /**
   * Start the closing handshake on every live connection and never finish it: send a close
   * frame, then read and ignore whatever comes (the client's close frame too) and keep TCP
   * open. The client's socket is CLOSING with no event until it gives up.
   */
  stallCloseAll(code = 1001, reason = "") {
    for (const ws of this.clients) stallClose(ws, code, reason);
  }

  /** Send to every live connection. */
  broadcast(data) {
    for (const ws of this.clients) if (ws.readyState === WebSocket.OPEN) ws.send(data);
  }

  /**
   * Resolve when predicate(this) is true (checked now and after every change), or reject after
   * `timeout` ms with a message naming `label` and the server's state.
   */
  waitFor(predicate, { timeout = 10000, label = "condition" } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let ok;
        try {
          ok = predicate(this);
        } catch (err) {
          cleanup();
          reject(err);
          return;
        }
        if (ok) {
          cleanup();
          resolve(ok);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `server: timed out after ${timeout} ms waiting for ${label} ` +
              `(connections=${this.connections}, live=${this.live}, ` +
              `upgrades=${this.upgrades.length}, received=${this.received.length})`,
          ),
        );
      }, timeout);
      const cleanup = () => {
        clearTimeout(timer);
        this.off("change", check);
      };
      this.on("change", check);
      check();
    });
  }

  /** A snapshot that survives JSON (used by the child-process protocol). */
  stats() {
    return {
      port: this.port,
      listening: this.listening,
      connections: this.connections,
      live: this.live,
      upgrades: this.upgrades.map(({ id, url, state, delayed, t }) => ({
        id,
        url,
        state,
        delayed,
        t,
      })),
      messages: this.received.map((r) => (r.isBinary ? { binary: r.data.toString("base64") } : r.data)),
      settings: { ...this.settings, handshakeDelayCount: finiteOrNull(this.settings.handshakeDelayCount) },
    };
  }

  /** Close everything and release every handle. Idempotent. */
  async stop() {
    if (this._stopped) return;
    this._stopped = true;
    for (const t of this._timers) clearTimeout(t);
    this._timers.clear();
    if (this._pingTimer) clearInterval(this._pingTimer);
    this._pingTimer = null;
    await this.refuse();
    this._wss.close();
    this.emit("stopped");
  }

  // ---- internals ----

  _changed() {
    this.emit("change");
  }

  _timer(fn, ms) {
    const t = setTimeout(() => {
      this._timers.delete(t);
      fn();
    }, ms);
    this._timers.add(t);
    return t;
  }

  _clear(t) {
    clearTimeout(t);
    this._timers.delete(t);
  }

  _applyPingTimer() {
    if (this._pingTimer) clearInterval(this._pingTimer);
    this._pingTimer = null;
    const every = this.settings.serverPingEvery;
    if (this.listening && every > 0) {
      this._pingTimer = setInterval(() => this.broadcast("ping"), every);
    }
  }

  _onUpgrade(req, socket, head) {
    socket.on("error", noop);
    const rec = {
      id: this.upgrades.length + 1,
      url: req.url,
      state: "pending",
      delayed: 0,
      t: Date.now(),
    };
    this.upgrades.push(rec);
    this.emit("upgrade", rec);
    let delay = 0;
    if (this.settings.handshakeDelay > 0 && this.settings.handshakeDelayCount > 0) {
      delay = this.settings.handshakeDelay;
      this.settings.handshakeDelayCount -= 1;
    }
    rec.delayed = delay;
    this._changed();
    const onEarlyClose = () => {
      if (rec.state !== "pending") return;
      rec.state = "aborted";
      this.emit("aborted", rec);
      this._changed();
    };
    socket.once("close", onEarlyClose);
    const finish = () => {
      if (rec.state !== "pending") return;
      if (socket.destroyed || !socket.readable || !socket.writable) {
        socket.destroy();
        onEarlyClose();
        return;
      }
      this._wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off("close", onEarlyClose);
        this._onConnection(ws, rec);
      });
    };
    if (delay > 0) this._timer(finish, delay);
    else finish();
  }

  _onConnection(ws, rec) {
    this.connections += 1;
    const conn = this.connections;
    rec.state = "connected";
    rec.conn = conn;
    this.clients.add(ws);
    ws.on("error", noop);
    let closeTimer = null;
    const ca = this.settings.closeAfter;
    if (ca) {
      closeTimer = this._timer(() => ws.close(ca.code ?? 1000, ca.reason ?? ""), ca.ms ?? 0);
    }
    ws.on("message", (data, isBinary) => {
      const value = isBinary ? Buffer.from(data) : data.toString();
      this.received.push({ conn, data: value, isBinary, t: Date.now() });
      this.emit("message", value, isBinary, conn);
      const s = this.settings;
      if (!s.mute && ws.readyState === WebSocket.OPEN) {
        if (s.pong && !isBinary && value === "ping") ws.send("pong");
        else if (s.echo) ws.send(data, { binary: isBinary });
      }
      this._changed();
    });
    ws.on("close", (code, reason) => {
      if (closeTimer) this._clear(closeTimer);
      this.clients.delete(ws);
      rec.state = "closed";
      rec.closeCode = code;
      this.emit("disconnect", conn, code, reason.toString());
      this._changed();
    });
    this.emit("connection", conn, rec.url, ws);
    this._changed();
  }
}

/** Sends a close frame on `ws`'s TCP socket behind the `ws` package's back, and from then
 * on reads and ignores everything (no close frame answered; the client's FIN, if it sends
 * one, is not answered either: the HTTP server's sockets allow half-open). Shared with
 * tests/wasm/server.mjs. */
export function stallClose(ws, code = 1001, reason = "") {
  const socket = ws._socket;
  if (!socket || socket.destroyed) return;
  const payload = Buffer.concat([Buffer.from([code >> 8, code & 255]), Buffer.from(reason).subarray(0, 123)]);
  socket.removeAllListeners("data");
  socket.removeAllListeners("end"); // the client's FIN ends nothing: the server's side stays open
  socket.on("data", noop);
  socket.write(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
}

function finiteOrNull(n) {
  return Number.isFinite(n) ? n : null;
}

/** Create and start an in-process server. `settings` as TestServer; `port` default 0. */
export async function startServer({ port = 0, ...settings } = {}) {
  const srv = new TestServer(settings);
  await srv.listen(port);
  return srv;
}

// ---------------------------------------------------------------------------------------
// Child-process wrapper

const SELF = fileURLToPath(import.meta.url);

/**
 * Spawn this file as a child process. Resolves once it listens. Returns a handle:
 *   port, url(path), call(cmd, args) -> Promise<result>, set(settings), closeAll(code, reason),
 *   refuse(opts), resume(), stats(), kill(signal = "SIGKILL") -> Promise<{code, signal}>,
 *   stop() (graceful; escalates to SIGKILL), and an EventEmitter `events` of EVENT lines.
 */
export async function spawnServer({ port = 0, mode = "echo", args = [], timeout = 15000 } = {}) {
  const child = spawn(process.execPath, [SELF, "--port", String(port), "--mode", mode, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const events = new EventEmitter();
  const pending = new Map();
  let nextId = 1;
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdin.on("error", noop);
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      for (const { reject } of pending.values()) reject(new Error(`server child exited (${code ?? signal})`));
      pending.clear();
      resolve({ code, signal });
    });
  });
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server child did not listen within ${timeout} ms; stderr: ${stderr}`));
    }, timeout);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server child exited (${code ?? signal}) before listening; stderr: ${stderr}`));
    });
    const rl = createInterface({ input: child.stdout });
    rl.on("line", (line) => {
      if (line.startsWith("LISTENING ")) {
        clearTimeout(timer);
        resolve(Number(line.slice("LISTENING ".length)));
      } else if (line.startsWith("REPLY ")) {
        const msg = JSON.parse(line.slice(6));
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(msg.error));
      } else if (line.startsWith("EVENT ")) {
        const ev = JSON.parse(line.slice(6));
        events.emit(ev.type, ev);
        events.emit("any", ev);
      }
    });
  });
  const actualPort = await listening;
  const call = (cmd, cmdArgs = {}) =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error("server child has exited"));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.stdin.write(JSON.stringify({ id, cmd, args: cmdArgs }) + "\n");
    });
  const handle = {
    child,
    pid: child.pid,
    port: actualPort,
    events,
    exited,
    url: (path = "/") => `ws://${HOST}:${actualPort}${path}`,
    call,
    set: (settings) => call("set", settings),
    closeAll: (code, reason) => call("closeAll", { code, reason }),
    terminateAll: () => call("terminateAll"),
    refuse: (opts) => call("refuse", opts ?? {}),
    resume: () => call("resume"),
    stats: () => call("stats"),
    get stderr() {
      return stderr;
    },
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async stop({ timeout: t = 5000 } = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), t);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
  return handle;
}

// ---------------------------------------------------------------------------------------
// Child-process entry point

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    out[a.slice(2)] = argv[++i];
  }
  return out;
}

function settingsFromArgs(opts) {
  const s = { echo: false };
  for (const m of (opts.mode ?? "echo").split(",").filter(Boolean)) {
    if (m === "echo") s.echo = true;
    else if (m === "pong") s.pong = true;
    else if (m === "mute") s.mute = true;
    else throw new Error(`unknown mode ${m} (echo, pong, mute)`);
  }
  if (opts["server-ping"]) s.serverPingEvery = Number(opts["server-ping"]);
  if (opts["handshake-delay"]) s.handshakeDelay = Number(opts["handshake-delay"]);
  if (opts["handshake-delay-count"]) s.handshakeDelayCount = Number(opts["handshake-delay-count"]);
  if (opts["close-after"]) {
    s.closeAfter = { ms: Number(opts["close-after"]), code: Number(opts["close-code"] ?? 1000) };
  }
  return s;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const srv = new TestServer(settingsFromArgs(opts));
  const out = (line) => process.stdout.write(line + "\n");
  srv.on("upgrade", (rec) => out("EVENT " + JSON.stringify({ type: "upgrade", id: rec.id, url: rec.url })));
  srv.on("aborted", (rec) => out("EVENT " + JSON.stringify({ type: "aborted", id: rec.id })));
  srv.on("connection", (conn, url) => out("EVENT " + JSON.stringify({ type: "connection", conn, url })));
  srv.on("disconnect", (conn, code, reason) =>
    out("EVENT " + JSON.stringify({ type: "disconnect", conn, code, reason })),
  );
  srv.on("message", (data, isBinary, conn) =>
    out(
      "EVENT " +
        JSON.stringify({ type: "message", conn, data: isBinary ? data.toString("base64") : data, isBinary }),
    ),
  );
  await srv.listen(Number(opts.port ?? 0));
  out(`LISTENING ${srv.port}`);

  const rl = createInterface({ input: process.stdin });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    rl.close();
    process.stdin.destroy();
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    await srv.stop();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  rl.on("close", stop);
  rl.on("line", async (line) => {
    if (!line.trim()) return;
    let id = null;
    try {
      const msg = JSON.parse(line);
      id = msg.id ?? null;
      const a = msg.args ?? {};
      let result = null;
      switch (msg.cmd) {
        case "set":
          result = { ...srv.set(a) };
          result.handshakeDelayCount = finiteOrNull(result.handshakeDelayCount);
          break;
        case "closeAll":
          await srv.closeAll(a.code ?? 1000, a.reason ?? "");
          break;
        case "terminateAll":
          srv.terminateAll();
          break;
        case "stallCloseAll":
          srv.stallCloseAll(a.code, a.reason);
          break;
        case "broadcast":
          srv.broadcast(a.data);
          break;
        case "refuse":
          await srv.refuse(a);
          break;
        case "resume":
          result = await srv.resume();
          break;
        case "stats":
          result = srv.stats();
          break;
        case "stop":
          out("REPLY " + JSON.stringify({ id, ok: true, result: null }));
          await stop();
          return;
        default:
          throw new Error(`unknown command ${msg.cmd}`);
      }
      out("REPLY " + JSON.stringify({ id, ok: true, result }));
    } catch (err) {
      out("REPLY " + JSON.stringify({ id, ok: false, error: String(err?.message ?? err) }));
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
