// Event-awaiting helpers for the end-to-end tests: every wait has a timeout and says what it
// was waiting for when it gives up.

import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";

/** Scale for every timeout (LIFELINE_E2E_TIME_SCALE=2 on a slow machine). */
export const SCALE = Number(process.env.LIFELINE_E2E_TIME_SCALE || 1);
export const ms = (n) => Math.round(n * SCALE);

export const now = () => performance.now();

/** A plain delay: only for "nothing may happen during this time" checks. */
export function sleep(delay) {
  return new Promise((resolve) => setTimeout(resolve, delay));
}

/** Reject after `timeout` ms unless `promise` settles first. */
export function withTimeout(promise, timeout, label = "operation") {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms: ${label}`)), timeout);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Read an event field whether the facade puts it on the event or in `detail`. */
export function field(ev, name) {
  if (ev == null) return undefined;
  if (name in ev && ev[name] !== undefined) return ev[name];
  return ev.detail?.[name];
}

/**
 * Wait for one event of `type` on an EventTarget or EventEmitter (optionally matching
 * `filter`). Resolves with the event (EventEmitter: the first argument).
 */
export function waitForEvent(target, type, { timeout = ms(10000), filter = () => true, label } = {}) {
  return new Promise((resolve, reject) => {
    // An EventEmitter that also has addEventListener (the `ws` client) is used as an emitter.
    const isET = !(target instanceof EventEmitter) && typeof target.addEventListener === "function";
    const handler = (ev) => {
      let ok;
      try {
        ok = filter(ev);
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      if (ok) {
        cleanup();
        resolve(ev);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeout} ms waiting for event "${type}"${label ? ` (${label})` : ""}`));
    }, timeout);
    const cleanup = () => {
      clearTimeout(timer);
      if (isET) target.removeEventListener(type, handler);
      else target.off(type, handler);
    };
    if (isET) target.addEventListener(type, handler);
    else target.on(type, handler);
  });
}

/**
 * Watch for an event of `type` during `delay` ms: resolves with the first one seen, or null
 * when none came (for "nothing may happen" checks). Leaves no listener or timer behind.
 */
export function eventWithin(target, type, delay, { filter } = {}) {
  return waitForEvent(target, type, { timeout: delay, filter }).catch((err) => {
    if (/^timed out/.test(err.message)) return null;
    throw err;
  });
}

export const SOCKET_EVENTS = [
  "open",
  "reconnect",
  "reconnecting",
  "close",
  "error",
  "message",
  "giveup",
  "heartbeat",
  "statechange",
  "drop",
];

/**
 * Records every event of a LifelineSocket in order: { type, t (performance.now()), ev }.
 * `waitFor(type, n)` resolves once at least n events of that type were seen.
 */
export class EventRecorder {
  constructor(socket, types = SOCKET_EVENTS) {
    this.socket = socket;
    this.log = [];
    this._waiters = new Set();
    this._handlers = types.map((type) => {
      const h = (ev) => {
        this.log.push({ type, t: now(), ev });
        for (const w of [...this._waiters]) w();
      };
      socket.addEventListener(type, h);
      return [type, h];
    });
  }

  events(type) {
    return this.log.filter((e) => e.type === type).map((e) => e.ev);
  }

  entries(type) {
    return this.log.filter((e) => e.type === type);
  }

  count(type) {
    let n = 0;
    for (const e of this.log) if (e.type === type) n++;
    return n;
  }

  /** The order of event types seen, ignoring the given noisy types. */
  sequence(ignore = ["statechange", "message", "heartbeat", "reconnecting"]) {
    return this.log.filter((e) => !ignore.includes(e.type)).map((e) => e.type);
  }

  /** Resolve with the n-th (1-based) event of `type` once it has been seen. */
  waitFor(type, n = 1, { timeout = ms(10000), label } = {}) {
    return this.until(() => this.count(type) >= n, {
      timeout,
      label: label ?? `event "${type}" #${n}`,
    }).then(() => this.events(type)[n - 1]);
  }

  /** Resolve when predicate() holds (checked now and after every recorded event). */
  until(predicate, { timeout = ms(10000), label = "condition" } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let ok;
        try {
          ok = predicate();
        } catch (err) {
          done();
          reject(err);
          return;
        }
        if (ok) {
          done();
          resolve(ok);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out after ${timeout} ms waiting for ${label}; events so far: ${this.describe()}`),
        );
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        this._waiters.delete(check);
      };
      this._waiters.add(check);
      check();
    });
  }

  describe(ignore = ["message", "heartbeat"]) {
    return (
      this.log
        .filter((e) => !ignore.includes(e.type))
        .map((e) => {
          const ev = e.ev;
          if (e.type === "close") return `close(${field(ev, "code")})`;
          if (e.type === "statechange") return `state:${field(ev, "state") ?? "?"}`;
          if (e.type === "reconnect") return `reconnect(#${field(ev, "attempt")})`;
          if (e.type === "reconnecting") return `reconnecting(#${field(ev, "attempt")},${field(ev, "delayMs")}ms)`;
          return e.type;
        })
        .join(" ") || "(none)"
    );
  }

  dispose() {
    for (const [type, h] of this._handlers) this.socket.removeEventListener(type, h);
    this._handlers = [];
    this._waiters.clear();
  }
}

/**
 * Run `node <args>` and wait for it to exit on its own within `timeout` ms (on timeout it is
 * killed and the promise rejects). Resolves with { code, signal, stdout, stderr, ms, exitedAt }
 * (exitedAt: Date.now() when it exited). `onLine(line, child)` sees each stdout line as it comes.
 */
export function runNode(args, { cwd, timeout = ms(15000), env = process.env, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
      if (!onLine) return;
      partial += d;
      const lines = partial.split("\n");
      partial = lines.pop();
      for (const line of lines) onLine(line, child);
    });
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeout);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const elapsed = Math.round(now() - t0);
      const exitedAt = Date.now();
      if (timedOut) {
        reject(
          new Error(
            `node ${args.join(" ")} did not exit by itself within ${timeout} ms (killed)\n` +
              `stdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      } else resolve({ code, signal, stdout, stderr, ms: elapsed, exitedAt });
    });
  });
}

// ---------------------------------------------------------------------------------------
// Leak check: what the process still holds after a test file cleaned up.

const IGNORED_RESOURCES = new Set(["TTYWrap", "PipeWrap", "FSReqCallback", "FSReqPromise", "ProcessWrap", "SignalWrap"]);

function resourceCounts() {
  const counts = new Map();
  for (const r of process.getActiveResourcesInfo()) {
    if (IGNORED_RESOURCES.has(r)) continue;
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return counts;
}

/** Take a baseline of active resources (timers, sockets, servers) at the start of a file. */
export function resourceBaseline() {
  return resourceCounts();
}

/**
 * Wait (up to `timeout` ms, polling: there is no event for "a handle went away") until the
 * process holds no more timers/sockets/servers than at `baseline`; throw naming the extras.
 */
export async function assertNoLeakedResources(baseline, { timeout = ms(5000), label = "" } = {}) {
  const deadline = now() + timeout;
  let extra = [];
  for (;;) {
    extra = [];
    for (const [r, n] of resourceCounts()) {
      const more = n - (baseline.get(r) ?? 0);
      if (more > 0) extra.push(`${r} x${more}`);
    }
    if (extra.length === 0) return;
    if (now() > deadline) break;
    await sleep(50);
  }
  throw new Error(`resources still held ${timeout} ms after cleanup${label ? ` (${label})` : ""}: ${extra.join(", ")}`);
}
