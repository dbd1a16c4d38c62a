// A small W3C WebDriver client over HTTP (Node's fetch), for the engines playwright-core
// cannot drive here: Firefox ESR (geckodriver) and WebKitGTK (WebKitWebDriver + MiniBrowser,
// under its own Xvfb). Chromium stays on playwright-core (tests/browser/browser.mjs).
//
//   const wd = await startWebDriver("firefox");   // or "webkit"
//   await wd.navigate("http://127.0.0.1:1234/page.html");
//   const title = await wd.execute("return document.title");
//   await wd.close();                              // always: session, driver, browser, Xvfb
//
// Everything is bounded: every HTTP request has a timeout, and so have the driver's start
// and the session's creation. Each driver runs in a process group of its own (the browser is
// its child); close() deletes the session, then sends SIGTERM and later SIGKILL to the whole
// group, and stops the Xvfb. If the test process exits without close() (a test that threw,
// SIGTERM, SIGINT), an exit handler kills every group still running.
//
// Where the programs are: LIFELINE_FIREFOX (default /usr/bin/firefox-esr), LIFELINE_GECKODRIVER
// (default ~/.cargo/bin/geckodriver, else geckodriver on PATH), LIFELINE_WEBKITDRIVER
// (/usr/bin/WebKitWebDriver), LIFELINE_MINIBROWSER (libwebkit2gtk-4.1's MiniBrowser).
// scripts/bootstrap.sh installs them all.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** Scale for every bound here (LIFELINE_E2E_TIME_SCALE=2 on a slow machine). */
const SCALE = Number(process.env.LIFELINE_E2E_TIME_SCALE || 1);
const limit = (n) => Math.round(n * SCALE);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function firstExisting(candidates) {
  return candidates.find((p) => p && fs.existsSync(p));
}

function onPath(name) {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return null;
}

/** The programs each WebDriver engine needs; `missing` names what is not installed. */
export function enginePrograms(engine) {
  if (engine === "firefox") {
    const firefox = process.env.LIFELINE_FIREFOX || "/usr/bin/firefox-esr";
    const driver =
      process.env.LIFELINE_GECKODRIVER ||
      firstExisting([path.join(process.env.CARGO_HOME || path.join(os.homedir(), ".cargo"), "bin", "geckodriver")]) ||
      onPath("geckodriver");
    const missing = [];
    if (!fs.existsSync(firefox)) missing.push(`${firefox} (Debian's firefox-esr)`);
    if (!driver) missing.push("geckodriver (cargo install geckodriver)");
    return { browser: firefox, driver, missing };
  }
  if (engine === "webkit") {
    const driver = process.env.LIFELINE_WEBKITDRIVER || "/usr/bin/WebKitWebDriver";
    let browser = process.env.LIFELINE_MINIBROWSER;
    if (!browser) {
      const lib = "/usr/lib";
      const dirs = [];
      try {
        for (const d of fs.readdirSync(lib)) dirs.push(path.join(lib, d));
      } catch {}
      browser = firstExisting(
        dirs.flatMap((d) => [path.join(d, "webkit2gtk-4.1", "MiniBrowser"), path.join(d, "webkitgtk-6.0", "MiniBrowser")]),
      );
    }
    const xvfb = onPath("Xvfb") || firstExisting(["/usr/bin/Xvfb"]);
    const missing = [];
    if (!fs.existsSync(driver)) missing.push(`${driver} (Debian's webkit2gtk-driver)`);
    if (!browser) missing.push("MiniBrowser (Debian's libwebkit2gtk-4.1-0)");
    if (!xvfb) missing.push("Xvfb (Debian's xvfb)");
    return { browser, driver, xvfb, missing };
  }
  throw new Error(`webdriver: unknown engine ${engine} (firefox or webkit)`);
}

// ---------------------------------------------------------------------------------------
// Process groups that must not outlive this process

const groups = new Set(); // pids of process-group leaders we started
const tmpDirs = new Set(); // the drivers' temporary folders (Firefox profiles)

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {}
}

let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const pid of groups) killGroup(pid, "SIGKILL");
    for (const dir of tmpDirs) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {}
    }
  });
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.once(sig, () => {
      for (const pid of groups) killGroup(pid, "SIGKILL");
      process.exit(128 + os.constants.signals[sig]);
    });
  }
}

