// The Node half of `npm run demo`: starts the misbehaving demo server (../demo-server.mjs),
// connects a LifelineSocket to it and prints what the client lives through, one line per
// event, with times.
//
//   node examples/node/demo.mjs                     until Ctrl-C, then a summary
//   node examples/node/demo.mjs --duration 30       30 s of faults, a drain, a summary; exit 0
//                                                   when no message was lost, else 1
//   node examples/node/demo.mjs --http-port 8080    where the status page is served
//
// It imports the package as built in dist/ (npm run build; npm run demo builds it first).
// The client sends a numbered message every 250 ms whatever its state: while it is down
// they wait in the client's queue and go out on reconnect. The server echoes them. A message
// that went out on a connection that then died unanswered is sent again after `reconnect`,
// and the echoes are counted once per number: at the end every number must have come back.

import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { FAULTS, FIRST_FAULT_MS, KILL_RESTART_MS, MUTE_MS, REFUSE_MS, startDemo, timelineLine } from "../demo-server.mjs";

const HEARTBEAT = { interval: 1000, timeout: 1000 };
const BACKOFF = { initialDelay: 200, maxDelay: 2000 };
const CONNECTION_TIMEOUT = 2000; // a handshake through the muted proxy hangs: cut it
const SEND_EVERY_MS = 250;
const HEARTBEAT_PRINT_EVERY = 5; // print one heartbeat line in this many
const DRAIN_MS = 10000; // bounded run: how long the final drain may take at most
const SIGNAL_DRAIN_MS = 1000; // Ctrl-C: how long to wait for answers in flight
const DEFAULT_HTTP_PORT = 8080; // or any free port when it is taken

const USAGE = `usage: node examples/node/demo.mjs [--duration <seconds>] [--http-port <port>]
  (or: npm run demo -- --duration <seconds>)
  --duration N    run N seconds of faults, drain, print a summary and exit (0: no message lost)
                  without it: run until Ctrl-C
  --http-port P   serve the status page on 127.0.0.1:P (default ${DEFAULT_HTTP_PORT}, or any free port)`;

