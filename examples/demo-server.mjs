// The demo's misbehaving server (`npm run demo`): the fault server of tests/support as a
// child process (so "kill" kills a real process and restarts it on the same port), behind the
// TCP proxy of tests/support (so "mute" is a true half-open connection), and an HTTP server
// for the browser status page and for triggering faults by hand.
//
//   import { startDemo } from "./demo-server.mjs";
//   const demo = await startDemo({ httpPort: 0, schedule: true, log: console.log });
//   demo.wsUrl   // ws://127.0.0.1:<proxy port>/   (what clients connect to)
//   demo.httpUrl // http://127.0.0.1:<http port>
//   await demo.fault("kill");   // drop | kill | mute | unmute | refuse | resume
//   await demo.stop();          // stops everything it started; idempotent
//
// HTTP (127.0.0.1:httpPort):
//   GET  /                    examples/browser/index.html
//   GET  /<file>              files of examples/browser/ (nothing outside it)
//   GET  /dist/lifeline-ws.mjs the built package (npm run build)
//   GET  /config              {"wsUrl": "ws://127.0.0.1:<proxy port>/"}
//   GET  /status              {"server": {...}, "counters": {...}} (what is broken right now)
//   POST /fault/<name>        {"ok": true, "fault": name}; 400 for an unknown name
//
// Faults:
//   drop    close every connection, the code rotating 1000, 1001, 1011, 4000
//   kill    SIGKILL the server process; a new one listens on the same port ~1.5 s later
//   mute    the proxy forwards nothing, in either direction, and closes nothing (half-open)
//           for ~8 s, or until unmute
//   refuse  the server stops listening (its connections are dropped) for ~4 s, or until resume
// The server echoes every message and answers "ping" with "pong".
//
// Run alone (for working on the status page): node examples/demo-server.mjs [--http-port N]
// [--no-schedule]; Ctrl-C stops it.

import { createServer } from "node:http";
import { EventEmitter } from "node:events";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnServer } from "../tests/support/server.mjs";
import { startProxy } from "../tests/support/proxy.mjs";

const HOST = "127.0.0.1";
const HERE = fileURLToPath(new URL(".", import.meta.url));
const BROWSER_DIR = resolve(HERE, "browser");
const PACKAGE_FILE = resolve(HERE, "..", "dist", "lifeline-ws.mjs");

/** The faults `fault()` and `POST /fault/<name>` take. */
export const FAULTS = Object.freeze(["drop", "kill", "mute", "unmute", "refuse", "resume"]);
/** The close codes `drop` goes through in turn, and the reasons sent with them. */
export const DROP_CODES = Object.freeze([
  [1000, "normal closure"],
  [1001, "going away"],
  [1011, "internal error"],
  [4000, "application code 4000"],
]);
export const KILL_RESTART_MS = 1500;
export const MUTE_MS = 8000;
export const REFUSE_MS = 4000;

/**
 * The schedule, in a loop: the first fault starts FIRST_FAULT_MS after start; each next one
 * `after` ms once the one before is over (the killed server listening again, the mute or the
 * refusal ended). Every kind of fault comes within the first 30 s (the mute at ~12 s); one
 * round takes ~33 s.
 */
export const FIRST_FAULT_MS = 2000;
export const SCHEDULE = Object.freeze([
  { name: "drop", after: 2500 }, // 1000
  { name: "drop", after: 2500 }, // 1001
  // The client is back within a backoff delay (<= 2 s) of the restart: mute after that.
  { name: "kill", after: 3500 },
  { name: "mute", after: 4000 }, // reconnecting after unmute: a handshake timeout + a delay
  { name: "refuse", after: 2500 },
  { name: "drop", after: 2500 }, // 1011
  { name: "drop", after: 2500 }, // 4000
]);

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** "t+ 12.345s", measured from `t0` (a performance.now() time). */
export function formatTime(t0, t = performance.now()) {
  return `t+${((t - t0) / 1000).toFixed(3).padStart(7)}s`;
}

