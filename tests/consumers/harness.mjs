// The consumer projects of projects/ as users have them: the package from `npm pack`, the
// build tools from the npm registry, nothing configured for wasm.
//
//   const c = await prepare("vite");   // a fresh copy of projects/vite, ready to build
//   await c.run("build");              // its package.json script, with the tools on PATH
//   ...
//   c.remove();
//
// Installs, shared by every test file and every run (in <tmpdir>/lifeline-ws-consumers/):
//   tools-<hash>/node_modules        the union of the projects' dependencies except
//                                    lifeline-ws (vite, webpack, esbuild, typescript, ws...),
//                                    keyed by that list and the Node version: installed once
//   tools-<hash>/pkg-<sha>/          lifeline-ws.tgz (`npm pack` of this tree, through
//                                    tests/support/pack.mjs) and node_modules/lifeline-ws from
//                                    it (`npm install`), keyed by the tarball's bytes
//   tools-<hash>/pkg-<sha>/<name>-<pid>-<n>/   one copy of a project per test
// A project's imports resolve upwards exactly as in an installed project: lifeline-ws from
// pkg-<sha>/node_modules, the tools from tools-<hash>/node_modules. A lock directory
// serialises the installs between concurrent test processes.
// To start from nothing: rm -rf "$(node -p 'require("os").tmpdir()')/lifeline-ws-consumers"

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { installPacked } from "../support/pack.mjs";
import { startWebDriver } from "../support/webdriver.mjs";
import { BASE_ARGS, CHROMIUM } from "../browser/browser.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PROJECTS = path.join(HERE, "projects");
export const CACHE = path.join(os.tmpdir(), "lifeline-ws-consumers");
const LOCK = path.join(CACHE, "lock");
const LOCK_WAIT_MS = 15 * 60 * 1000;
const LOCK_STALE_MS = 20 * 60 * 1000;

/** Scale for every wait (LIFELINE_E2E_TIME_SCALE=2 on a slow machine). */
export const SCALE = Number(process.env.LIFELINE_E2E_TIME_SCALE || 1);
export const limit = (n) => Math.round(n * SCALE);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (t0) => Math.round(performance.now() - t0);

// ---------------------------------------------------------------------------------------
// Installs

/** The projects' dependencies, lifeline-ws aside, merged; the same name twice must agree. */
export function toolDependencies() {
  const deps = {};
  for (const name of fs.readdirSync(PROJECTS).sort()) {
    const file = path.join(PROJECTS, name, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      if (dep === "lifeline-ws") continue;
      if (deps[dep] && deps[dep] !== range)
        throw new Error(`consumers: ${dep} is "${deps[dep]}" in one project and "${range}" in ${name}; use one range`);
      deps[dep] = range;
    }
  }
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
}

let installs = null; // per process

/** Tools and package installed (once per process; cached across runs). */
export function install() {
  installs ??= installBoth();
  return installs;
}

async function installBoth() {
  const t0 = performance.now();
  const packed = await installPacked();
  const tPack = elapsed(t0);
  const deps = toolDependencies();
  const key = createHash("sha256")
    .update(JSON.stringify(deps))
    .update(process.version)
    .digest("hex")
    .slice(0, 12);
  const tools = path.join(CACHE, `tools-${key}`);
  const t1 = performance.now();
  const toolsFresh = await once(tools, async () => {
    writeJson(path.join(tools, "package.json"), {
      name: "lifeline-ws-consumer-tools",
      private: true,
      description: "The consumers' tools (tests/consumers/harness.mjs)",
      dependencies: deps,
    });
    await npm(["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock"], tools);
  });
  const tTools = elapsed(t1);
  const sha = createHash("sha256").update(fs.readFileSync(packed.tarball)).digest("hex").slice(0, 12);
  const pkg = path.join(tools, `pkg-${sha}`);
  const t2 = performance.now();
  const pkgFresh = await once(pkg, async () => {
    fs.copyFileSync(packed.tarball, path.join(pkg, "lifeline-ws.tgz"));
    writeJson(path.join(pkg, "package.json"), {
      name: "lifeline-ws-consumers",
      private: true,
      dependencies: { "lifeline-ws": "file:lifeline-ws.tgz" },
    });
    await npm(["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock"], pkg);
  });
  const tPkg = elapsed(t2);
  prune(CACHE, "tools-", tools, 7 * 24 * 3600 * 1000);
  prune(tools, "pkg-", pkg, 3600 * 1000);
  prune(pkg, /-\d+-\d+$/, null, 3600 * 1000); // copies left by killed runs
  const version = JSON.parse(fs.readFileSync(path.join(pkg, "node_modules", "lifeline-ws", "package.json"), "utf8")).version;
  const timing =
    `package built and packed in ${tPack} ms; tools ${toolsFresh ? "installed" : "cached"} in ${tTools} ms; ` +
    `tarball ${toolsFresh || pkgFresh ? "installed" : "cached"} in ${tPkg} ms`;
  return { tools, pkg, version, tarball: path.join(pkg, "lifeline-ws.tgz"), deps, timing };
}

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