function parseArgs(argv) {
  const opts = { duration: null, httpPort: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${name} needs a value`);
      return v;
    };
    if (name === "--duration") {
      opts.duration = Number(value());
      if (!(opts.duration > 0) || !Number.isFinite(opts.duration)) fail("--duration must be a number of seconds > 0");
    } else if (name === "--http-port") {
      opts.httpPort = Number(value());
      if (!Number.isInteger(opts.httpPort) || opts.httpPort < 0 || opts.httpPort > 65535)
        fail("--http-port must be a port number (0: any free port)");
    } else if (name === "--help" || name === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  return opts;
}

function fail(message) {
  console.error(`demo: ${message}\n${USAGE}`);
  process.exit(2);
}

// ---- output ----

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const color = { server: paint(33), bad: paint(31), good: paint(32), dim: paint(2), bold: paint(1) };

const ms = (n) => `${Math.round(n)} ms`;
const round1 = (n) => Math.round(n * 10) / 10;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const CODE_NAMES = { 1005: "no code", 1006: "no close frame: connection lost" };
const secs = (n) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : ms(n));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const print = (line) => process.stdout.write(line + "\n");
  const event = (what, detail, paintWith = (s) => s) => print(paintWith(timelineLine(t0, "client", what, detail)));

  let LifelineSocket;
  try {
    ({ LifelineSocket } = await import("../../dist/lifeline-ws.mjs"));
  } catch (err) {
    console.error(`demo: cannot load dist/lifeline-ws.mjs (${err.code ?? err.message}): build it with \`npm run build\`, or run \`npm run demo\``);
    process.exitCode = 1;
    return;
  }

  // ---- the server ----

  const serverLog = (line) => print(color.server(line));
  let demo;
  const wanted = opts.httpPort ?? DEFAULT_HTTP_PORT;
  try {
    demo = await startDemo({ httpPort: wanted, schedule: true, log: serverLog, t0 });
  } catch (err) {
    if (err.code !== "EADDRINUSE") throw err;
    if (opts.httpPort !== null) {
      console.error(`demo: port ${wanted} is taken: choose another with --http-port <port> (0: any free port)`);
      process.exitCode = 1;
      return;
    }
    demo = await startDemo({ httpPort: 0, schedule: true, log: serverLog, t0 });
  }
  cleanups.push(() => demo.stop());
  print(color.bold(`status page: ${demo.httpUrl}`));
  print(
    [
      `lifeline-ws demo: a Node client (examples/node/demo.mjs) against a server that misbehaves on a schedule`,
      `  server   ${demo.wsUrl}  (server process ${demo.status().pid}: echo, "ping" → "pong"; behind a TCP proxy`,
      `           that can go half-open)`,
      `  faults   drop 1000 → drop 1001 → kill + restart after ${KILL_RESTART_MS / 1000} s → mute ${MUTE_MS / 1000} s → refuse ${REFUSE_MS / 1000} s → drop 1011 → drop 4000 → again`,
      `           by hand: curl -X POST ${demo.httpUrl}/fault/<${FAULTS.join("|")}>`,
      `  client   heartbeat every ${HEARTBEAT.interval / 1000} s, pong timeout ${HEARTBEAT.timeout / 1000} s (one heartbeat line in ${HEARTBEAT_PRINT_EVERY} is shown)`,
      `           backoff with jitter below ${BACKOFF.initialDelay} ms × 2^(attempt−1), at most ${BACKOFF.maxDelay / 1000} s; attempts count on`,
      `           until a connection stays up 5 s; a handshake is cut after ${CONNECTION_TIMEOUT / 1000} s`,
      `           sends "msg <n>" every ${SEND_EVERY_MS} ms, also while down (queued); the server echoes it`,
      opts.duration
        ? `  runs     ${opts.duration} s, then the faults stop, the last messages drain, and a summary`
        : `  runs     until Ctrl-C, then a summary`,
      "",
    ].join("\n"),
  );

  // What the server did, for detection times.
  let lastMuteAt = null;
  demo.events.on("fault", (f) => {
    if (f.name === "mute") lastMuteAt = f.at;
  });

  // ---- the client ----

  const sock = new LifelineSocket(demo.wsUrl, undefined, {
    WebSocket,
    heartbeat: HEARTBEAT,
    backoff: BACKOFF,
    connectionTimeout: CONNECTION_TIMEOUT,
  });
  cleanups.unshift(() => sock.close());

  const s = {
    connections: 0,
    reconnects: 0,
    longestDowntime: 0,
    detections: [], // ms from the start of a mute to the client dropping the dead socket
    heartbeats: 0,
    rtts: [],
    sent: 0,
    resent: 0,
    duplicates: 0,
    flushed: 0,
    queuedBefore: 0, // stats.queued last seen while not open
  };
  const pending = new Map(); // n -> connection it went out on (0: waiting in the queue)
  const received = new Set();
  const send = (n) => sock.send(`msg ${n}`);

  sock.addEventListener("open", () => {
    s.connections += 1;
    event("open", `connected to ${sock.url} (connection ${s.connections})`, color.good);
    onConnected();
  });
  sock.addEventListener("reconnect", (e) => {
    s.connections += 1;
    s.reconnects += 1;
    s.longestDowntime = Math.max(s.longestDowntime, e.downtimeMs);
    event("reconnect", `attempt ${e.attempt}, down for ${secs(e.downtimeMs)} (connection ${s.connections})`, color.good);
    onConnected();
  });
  // Queued messages went out with the open; what went out on a connection that died
  // unanswered is sent again on this one.
  function onConnected() {
    lastMuteAt = null; // a mute that began before this connection is not this one's to detect
    let flushed = 0;
    let resent = 0;
    for (const [n, conn] of pending) {
      if (conn === 0) flushed += 1;
      else if (conn < s.connections) {
        send(n);
        resent += 1;
      } else continue;
      pending.set(n, s.connections);
    }
    s.flushed += flushed;
    s.resent += resent;
    const queuedNow = sock.stats.queued;
    if (flushed || resent || s.queuedBefore) {
      const parts = [];
      if (flushed || s.queuedBefore)
        parts.push(`${plural(flushed, "message")} queued while down went out (stats.queued ${s.queuedBefore} → ${queuedNow})`);
      if (resent) parts.push(`${resent} unanswered on the lost connection sent again`);
      event("flushed", parts.join("; "));
    }
    s.queuedBefore = queuedNow;
  }
  sock.addEventListener("close", (e) => {
    const why = e.reason ? ` "${e.reason}"` : CODE_NAMES[e.code] ? ` (${CODE_NAMES[e.code]})` : "";
    const next = e.willReconnect ? (e.delayMs == null ? "→ waiting" : `→ next attempt in ${ms(e.delayMs)}`) : "→ closed for good";
    const unanswered = [...pending.values()].filter((c) => c !== 0).length;
    event("close", `${e.code}${why}, ${e.wasClean ? "clean" : "not clean"} ${next}${unanswered ? ` (${unanswered} unanswered)` : ""}`, color.bad);
    if (/heartbeat/i.test(e.reason)) {
      const at = performance.now();
      const since = lastMuteAt != null ? at - lastMuteAt : null;
      if (since != null) {
        s.detections.push(Math.round(since));
        lastMuteAt = null;
      }
      event(
        "dead",
        `dead connection detected: no pong within ${HEARTBEAT.timeout} ms` +
          (since != null ? `, ${ms(since)} after the mute began (bound ${HEARTBEAT.interval + HEARTBEAT.timeout} ms)` : ""),
        color.bad,
      );
    }
  });
  sock.addEventListener("reconnecting", (e) => {
    event("reconnecting", `attempt ${e.attempt} in ${ms(e.delayMs)}`);
  });
  sock.addEventListener("error", (e) => {
    const detail =
      e.cause === "connection-timeout"
        ? `handshake took longer than ${CONNECTION_TIMEOUT} ms: abandoned`
        : e.cause === "url"
          ? `URL: ${e.error?.message ?? e.error}`
          : `socket error${e.error?.message ? `: ${e.error.message}` : e.error?.error?.message ? `: ${e.error.error.message}` : ""}`;
    event("error", detail, color.dim);
  });
  sock.addEventListener("heartbeat", (e) => {
    s.heartbeats += 1;
    s.rtts.push(e.rttMs);
    if (s.heartbeats % HEARTBEAT_PRINT_EVERY === 1) {
      event(
        "heartbeat",
        `rtt ${round1(e.rttMs)} ms (#${s.heartbeats}) · messages: ${s.sent} sent, ${received.size} echoed`,
        color.dim,
      );
    }
  });
  sock.addEventListener("giveup", (e) => event("giveup", `after ${e.attempts} attempts`, color.bad));
  sock.addEventListener("message", (e) => {
    const m = /^msg (\d+)$/.exec(typeof e.data === "string" ? e.data : String(e.data));
    if (!m) return;
    const n = Number(m[1]);
    if (received.has(n)) s.duplicates += 1;
    else {
      received.add(n);
      pending.delete(n);
    }
  });

  // One numbered message every SEND_EVERY_MS, whatever the state.
  let next = 1;
  const sender = setInterval(() => {
    if (sock.state === "closed" || sock.state === "closing") return;
    const n = next++;
    const open = sock.state === "open";
    try {
      send(n);
    } catch (err) {
      event("error", `send ${n} refused: ${err.message}`, color.bad);
      return;
    }
    s.sent += 1;
    pending.set(n, open ? s.connections : 0);
    if (!open) s.queuedBefore = sock.stats.queued;
  }, SEND_EVERY_MS);
  cleanups.unshift(() => clearInterval(sender));

  // ---- the end: a duration, or a signal ----

  let interrupted = null;
  let onSignal;
  const ended = new Promise((resolve) => {
    let timer = null;
    if (opts.duration) timer = setTimeout(() => resolve("duration"), opts.duration * 1000);
    onSignal = (signal) => {
      if (interrupted) {
        console.error(`demo: ${signal} again: quitting now`);
        process.exit(130);
      }
      interrupted = signal;
      clearTimeout(timer);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });

  const why = await ended;
  const tFaultsEnd = performance.now();
  clearInterval(sender);
  let drainMs = 0;
  if (why === "duration") {
    print("");
    event(
      "drain",
      `${opts.duration} s are up: the faults stop` +
        (pending.size ? `; waiting for ${plural(pending.size, "unanswered message")}` : "; every message has been answered"),
    );
    await demo.stopFaults();
    await waitUntil(() => pending.size === 0 && sock.state === "open", DRAIN_MS);
  } else {
    print("");
    event("stop", `${why}: stopping (again to quit at once)`);
    // Answers in flight on an open connection arrive within milliseconds.
    if (sock.state === "open") await waitUntil(() => pending.size === 0, SIGNAL_DRAIN_MS);
  }
  drainMs = performance.now() - tFaultsEnd;
  sock.close(1000, "demo over");
  await waitUntil(() => sock.state === "closed", 3000);
  await demo.stop();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (interrupted) {
    // A second Ctrl-C while the summary prints still quits at once.
    process.once("SIGINT", () => process.exit(130));
  }

  // ---- summary ----

  const lost = pending.size;
  const rtts = [...s.rtts].sort((a, b) => a - b);
  const median = rtts.length ? rtts[Math.floor(rtts.length / 2)] : null;
  const row = (name, value) => print(`  ${name.padEnd(18)} ${value}`);
  print("");
  print(
    color.bold(
      `summary: ${((tFaultsEnd - t0) / 1000).toFixed(1)} s ${why === "duration" ? "with faults" : `until ${why}`}, ` +
        `then ${(drainMs / 1000).toFixed(1)} s ${why === "duration" ? "drain" : "stopping"}`,
    ),
  );
  const f = demo.counters.faults;
  row("faults", `drop ${f.drop}, kill ${f.kill}, mute ${f.mute}, refuse ${f.refuse}`);
  row("connections", `${s.connections}`);
  row("reconnects", `${s.reconnects}`);
  row("longest downtime", `${Math.round(s.longestDowntime)} ms`);
  row(
    "detection times",
    s.detections.length
      ? `${s.detections.map((d) => `${d} ms`).join(", ")}  (mute → dead connection dropped; bound interval + timeout = ${HEARTBEAT.interval + HEARTBEAT.timeout} ms)`
      : "none (no mute while connected in this run)",
  );
  row(
    "heartbeats",
    `${s.heartbeats} answered` + (median != null ? `, rtt median ${round1(median)} ms, max ${round1(rtts.at(-1))} ms` : ""),
  );
  row("messages sent", `${s.sent}  (${s.flushed} waited in the queue, ${s.resent} sent again after a lost connection)`);
  row("messages received", `${received.size}  (${s.duplicates} duplicate echoes ignored)`);
  const numbers = () => [...pending.keys()].slice(0, 10).join(", ") + (lost > 10 ? ", …" : "");
  if (why === "duration" || lost === 0) row("messages lost", `${lost}` + (lost ? `  (${numbers()})` : ""));
  else row("messages lost", `- (stopped while ${plural(lost, "message")} waited for the connection: ${numbers()})`);

  const problems = [];
  if (lost > 0) problems.push(`${lost} message(s) never came back`);
  if (why === "duration" && s.reconnects === 0)
    problems.push(`no reconnect happened (the first fault comes ${FIRST_FAULT_MS / 1000} s in)`);
  if (problems.length && why === "duration") {
    print(color.bad(`demo: FAILED: ${problems.join("; ")}`));
    process.exitCode = 1;
  } else if (problems.length) {
    print(`demo: stopped by ${why} during an outage (${plural(lost, "message")} not delivered yet)`);
  } else {
    print(color.good("demo: OK"));
  }
}

/** Poll `predicate` every 50 ms until it holds or `timeout` ms passed. */
function waitUntil(predicate, timeout) {
  return new Promise((resolve) => {
    const start = performance.now();
    const check = () => {
      if (predicate()) return resolve(true);
      if (performance.now() - start >= timeout) return resolve(false);
      setTimeout(check, 50);
    };
    check();
  });
}

// What to undo when something throws: the client, the servers (and the sender's timer).
const cleanups = [];

main().catch(async (err) => {
  console.error(`demo: FAILED: ${err.stack ?? err}`);
  process.exitCode = 1;
  for (const undo of cleanups) {
    try {
      await undo();
    } catch {
      // keep undoing the rest
    }
  }
});