/** Spawns `cmd` as the leader of a new process group, tracked until it exits. */
function spawnGroup(cmd, args, options) {
  installExitHandlers();
  const child = spawn(cmd, args, { ...options, detached: true });
  if (child.pid) groups.add(child.pid);
  child.exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal));
    child.once("error", (err) => resolve(err));
  });
  child.exited.then(() => {
    // The leader is gone; its group may not be (a browser it left behind): kill the rest.
    if (child.pid) {
      killGroup(child.pid, "SIGKILL");
      groups.delete(child.pid);
    }
  });
  return child;
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
async function stopGroup(child, graceMs = limit(3000)) {
  if (!child?.pid) return;
  if (child.exitCode === null && child.signalCode === null) {
    killGroup(child.pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), graceMs);
    await Promise.race([child.exited, sleep(graceMs + limit(2000))]);
    clearTimeout(timer);
  }
  killGroup(child.pid, "SIGKILL"); // whatever the leader left in its group
  groups.delete(child.pid);
}

/** The last `max` chars a stream printed (for error messages). */
function tail(stream, max = 4000) {
  const buf = { text: "" };
  stream?.setEncoding("utf8").on("data", (d) => {
    buf.text = (buf.text + d).slice(-max);
  });
  return buf;
}

/** A free TCP port on 127.0.0.1 (the drivers need one on their command line). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts Xvfb on a free display (`-displayfd`). Resolves with { display: ":N", process }.
 */