/** Runs (awaits) `make(dir)` unless `dir` is complete (dir/ready.json); under the lock. Returns whether it ran. */
async function once(dir, make) {
  const ready = path.join(dir, "ready.json");
  if (fs.existsSync(ready)) return touch(dir), false;
  fs.mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!tryLock()) {
    if (Date.now() > deadline) throw new Error(`consumers: waited ${LOCK_WAIT_MS} ms for ${LOCK}`);
    await sleep(250);
  }
  try {
    if (fs.existsSync(ready)) return false; // made while we waited
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await make(dir);
    writeJson(ready, { at: new Date().toISOString() });
    return true;
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

function touch(dir) {
  const now = new Date();
  try {
    fs.utimesSync(dir, now, now);
  } catch {}
}

function tryLock() {
  try {
    fs.mkdirSync(LOCK);
    fs.writeFileSync(path.join(LOCK, "owner"), `${process.pid}\n`);
    return true;
  } catch (err) {
    if (err.code !== "EEXIST") throw err;
    let pid = NaN;
    let age = 0;
    try {
      pid = Number(fs.readFileSync(path.join(LOCK, "owner"), "utf8"));
      age = Date.now() - fs.statSync(LOCK).mtimeMs;
    } catch {
      return false; // being made right now (or just removed)
    }
    const alive = (() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (e) {
        return e.code === "EPERM";
      }
    })();
    if (age > LOCK_STALE_MS || (Number.isInteger(pid) && pid > 0 && !alive)) fs.rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

/** Removes the entries of `dir` named `prefix`* (or matching a RegExp), except `keep`, untouched for `maxAge` ms. */
function prune(dir, prefix, keep, maxAge) {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const match = typeof prefix === "string" ? name.startsWith(prefix) : prefix.test(name);
    if (!match || p === keep) continue;
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > maxAge) fs.rmSync(p, { recursive: true, force: true });
    } catch {}
  }
}

/**
 * The environment of the tools, the tools' bins first on PATH. What an outer `npm run` sets
 * (npm_lifecycle_*, npm_package_*, the prefixes...) must not steer the installs; the user's
 * npm_config_* (registry, cache, proxy) stay.
 */
function toolEnv(binDirs = []) {
  const env = { ...process.env };
  const outer = /^npm_config_(prefix|local_prefix|global_prefix|global|location|workspaces?|include_workspace_root)$/i;
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) && (!/^npm_config_/i.test(k) || outer.test(k))) delete env[k];
  env.PATH = [...binDirs, env.PATH].join(path.delimiter);
  return env;
}

async function npm(args, cwd) {
  const res = await spawnCollect("npm", args, { cwd, env: toolEnv(), timeout: 10 * 60 * 1000 });
  if (res.code !== 0) throw new Error(`consumers: npm ${args.join(" ")} failed in ${cwd} (${res.code})\n${res.output}`);
}

// ---------------------------------------------------------------------------------------
// A project's copy

let copies = 0;

