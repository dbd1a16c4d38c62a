// The shared cases (tests/cases/cases.json, format in tests/cases/README.md) against the npm
// package's JS driver: the packed package in Node, the `ws` package's WebSocket, one
// tests/support/server.mjs server per case. The Rust API runs the same cases in
// tests/rust_api/cases.rs.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { startServer } from "../support/server.mjs";
import { guardResources, loadLifeline, WS } from "../support/client.mjs";
import { ms, sleep } from "../support/helpers.mjs";

const DATA = JSON.parse(readFileSync(new URL("../cases/cases.json", import.meta.url), "utf8"));
const RUNNER = "js";
const ALL_EVENTS = ["open", "message", "close", "error", "reconnect", "reconnecting", "giveup", "heartbeat", "statechange", "drop"];

guardResources("cases.test.mjs");

// ---- The one place where the package's events become the cases' events. ----

const EVENTS = {
  open: () => ({ event: "open" }),
  reconnect: (e) => ({ event: "reconnect", attempt: e.attempt, downtimeMs: e.downtimeMs }),
  reconnecting: (e) => ({ event: "reconnecting", attempt: e.attempt, delayMs: e.delayMs }),
  message: (e) => ({ event: "message", data: typeof e.data == "string" ? e.data : { binary: Buffer.from(e.data).toString("base64") } }),
  close: (e) => ({
    event: "close",
    code: e.code,
    reason: e.reason,
    wasClean: e.wasClean,
    willReconnect: e.willReconnect,
    delayMs: e.delayMs,
  }),
  error: (e) => ({ event: "error", cause: e.cause }),
  giveup: (e) => ({ event: "giveup", attempts: e.attempts }),
  heartbeat: (e) => ({ event: "heartbeat", rttMs: e.rttMs }),
  statechange: (e) => ({ event: "statechange", state: e.state }),
  drop: (e) => ({ event: "drop", data: e.data }),
};
/** The `shouldReconnect` callback's argument, recorded among the events. */
const asked = (e) => ({ event: "shouldReconnect", code: e.code, reason: e.reason, wasClean: e.wasClean });
/** How send() refuses, by the cases' names. */
const REFUSALS = { closed: "InvalidStateError", "queue-full": "QuotaExceededError" };

// ---- The cases' options as the package's options. ----

function mergeOptions(defaults, options) {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(options ?? {})) {
    out[k] = v && typeof v == "object" && !Array.isArray(v) && out[k] ? { ...out[k], ...v } : v;
  }
  return out;
}

function packageOptions(options, log) {
  const out = { ...options, WebSocket: WS };
  if (options.shouldReconnect) {
    const no = options.shouldReconnect.noFor ?? [];
    out.shouldReconnect = (e) => {
      log.push(asked(e));
      return !no.includes(e.code);
    };
  }
  return out;
}

// ---- The cases' server steps on tests/support/server.mjs. ----

async function serverStep(srv, step) {
  switch (step.server) {
    case "set":
      srv.set(Object.fromEntries(Object.entries(step.settings).map(([k, v]) => [k, v ?? Infinity])));
      return;
    case "close":
      return srv.closeAll(step.code, step.reason ?? "");
    case "terminate":
      return srv.terminateAll();
    case "closeAndStall":
      return srv.stallCloseAll(step.code, step.reason ?? "");
    case "refuse":
      return srv.refuse();
    case "accept":
      return srv.resume();
    default:
      throw new Error(`unknown server step ${JSON.stringify(step)}`);
  }
}

// ---- Matching ----

/** Whether `event` has every field of `want` (`construction` is the runners' business). */
function matches(event, want) {
  for (const [k, v] of Object.entries(want)) {
    if (k === "construction") continue;
    if (!isDeepStrictEqual(event[k], v)) return false;
  }
  return true;
}

const show = (log) => log.map((e) => JSON.stringify(e)).join("\n  ");