/** One timeline line: time, who, what, details — the layout of the demo's output. */
export function timelineLine(t0, who, what, detail = "") {
  return `${formatTime(t0)}  ${who.padEnd(6)}  ${what.padEnd(12)} ${detail}`.trimEnd();
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Start the demo's servers. Options: `httpPort` (0: any free port), `schedule` (run the fault
 * schedule), `log` (one string per line, each starting with the time), `t0` (the
 * performance.now() time the log's "t+" counts from; default: now).
 * Returns { httpUrl, wsUrl, fault(name), stop(), counters, status(), stopFaults(), events }:
 *   counters    live counts: faults by name, restarts, server-side connections/disconnects
 *   status()    { up, pid, muted, refused, schedule } — what the server is doing right now
 *   stopFaults() stops the schedule and ends every fault in progress (unmute, resume, restart
 *               now); resolves once the server is healthy
 *   events      an EventEmitter: "fault" ({ name, at, code?, source }) when a fault starts,
 *               "healthy" when none is in progress any more
 */
export async function startDemo({ httpPort = 0, schedule = true, log = console.log, t0 = performance.now() } = {}) {
  const events = new EventEmitter();
  const counters = {
    faults: { drop: 0, kill: 0, mute: 0, refuse: 0 },
    restarts: 0,
    serverConnections: 0,
    serverDisconnects: 0,
  };
  const state = {
    child: null,
    port: 0,
    down: false, // killed (or crashed), a restart pending
    restartTimer: null,
    restarting: null, // the promise of a spawn under way
    muted: false,
    muteTimer: null,
    refused: false,
    refuseTimer: null,
    drops: 0,
    stopping: false,
    schedule: false,
    scheduleTimer: null,
    scheduleWake: null,
  };
  const say = (what, detail) => {
    try {
      log(timelineLine(t0, "server", what, detail));
    } catch {
      // a broken log must not break the server
    }
  };
  const healthy = () => !state.down && !state.muted && !state.refused;
  const changed = () => {
    if (healthy()) events.emit("healthy");
  };

  // ---- the fault server, a child process ----

  function adopt(child) {
    state.child = child;
    state.port = child.port;
    child.events.on("connection", () => {
      counters.serverConnections += 1;
    });
    child.events.on("disconnect", () => {
      counters.serverDisconnects += 1;
    });
    child.exited.then(({ code, signal }) => {
      if (state.child !== child || state.stopping || child.killedOnPurpose) return;
      state.child = null;
      state.down = true;
      if (code === 0 || signal === "SIGINT" || signal === "SIGTERM") {
        // Stopped by a signal (Ctrl-C reaches it too): it stopped on purpose, leave it.
        say("stopped", `server process ${child.pid} stopped by itself (a Ctrl-C reaches it too); not restarting`);
        return;
      }
      say("crashed", `server process ${child.pid} exited (${signal ?? `code ${code}`}); restarting in 1 s`);
      scheduleRestart(1000);
    });
  }

  async function spawnOnPort(port) {
    for (let i = 0; ; i++) {
      try {
        return await spawnServer({ port, mode: "echo,pong" });
      } catch (err) {
        // The port of a killed process can take a moment to be free again.
        if (i >= 20 || !/EADDRINUSE/.test(err.message)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  function scheduleRestart(delay) {
    clearTimeout(state.restartTimer);
    state.restartTimer = setTimeout(() => {
      state.restartTimer = null;
      restart().catch((err) => say("error", `restart failed: ${err.message}`));
    }, delay);
  }

  function restart() {
    state.restarting ??= (async () => {
      try {
        const child = await spawnOnPort(state.port);
        if (state.stopping) {
          await child.stop();
          return;
        }
        adopt(child);
        counters.restarts += 1;
        if (state.refused) await child.refuse();
        state.down = false;
        say("restarted", `new server process ${child.pid} listening on ${HOST}:${child.port}`);
        changed();
      } finally {
        state.restarting = null;
      }
    })();
    return state.restarting;
  }

  const first = await spawnServer({ port: 0, mode: "echo,pong" });
  adopt(first);
  let proxy;
  let http;
  try {
    proxy = await startProxy({ port: first.port });
    http = createServer((req, res) => handle(req, res));
    await new Promise((resolve, reject) => {
      http.once("error", reject);
      http.listen({ port: httpPort, host: HOST }, () => {
        http.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    state.stopping = true;
    await proxy?.stop();
    await first.stop();
    throw err;
  }
  const httpUrl = `http://${HOST}:${http.address().port}`;
  const wsUrl = proxy.url("/");

  // ---- faults ----

  const started = (name, source, extra = {}) => {
    if (name in counters.faults) counters.faults[name] += 1;
    events.emit("fault", { name, at: performance.now(), source, ...extra });
  };
  const by = (source) => (source === "schedule" ? "" : ` [${source}]`);

  function unmute(source) {
    clearTimeout(state.muteTimer);
    state.muteTimer = null;
    if (!state.muted) return false;
    state.muted = false;
    proxy.unmute();
    say("unmute", `the proxy forwards again${by(source)}`);
    changed();
    return true;
  }

  async function resume(source) {
    clearTimeout(state.refuseTimer);
    state.refuseTimer = null;
    if (!state.refused) return false;
    state.refused = false;
    if (state.child && !state.down) await state.child.resume();
    say("resume", `the server listens again${by(source)}`);
    changed();
    return true;
  }

  async function fault(name, { source = "api" } = {}) {
    if (!FAULTS.includes(name)) {
      throw new HttpError(400, `unknown fault ${JSON.stringify(String(name))}: use one of ${FAULTS.join(", ")}`);
    }
    if (state.stopping) throw new HttpError(503, "the demo is stopping");
    switch (name) {
      case "drop": {
        const [code, reason] = DROP_CODES[state.drops++ % DROP_CODES.length];
        started("drop", source, { code });
        if (!state.child || state.down) {
          say("drop", `close code ${code}: the server is down, nothing to drop${by(source)}`);
          break;
        }
        say("drop", `close every connection with ${code} "${reason}"${by(source)}`);
        state.child.closeAll(code, `demo: ${reason}`).catch(() => {});
        break;
      }
      case "kill": {
        if (!state.child || state.down) {
          say("kill", `the server is down already${by(source)}`);
          break;
        }
        started("kill", source);
        const child = state.child;
        child.killedOnPurpose = true;
        state.down = true;
        say("kill", `SIGKILL server process ${child.pid}; a new one in ${KILL_RESTART_MS / 1000} s${by(source)}`);
        await child.kill("SIGKILL");
        if (!state.stopping) scheduleRestart(KILL_RESTART_MS);
        break;
      }
      case "mute": {
        if (state.muted) {
          say("mute", `muted already${by(source)}`);
          break;
        }
        started("mute", source);
        state.muted = true;
        proxy.mute();
        say("mute", `half-open for ${MUTE_MS / 1000} s: connections stay up, nothing gets through${by(source)}`);
        state.muteTimer = setTimeout(() => unmute("schedule"), MUTE_MS);
        break;
      }
      case "unmute":
        if (!unmute(source)) say("unmute", `not muted${by(source)}`);
        break;
      case "refuse": {
        if (state.refused) {
          say("refuse", `refusing already${by(source)}`);
          break;
        }
        started("refuse", source);
        state.refused = true;
        say("refuse", `stop listening for ${REFUSE_MS / 1000} s: connections dropped, new ones turned away${by(source)}`);
        state.refuseTimer = setTimeout(() => {
          resume("schedule").catch((err) => say("error", `resume failed: ${err.message}`));
        }, REFUSE_MS);
        if (state.child && !state.down) await state.child.refuse();
        break;
      }
      case "resume":
        if (!(await resume(source))) say("resume", `not refusing${by(source)}`);
        break;
    }
    return { ok: true, fault: name };
  }

  // ---- the schedule ----

  function pause(ms) {
    return new Promise((resolve) => {
      state.scheduleWake = resolve;
      state.scheduleTimer = setTimeout(resolve, ms);
    });
  }

  function whenHealthy() {
    return new Promise((resolve) => {
      if (healthy() || !state.schedule) return resolve();
      const done = () => {
        events.off("healthy", done);
        events.off("unschedule", done);
        resolve();
      };
      events.on("healthy", done);
      events.on("unschedule", done);
    });
  }

  async function runSchedule() {
    state.schedule = true;
    await pause(FIRST_FAULT_MS);
    for (let i = 0; state.schedule; i = (i + 1) % SCHEDULE.length) {
      await fault(SCHEDULE[i].name, { source: "schedule" }).catch((err) => say("error", err.message));
      await whenHealthy();
      if (!state.schedule) break;
      await pause(SCHEDULE[i].after);
    }
  }

  function unschedule() {
    state.schedule = false;
    clearTimeout(state.scheduleTimer);
    state.scheduleWake?.();
    events.emit("unschedule");
  }

  async function stopFaults() {
    const wasScheduled = state.schedule;
    unschedule();
    unmute("stop");
    await resume("stop");
    if (state.down && !state.stopping) {
      clearTimeout(state.restartTimer);
      state.restartTimer = null;
      await restart();
    }
    if (wasScheduled) say("calm", "fault schedule stopped");
  }

  if (schedule) runSchedule().catch((err) => say("error", `schedule: ${err.message}`));

  // ---- HTTP ----

  function send(res, status, type, body) {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  }
  const json = (res, status, value) => send(res, status, "application/json; charset=utf-8", JSON.stringify(value) + "\n");

  async function serveFile(res, file, method) {
    let info;
    try {
      info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
    } catch {
      return false;
    }
    if (!info.isFile()) return false;
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    send(res, 200, type, method === "HEAD" ? undefined : await readFile(file));
    return true;
  }

  async function handle(req, res) {
    try {
      const path = new URL(req.url, "http://x").pathname;
      const method = req.method;
      const fault_ = /^\/fault\/([^/]*)$/.exec(path);
      if (fault_) {
        if (method !== "POST") throw new HttpError(405, "use POST /fault/<name>");
        let name;
        try {
          name = decodeURIComponent(fault_[1]);
        } catch {
          throw new HttpError(400, "bad fault name");
        }
        return json(res, 200, await fault(name, { source: "POST /fault" }));
      }
      if (method !== "GET" && method !== "HEAD") throw new HttpError(405, `${method} is not supported here`);
      if (path === "/config") return json(res, 200, { wsUrl });
      if (path === "/status") return json(res, 200, { server: status(), counters });
      if (path === "/dist/lifeline-ws.mjs") {
        if (await serveFile(res, PACKAGE_FILE, method)) return;
        throw new HttpError(404, "dist/lifeline-ws.mjs is missing: run npm run build");
      }
      let rel;
      try {
        rel = decodeURIComponent(path);
      } catch {
        throw new HttpError(400, "bad path");
      }
      const file = resolve(BROWSER_DIR, "." + (rel === "/" ? "/index.html" : rel));
      // Only files inside examples/browser/: no "..", no absolute paths, no NUL.
      if (rel.includes("\0") || (file !== BROWSER_DIR && !file.startsWith(BROWSER_DIR + sep))) {
        throw new HttpError(404, "not found");
      }
      if (await serveFile(res, file, method)) return;
      throw new HttpError(404, `not found: ${path}`);
    } catch (err) {
      const status = err.status ?? 500;
      if (!res.headersSent) json(res, status, { ok: false, error: err.message });
      else res.destroy();
    }
  }

  function status() {
    return {
      up: !!state.child && !state.down,
      pid: state.child?.pid ?? null,
      muted: state.muted,
      refused: state.refused,
      schedule: state.schedule,
    };
  }

  // ---- stop ----

  let stopping = null;
  function stop() {
    stopping ??= (async () => {
      state.stopping = true;
      unschedule();
      clearTimeout(state.restartTimer);
      clearTimeout(state.muteTimer);
      clearTimeout(state.refuseTimer);
      const httpClosed = new Promise((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await Promise.all([httpClosed, proxy.stop(), state.restarting?.catch(() => {})]);
      await state.child?.stop();
    })();
    return stopping;
  }

  return { httpUrl, wsUrl, fault: (name) => fault(name), stop, counters, status, stopFaults, events };
}

// ---- run alone ----

async function main() {
  const args = process.argv.slice(2);
  const portAt = args.indexOf("--http-port");
  const httpPort = portAt >= 0 ? Number(args[portAt + 1]) : 0;
  const demo = await startDemo({ httpPort, schedule: !args.includes("--no-schedule") });
  console.log(`status page: ${demo.httpUrl}`);
  console.log(`websocket:   ${demo.wsUrl}`);
  console.log(`faults:      curl -X POST ${demo.httpUrl}/fault/<${FAULTS.join("|")}>`);
  const onSignal = async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await demo.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