/** A fresh copy of projects/<name> beside the installed package, with its helpers. */
export async function prepare(name) {
  const inst = await install();
  const src = path.join(PROJECTS, name);
  if (!fs.existsSync(path.join(src, "package.json"))) throw new Error(`consumers: no project ${name}`);
  const dir = path.join(inst.pkg, `${name}-${process.pid}-${++copies}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(src, dir, {
    recursive: true,
    filter: (p) => !/(^|[\\/])(node_modules|dist|out)([\\/]|$)/.test(path.relative(src, p)) && !p.endsWith(".tgz"),
  });
  const bins = [path.join(dir, "node_modules", ".bin"), path.join(inst.pkg, "node_modules", ".bin"), path.join(inst.tools, "node_modules", ".bin")];
  const env = toolEnv(bins);
  const pkgJson = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  return {
    name,
    dir,
    env,
    install: inst,
    /** `npm run <script>` without npm: the script's command in a shell, the tools on PATH. */
    async run(script, { timeout = limit(180000) } = {}) {
      const cmd = pkgJson.scripts?.[script];
      if (!cmd) throw new Error(`consumers: ${name} has no script ${script}`);
      return this.exec(cmd, { timeout, label: `${name}: npm run ${script} (${cmd})` });
    },
    /** A shell command in the copy; throws with its output unless it exits 0. */
    async exec(cmd, { timeout = limit(180000), label = cmd } = {}) {
      const t0 = performance.now();
      const r = await spawnCollect("sh", ["-c", cmd], { cwd: dir, env, timeout });
      // Tools colour their output when CI or FORCE_COLOR is set: the text without ANSI codes.
      const output = r.output.replace(/\x1b\[[0-9;]*m/g, "");
      if (r.code !== 0) throw new Error(`${label} failed (exit ${r.code}${r.timedOut ? ", timed out" : ""})\n${output}`);
      return { ms: elapsed(t0), output };
    },
    /** The copy's files below `sub` whose names end with one of `exts`. */
    files(sub = ".", exts = [".js", ".mjs", ".cjs"]) {
      const out = [];
      const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) e.name !== "node_modules" && walk(p);
          else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
        }
      };
      walk(path.join(dir, sub));
      return out;
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Spawns `cmd` (own process group), collects stdout+stderr; kills the group on timeout. */
export function spawnCollect(cmd, args, { cwd, env, timeout }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, timeout);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, output, timedOut });
    });
  });
}

/**
 * The non-ASCII chars of `files` (read as UTF-8) other than `allowed`: [{ file, chars }] for
 * the files that have any. The package's only non-ASCII char is the "…" that stands for a
 * URL's hidden query in its messages; the inlined wasm is ASCII.
 */
export function nonAscii(files, allowed = ["…"]) {
  const found = [];
  for (const file of files) {
    const chars = new Set(fs.readFileSync(file, "utf8").match(/[^\x00-\x7f]/gu) ?? []);
    for (const c of allowed) chars.delete(c);
    if (chars.size) found.push({ file: path.basename(file), chars: [...chars].slice(0, 10).join("") });
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// What a consumer reports: `[lifeline] {json}` lines (stdout in Node, console in a page)

const PREFIX = "[lifeline] ";

export class Transcript {
  constructor() {
    this.entries = [];
    this.waiters = new Set();
  }

  /** Takes one line; returns the entry when it was one. */
  line(text) {
    if (!text.startsWith(PREFIX)) return null;
    const entry = { ...JSON.parse(text.slice(PREFIX.length)), t: performance.now() };
    this.entries.push(entry);
    for (const w of this.waiters) w();
    return entry;
  }

  /** The event types seen from `where` ("page", "worker"; undefined: entries without one). */
  types(where) {
    return this.entries.filter((e) => e.where === where && e.type !== "global").map((e) => describe(e));
  }

  /** Resolves with the first entry matching `pred`, or rejects after `timeout`. */
  waitFor(pred, { timeout = limit(15000), label = "an entry" } = {}) {
    const found = this.entries.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const e = this.entries.find(pred);
        if (!e) return;
        done();
        resolve(e);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeout} ms waiting for ${label}; seen: ${this.describe()}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  describe() {
    return this.entries.map((e) => (e.where ? `${e.where}:` : "") + describe(e)).join(" ") || "(nothing)";
  }
}

function describe(e) {
  if (e.type === "message") return `message(${e.data})`;
  if (e.type === "close") return e.willReconnect ? `close(${e.code},reconnecting)` : "close(final)";
  if (e.type === "reconnect") return `reconnect(${e.attempt})`;
  if (e.type === "error") return `error(${e.cause})`;
  return e.type;
}

/** What every consumer must go through: hello echoed, a drop, a reconnect, again, close(). */
export const EXPECTED = ["open", "message(hello)", "close(4000,reconnecting)", "reconnect(1)", "message(again)", "close(final)"];
export const isFinal = (e) => e.type === "close" && e.willReconnect === false;

/**
 * Drives one conversation per `where`: once each has its "hello" echoed, the server drops
 * every connection (4000); each must reconnect, get "again" echoed, and close for good.
 */
export async function converse(transcript, srv, wheres, { timeout = limit(15000) } = {}) {
  const t0 = performance.now();
  const at = {};
  for (const where of wheres) {
    const e = await transcript.waitFor((x) => x.where === where && x.type === "message" && x.data === "hello", {
      timeout,
      label: `${where ?? "the app"}: "hello" echoed`,
    });
    at[where] = e.t;
  }
  const firstEcho = Math.max(...Object.values(at)) - t0;
  const dropAt = performance.now();
  await srv.closeAll(4000, "dropped by the test");
  const reconnected = {};
  for (const where of wheres) {
    const e = await transcript.waitFor((x) => x.where === where && x.type === "reconnect", {
      timeout,
      label: `${where ?? "the app"}: reconnect`,
    });
    reconnected[where] = Math.round(e.t - dropAt);
    await transcript.waitFor((x) => x.where === where && isFinal(x), { timeout, label: `${where ?? "the app"}: the final close` });
  }
  await srv.waitFor((s) => s.live === 0, { timeout, label: "every connection closed" });
  return { firstEcho: Math.round(firstEcho), reconnected };
}

// ---------------------------------------------------------------------------------------
// Static files and Chromium

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".cjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};

/**
 * Serves the files under `root` on 127.0.0.1, as a plain static server does: content types
 * without a charset, index.html for directories, 404 otherwise (`/favicon.ico`: 204).
 * `requests` records [status, path]. `inject`: HTML put at the start of every .html file
 * served (the console capture of the WebDriver engines, CONSOLE_CAPTURE).
 */
export async function serveStatic(root, { inject = "" } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    let file = path.normalize(path.join(root, decodeURIComponent(pathname)));
    if (file !== root && !file.startsWith(root + path.sep)) file = null;
    try {
      if (file && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    } catch {}
    let body = null;
    try {
      if (file) body = fs.readFileSync(file);
    } catch {}
    if (body && inject && file.endsWith(".html")) body = Buffer.concat([Buffer.from(inject), body]);
    const status = body ? 200 : pathname === "/favicon.ico" ? 204 : 404;
    requests.push([status, pathname]);
    const headers = { "cache-control": "no-store" };
    if (body) headers["content-type"] = TYPES[path.extname(file)] ?? "application/octet-stream";
    res.writeHead(status, headers);
    res.end(body ?? undefined);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, resolve);
  });
  const port = server.address().port;
  return {
    port,
    requests,
    url: (p = "/") => `http://127.0.0.1:${port}${p}`,
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** Runs `fn(browser)` with a headless Chromium (/usr/bin/chromium), closed afterwards. */
export async function withChromium(fn) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS, timeout: limit(30000) });
  try {
    return await fn(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

/**
 * Opens `url` in a fresh context and has the conversation with `srv` from the page and from
 * its worker. Returns { transcript, problems, warnings, charset, timing }: `problems` lists
 * console errors, uncaught page errors and failed requests; `transcript` every `[lifeline]`
 * entry; `charset` the page's `document.characterSet`.
 */
export async function visit(browser, url, srv, { wheres = ["page", "worker"] } = {}) {
  const context = await browser.newContext();
  const transcript = new Transcript();
  const problems = [];
  const warnings = [];
  try {
    const page = await context.newPage();
    page.on("console", (msg) => {
      const text = msg.text();
      if (transcript.line(text)) return;
      // Chromium asks for /favicon.ico by itself; a server without one (Vite's dev server) says 404.
      if (msg.type() === "error" && /\/favicon\.ico$/.test(msg.location()?.url ?? "")) return;
      if (msg.type() === "error") problems.push(`console error: ${text} (${msg.location()?.url})`);
      else if (msg.type() === "warning") warnings.push(text);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    page.on("worker", (worker) => {
      // Uncaught errors inside the worker reach the page's `error` listener (logged as a
      // console error); its own console calls arrive here.
      worker.on("console", (msg) => msg.type() === "error" && problems.push(`worker console error: ${msg.text()}`));
    });
    const t0 = performance.now();
    await page.goto(url, { timeout: limit(30000) });
    const loaded = elapsed(t0);
    const charset = await page.evaluate(() => document.characterSet);
    let timing;
    try {
      timing = await converse(transcript, srv, wheres);
    } catch (err) {
      err.message += `\nproblems: ${problems.join("; ") || "none"}`;
      throw err;
    }
    return { transcript, problems, warnings, charset, timing: { loaded, ...timing } };
  } finally {
    await context.close().catch(() => {});
  }
}

/** Asserts a visit went through cleanly (page and worker alike) and prints its figures. */
export function checkVisit(result, label, { wheres = ["page", "worker"] } = {}) {
  const { transcript, problems, warnings, timing } = result;
  assert.deepEqual(problems, [], `${label}: no console errors, page errors or failed requests`);
  for (const where of wheres) assert.deepEqual(transcript.types(where), EXPECTED, `${label}: the ${where}`);
  console.log(
    `${label}: loaded in ${timing.loaded} ms, ${wheres.join(" and ")} echoed ${timing.firstEcho} ms later, ` +
      `reconnected ${wheres.map((w) => `${timing.reconnected[w]} ms (${w})`).join(" / ")} after the drop` +
      (warnings.length ? `; console warnings: ${warnings.join(" | ")}` : ""),
  );
}

// ---------------------------------------------------------------------------------------
// Firefox and WebKitGTK (W3C WebDriver, tests/support/webdriver.mjs)

/**
 * WebDriver has no console events: the WebDriver engines get this classic script served
 * first in every HTML page (serveStatic's `inject`; ASCII, before the page's own markup and
 * import map), which keeps the page's console calls and uncaught errors in
 * window.__lifelineConsole as [level, text] for visitWebDriver to read. Errors inside a
 * worker reach the page's own `error` listener on the Worker, which logs them (console.error).
 */
export const CONSOLE_CAPTURE = `<script>
(function () {
  var lines = (window.__lifelineConsole = []);
  ["log", "info", "warn", "error"].forEach(function (level) {
    var orig = console[level];
    console[level] = function () {
      lines.push([level, Array.prototype.map.call(arguments, String).join(" ")]);
      return orig.apply(console, arguments);
    };
  });
  addEventListener("error", function (e) { lines.push(["pageerror", String(e.message)]); });
  addEventListener("unhandledrejection", function (e) { lines.push(["pageerror", "unhandled rejection: " + String(e.reason)]); });
})();
</script>
`;

/**
 * visit() in Firefox or WebKitGTK: opens `url` (served with CONSOLE_CAPTURE) in a fresh
 * browser over WebDriver, reads the page's console every 20 ms into the transcript, and has
 * the conversation with `srv`. Returns what visit() returns (no failed-request list: check
 * the static server's `requests`). The browser, its driver and Xvfb are gone when it settles.
 */
export async function visitWebDriver(engine, url, srv, { wheres = ["page", "worker"] } = {}) {
  const transcript = new Transcript();
  const problems = [];
  const warnings = [];
  const t0 = performance.now();
  const wd = await startWebDriver(engine);
  let polling = true;
  let poller = null;
  try {
    const tStart = performance.now();
    await wd.navigate(url, limit(30000));
    const loaded = elapsed(tStart);
    const charset = await wd.execute("return document.characterSet");
    let n = 0;
    const read = async () => {
      const lines = await wd.execute("return (window.__lifelineConsole || []).slice(arguments[0])", [n], limit(10000));
      n += lines.length;
      for (const [level, text] of lines) {
        if (transcript.line(text)) continue;
        if (level === "error" || level === "pageerror") problems.push(`${level === "error" ? "console error" : "page error"}: ${text}`);
        else if (level === "warn") warnings.push(text);
      }
    };
    poller = (async () => {
      while (polling) {
        await read().catch(() => {});
        await sleep(20);
      }
    })();
    let timing;
    try {
      timing = await converse(transcript, srv, wheres);
    } catch (err) {
      err.message += `\nproblems: ${problems.join("; ") || "none"}`;
      throw err;
    }
    polling = false;
    await poller;
    await read(); // anything logged at the very end
    return { transcript, problems, warnings, charset, browser: wd.browser, timing: { loaded, start: Math.round(tStart - t0), ...timing } };
  } finally {
    polling = false;
    if (poller) await Promise.race([poller, sleep(limit(5000))]);
    await wd.close();
  }
}