/** Resolve with the index of the first event at or after `from` matching `want`. */
function waitFor(log, from, want, timeout) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const i = log.findIndex((e, j) => j >= from && matches(e, want));
      if (i < 0) return false;
      done();
      resolve(i);
      return true;
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${JSON.stringify(want)} within ${timeout} ms; events:\n  ${show(log)}`));
    }, timeout);
    const done = () => {
      clearTimeout(timer);
      log.waiters.delete(check);
    };
    if (!check()) log.waiters.add(check);
  });
}

// ---- The runner ----

async function runCase(c) {
  const { LifelineSocket } = await loadLifeline();
  const log = [];
  log.waiters = new Set();
  const record = (event) => {
    log.push(event);
    for (const w of [...log.waiters]) w();
  };
  const srv = await startServer({ ...DATA.defaultServer, ...(c.server ?? {}), handshakeDelayCount: c.server?.handshakeDelayCount ?? Infinity });
  const options = mergeOptions(DATA.defaultOptions, c.options);
  let sock;
  try {
    sock = new LifelineSocket(srv.url(`/case/${c.id}`), undefined, packageOptions(options, { push: record }));
    for (const type of c.listen ?? ALL_EVENTS) {
      const map = EVENTS[type];
      if (!map) throw new Error(`unknown event ${type} in listen`);
      sock.addEventListener(type, (e) => record(map(e)));
    }
    let cursor = 0;
    for (const step of c.steps) {
      if (step.wait) {
        cursor = (await waitFor(log, cursor, step.wait, ms(step.timeout ?? DATA.defaultTimeout))) + 1;
      } else if (step.client === "send") {
        for (const data of [step.data].flat()) {
          if (step.refused) {
            assert.throws(() => sock.send(data), { name: REFUSALS[step.refused] }, `send(${data}) refused`);
          } else sock.send(data);
        }
      } else if (step.client === "close") {
        if (step.code === undefined) sock.close();
        else sock.close(step.code, step.reason ?? "");
      } else if (step.client === "reconnect") {
        sock.reconnect();
      } else if (step.server) {
        await serverStep(srv, step);
      } else if (step.quiet !== undefined) {
        await sleep(step.quiet);
      } else if (step.check) {
        const { state, queued, serverReceived, serverConnections, ...rest } = step.check;
        assert.deepEqual(rest, {}, "unknown checks");
        if (state !== undefined) assert.equal(sock.state, state, "state");
        if (queued !== undefined) assert.equal(sock.stats.queued, queued, "stats.queued");
        if (serverReceived !== undefined) assert.deepEqual(srv.messages, serverReceived, "what the server received");
        if (serverConnections !== undefined) assert.equal(srv.connections, serverConnections, "server connections");
      } else throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
    if (process.env.LIFELINE_CASES_DEBUG) console.log(`${c.id}:\n  ${show(log)}`);
    const ignore = c.ignore ?? [];
    const seen = log.filter((e) => !ignore.includes(e.event));
    const ok = seen.length === c.expect.length && c.expect.every((want, i) => matches(seen[i], want));
    assert.ok(ok, `events differ from the expected ones.\nexpected:\n  ${show(c.expect)}\nseen:\n  ${show(seen)}`);
  } finally {
    if (sock && sock.state !== "closed") sock.close();
    await srv.stop();
  }
}

test("every case has an id, steps and expected events, and names a known runner to skip", () => {
  const ids = new Set();
  for (const c of DATA.cases) {
    assert.ok(c.id && !ids.has(c.id), `case id ${c.id}`);
    ids.add(c.id);
    assert.ok(Array.isArray(c.steps) && Array.isArray(c.expect), c.id);
    for (const runner of Object.keys(c.skip ?? {})) assert.ok(["js", "rust", "rust-node", "rust-browser", "rust-chromium", "rust-firefox", "rust-webkit"].includes(runner), `${c.id}: skip ${runner}`);
  }
  for (const d of DATA.differences) assert.ok(ids.has(d.case), `difference names case ${d.case}`);
});

for (const c of DATA.cases) {
  test(c.id, { skip: c.skip?.[RUNNER] ?? false, timeout: ms(30000) }, () => runCase(c));
}