export async function startXvfb(xvfb = "Xvfb") {
  const child = spawnGroup(xvfb, ["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const err = tail(child.stderr);
  try {
    const n = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (d) => {
        out += d;
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.exited.then((code) => reject(new Error(`Xvfb exited (${code}) before naming its display: ${err.text}`)));
      setTimeout(() => reject(new Error(`Xvfb named no display within ${limit(10000)} ms: ${err.text}`)), limit(10000));
    });
    return { display: `:${n}`, process: child };
  } catch (e) {
    await stopGroup(child);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// The protocol

export class WebDriverError extends Error {
  constructor(error, message, data) {
    super(`webdriver: ${error}: ${message}`);
    this.error = error;
    this.data = data;
  }
}

/** One HTTP request to the driver; the W3C error body becomes a WebDriverError. */
async function request(base, method, pathname, body, timeout) {
  let res;
  try {
    res = await fetch(base + pathname, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
  } catch (err) {
    const why = err.name === "TimeoutError" ? `no answer within ${timeout} ms` : err.cause?.message || err.message;
    throw new WebDriverError("request failed", `${method} ${pathname}: ${why}`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError("bad response", `${method} ${pathname}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
  const value = json?.value;
  if (!res.ok || (value && typeof value === "object" && typeof value.error === "string")) {
    throw new WebDriverError(value?.error ?? `HTTP ${res.status}`, `${method} ${pathname}: ${value?.message ?? text.slice(0, 500)}`, value);
  }
  return value;
}

/** The capabilities each engine's session is asked for. */
function capabilities(engine, programs) {
  const common = {
    pageLoadStrategy: "normal",
    timeouts: { script: limit(30000), pageLoad: limit(30000), implicit: 0 },
    unhandledPromptBehavior: "dismiss",
  };
  if (engine === "firefox") {
    return {
      ...common,
      browserName: "firefox",
      "moz:firefoxOptions": {
        binary: programs.browser,
        args: ["-headless"],
        // Nothing but the test pages: no update checks, telemetry or captive-portal probes.
        prefs: {
          "app.update.enabled": false,
          "browser.shell.checkDefaultBrowser": false,
          "datareporting.policy.dataSubmissionEnabled": false,
          "network.captive-portal-service.enabled": false,
          "network.connectivity-service.enabled": false,
          "toolkit.telemetry.enabled": false,
        },
      },
    };
  }
  return {
    ...common,
    "webkitgtk:browserOptions": { binary: programs.browser, args: ["--automation"] },
  };
}

/**
 * Starts the engine's driver (and Xvfb for WebKitGTK) and opens a session. Returns a
 * WebDriver; close() it in a `finally`.
 */
export async function startWebDriver(engine) {
  const programs = enginePrograms(engine);
  if (programs.missing.length)
    throw new Error(`webdriver: ${engine} needs ${programs.missing.join(", ")}: run scripts/bootstrap.sh`);
  const wd = new WebDriver(engine);
  // Each run's temporary files (geckodriver's Firefox profiles) in a folder of ours.
  wd.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `lifeline-ws-${engine}-`));
  installExitHandlers();
  tmpDirs.add(wd.tmp);
  try {
    const env = { ...process.env, TMPDIR: wd.tmp, MOZ_CRASHREPORTER_DISABLE: "1", NO_AT_BRIDGE: "1" };
    if (engine === "webkit") {
      wd.xvfb = await startXvfb(programs.xvfb);
      env.DISPLAY = wd.xvfb.display;
      delete env.WAYLAND_DISPLAY;
    }
    // A port picked just before the driver binds it could be taken meanwhile: try again.
    for (let tries = 1; ; tries++) {
      const port = await freePort();
      const args =
        engine === "firefox"
          ? ["--host", "127.0.0.1", "--port", String(port), "--log", "error"]
          : [`--host=127.0.0.1`, `--port=${port}`];
      const child = spawnGroup(programs.driver, args, { stdio: ["ignore", "pipe", "pipe"], env, cwd: wd.tmp });
      wd.driver = child;
      wd.driverOut = tail(child.stdout);
      wd.driverErr = tail(child.stderr);
      wd.base = `http://127.0.0.1:${port}`;
      try {
        await wd.waitReady(limit(20000));
        break;
      } catch (err) {
        await stopGroup(child);
        if (tries >= 3) throw err;
      }
    }
    const t0 = performance.now();
    const created = await request(
      wd.base,
      "POST",
      "/session",
      { capabilities: { alwaysMatch: capabilities(engine, programs) } },
      limit(60000),
    );
    wd.session = created.sessionId;
    wd.capabilities = created.capabilities;
    wd.startMs = Math.round(performance.now() - t0);
    return wd;
  } catch (err) {
    err.message += wd.diagnostics();
    await wd.close();
    throw err;
  }
}

export class WebDriver {
  constructor(engine) {
    this.engine = engine;
    this.base = null;
    this.session = null;
    this.driver = null;
    this.xvfb = null;
    this.tmp = null;
    this.closed = false;
  }

  /** Browser name and version, as the session reports them. */
  get browser() {
    const c = this.capabilities ?? {};
    return `${c.browserName ?? this.engine} ${c.browserVersion ?? "?"}`;
  }

  diagnostics() {
    const out = [this.driverErr?.text, this.driverOut?.text].filter(Boolean).join("\n").trim();
    return out ? `\n--- ${this.engine} driver output (last lines)\n${out}` : "";
  }

  async waitReady(timeout) {
    const deadline = performance.now() + timeout;
    let last;
    while (performance.now() < deadline) {
      if (this.driver.exitCode !== null || this.driver.signalCode !== null)
        throw new Error(`webdriver: the ${this.engine} driver exited (${this.driver.exitCode ?? this.driver.signalCode})${this.diagnostics()}`);
      try {
        const status = await request(this.base, "GET", "/status", undefined, limit(2000));
        if (status?.ready !== false) return;
        last = status?.message;
      } catch (err) {
        last = err.message;
      }
      await sleep(100);
    }
    throw new Error(`webdriver: the ${this.engine} driver was not ready within ${timeout} ms (${last})`);
  }

  /** A command of this session: `POST /session/<id>/<cmd>` etc. */
  cmd(method, cmd, body, timeout = limit(30000)) {
    if (!this.session) return Promise.reject(new Error("webdriver: no session"));
    return request(this.base, method, `/session/${this.session}${cmd ? "/" + cmd : ""}`, body, timeout);
  }

  /** Navigates and waits for the page's load (pageLoadStrategy normal). */
  navigate(url, timeout = limit(30000)) {
    return this.cmd("POST", "url", { url }, timeout + limit(5000));
  }

  back(timeout = limit(30000)) {
    return this.cmd("POST", "back", {}, timeout + limit(5000));
  }

  url() {
    return this.cmd("GET", "url");
  }

  /** Runs `script` (a function body: `return ...`; a returned promise is awaited) in the page. */
  execute(script, args = [], timeout = limit(30000)) {
    return this.cmd("POST", "execute/sync", { script, args }, timeout + limit(5000));
  }

  /** Deletes the session (the browser quits), stops the driver's process group and Xvfb. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.session && this.driver?.exitCode === null) {
      await this.cmd("DELETE", "", undefined, limit(10000)).catch(() => {});
    }
    this.session = null;
    await stopGroup(this.driver);
    if (this.xvfb) await stopGroup(this.xvfb.process);
    if (this.tmp) {
      try {
        fs.rmSync(this.tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      } catch {}
      tmpDirs.delete(this.tmp);
    }
  }
}

/** The engines to test, from LIFELINE_BROWSERS (comma-separated; default all three). */
export const ALL_ENGINES = ["chromium", "firefox", "webkit"];
export function selectedEngines() {
  const asked = (process.env.LIFELINE_BROWSERS || ALL_ENGINES.join(","))
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const e of asked) if (!ALL_ENGINES.includes(e)) throw new Error(`LIFELINE_BROWSERS: unknown engine ${e} (${ALL_ENGINES.join(", ")})`);
  return ALL_ENGINES.filter((e) => asked.includes(e));
}
