// Helpers of the benchmark orchestrator: child processes, Chromium, statistics, formatting.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import os, { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH, "..");

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let canPin;

/** Whether processes can be pinned to a core: taskset works and there are 2 cores or more. */
export function pinning() {
  canPin ??= (() => {
    if ((os.availableParallelism?.() ?? os.cpus().length) < 2) return false;
    try {
      execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  return canPin;
}

/**
 * [command, args] that run `command args` on core `cpu` (taskset), or as is when `cpu` is
 * null or pinning is not possible. The throughput runs pin the client and the server to
 * different cores: on 2 cores, unpinned runs swing between two speeds (both processes on one
 * core or not), which pinning removes.
 */
export function pinned(cpu, command, args) {
  return cpu != null && pinning() ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];
}

/**
 * Runs `node [nodeArgs] bench/node/<script> ...args` (on core `cpu`, if given); resolves with
 * the JSON of its last stdout line. Rejects (with its stderr) if it fails or outlives
 * `timeout` ms.
 */
export function runChild(script, args, { nodeArgs = [], timeout = 180_000, env, cpu = null } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(...pinned(cpu, process.execPath, [...nodeArgs, join(BENCH, "node", script), ...args.map(String)]), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").at(-1);
      if (code === 0 && last) {
        try {
          return resolve(JSON.parse(last));
        } catch {}
      }
      reject(new Error(`${script} ${args.join(" ")}: exit ${code ?? signal}\n${err.slice(-2000)}`));
    });
  });
}

/**
 * Starts `node bench/node/<script> ...args` as a worker that stays alive and answers
 * commands: one JSON line in (stdin), one JSON line out (stdout) per command, in order (the
 * worker side is `serve()` below). Resolves once the worker printed its first line (ready).
 * The handle: call(command) → Promise<reply>, stop().
 */
export async function startWorker(script, args, { nodeArgs = [], cpu = null } = {}) {
  const child = spawn(...pinned(cpu, process.execPath, [...nodeArgs, join(BENCH, "node", script), ...args.map(String)]), {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (err = (err + d).slice(-4000)));
  child.stdin.on("error", () => {});
  const waiting = [];
  let buffer = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  exited.then((how) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${script} ${args.join(" ")}: exited (${how})\n${err}`));
  });
  child.stdout.setEncoding("utf8").on("data", (d) => {
    buffer += d;
    let at;
    while ((at = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const reply = JSON.parse(line);
      const w = waiting.shift();
      if (!w) continue;
      if (reply.error) w.reject(new Error(`${script} ${args.join(" ")}: ${reply.error}`));
      else w.resolve(reply);
    }
  });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  await next(); // ready
  return {
    call(command) {
      const reply = next();
      child.stdin.write(JSON.stringify(command) + "\n");
      return reply;
    },
    async stop() {
      child.stdin.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/**
 * The worker side of startWorker(): prints `ready` (after `setup` resolved, with its value),
 * then answers every command line with `handle(command)`'s value (or { error }).
 */
export async function serve(setup, handle) {
  const { createInterface } = await import("node:readline");
  const out = (value) => process.stdout.write(JSON.stringify(value) + "\n");
  out({ ready: true, ...(await setup()) });
  const lines = createInterface({ input: process.stdin });
  let chain = Promise.resolve();
  lines.on("line", (line) => {
    chain = chain.then(async () => {
      try {
        out(await handle(JSON.parse(line)));
      } catch (error) {
        out({ error: String(error?.stack ?? error) });
      }
    });
  });
  await new Promise((resolve) => lines.once("close", resolve));
  await chain;
}

/**
 * Starts headless Chromium on `url` (all its processes on core `cpu`, unless null) with no
 * DevTools client and `extraArgs` on its command line; returns { exited, stop() } (`exited`
 * rejects if Chromium ends before stop(), with the end of its stderr).
 */
export async function startChromium(url, cpu, extraArgs = []) {
  const { CHROMIUM, BASE_ARGS } = await import("../tests/browser/browser.mjs");
  const profile = mkdtempSync(join(tmpdir(), "lifeline-ws-bench-chromium-"));
  const child = spawn(...pinned(cpu, CHROMIUM, ["--headless", ...BASE_ARGS, ...extraArgs, `--user-data-dir=${profile}`, url]), {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  let stopping = false;
  const ended = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const exited = ended.then((how) => {
    if (!stopping) throw new Error(`chromium exited (${how}) before the measurements were done:\n${stderr}`);
  });
  exited.catch(() => {});
  return {
    exited,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
        await ended;
        clearTimeout(kill);
      }
      // Its helper processes may still be writing to the profile for a moment after it ended.
      for (let attempt = 0; ; attempt++) {
        try {
          rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
          break;
        } catch (error) {
          if (attempt == 4) throw error;
          await sleep(1000);
        }
      }
    },
  };
}

/**
 * The web server of a browser scenario's page, on 127.0.0.1: `files` maps a path to
 * [content type, body] (a body may be a function, called at each request), and the page
 * POSTs its results as JSON to /result, which resolves `done`. Returns { port, url, done,
 * stop }.
 */
export async function resultSite(files) {
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const http = createServer((req, res) => {
    if (req.url == "/result" && req.method == "POST") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" }).end("true");
        finished(JSON.parse(body));
      });
      return;
    }
    const file = files[req.url];
    if (!file) return res.writeHead(404).end();
    const body = typeof file[1] == "function" ? file[1]() : file[1];
    res.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(body);
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = http.address().port;
  return { port, url: `http://127.0.0.1:${port}/`, done, stop: () => new Promise((r) => http.close(r)) };
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time, in order. */
export async function pool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The list rotated by `k` (repetition k starts with a different library). */
export const rotate = (list, k) => list.map((_, i) => list[(i + k) % list.length]);

export function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  if (!v.length) return NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** A seeded generator (mulberry32), so a run's random choices can be repeated. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- formatting ----

/** 12345.6 → "12,346"; digits after the point as asked. */
export function num(n, digits = 0) {
  if (n == null || Number.isNaN(n)) return "–";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const kb = (bytes, digits = 1) => num(bytes / 1024, digits) + " KB";

/** "median (min–max)". */
export function spread(values, digits = 0, unit = "") {
  if (!values.length) return "–";
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return `${num(median(values), digits)}${unit} (${num(lo, digits)}–${num(hi, digits)})`;
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows, align) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const sep = header.map((_, i) => ((align ?? [])[i] == "r" || (i > 0 && !align) ? "---:" : "---"));
  return [line(header), line(sep), ...rows.map(line)].join("\n");
}
