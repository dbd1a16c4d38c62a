// Throughput, in Node (one fresh process per measurement, bench/node/throughput-child.mjs)
// and in headless Chromium (one fresh page per measurement, bench/browser/page.mjs), against
// the bench server in its own process. Each measurement opens one client, runs each workload
// of bench/workloads.mjs (a warm-up of a tenth, then the measured run) and closes it.
// Repetitions interleave the libraries (repetition k starts with the k-th); figures are
// the medians, ratios are median / median of the raw WebSocket.

import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { LIBRARIES } from "../clients.mjs";
import { BENCH, ROOT, median, num, pinned, rotate, runChild, spread, table } from "../lib.mjs";
import { spawnBenchServer } from "../server.mjs";
import { WORKLOADS, scaled } from "../workloads.mjs";

/** The per-message check of lifeline-ws with heartbeats on (no ping falls in a run). */
const HEARTBEAT_ON = { heartbeat: { interval: 25000, timeout: 10000 } };

const VARIANTS = [
  ...LIBRARIES.map((name) => ({ label: name, name, settings: null })),
  { label: "lifeline-ws, heartbeat on", name: "lifeline-ws", settings: HEARTBEAT_ON },
];

const columns = (w) => ({
  echo: `echo: ${num(w.echo.count)} × ${w.echo.size} B text, window ${w.echo.window}`,
  push: `push: ${num(w.push.count)} × ${w.push.size} B text from the server`,
  binary: `binary: ${num(w.binary.count)} × 64 KiB echoed, window ${w.binary.window}`,
});

async function measureAll(ctx, where, measure) {
  const runs = VARIANTS.map(() => []);
  for (let rep = 0; rep < reps(ctx); rep++) {
    const order = rotate(
      VARIANTS.map((_, i) => i),
      rep,
    );
    for (const i of order) {
      const v = VARIANTS[i];
      try {
        runs[i].push(await measure(v));
      } catch (error) {
        ctx.log(`  ${where} ${v.label}: failed: ${error.message.split("\n")[0]}`);
        runs[i].push(null);
      }
    }
    ctx.log(`  ${where}: repetition ${rep + 1} of ${reps(ctx)} done`);
  }
  return runs;
}

/**
 * Medians per library and workload, and the ratio to raw: the median of the per-repetition
 * ratios (each library against the raw run of the same repetition, minutes apart at most),
 * which cancels the slow swings of this shared machine better than a ratio of medians.
 */
function summarize(runs) {
  const data = {};
  VARIANTS.forEach((v, i) => {
    data[v.label] = {};
    for (const w of Object.keys(WORKLOADS)) {
      const perRep = runs[i].map((r) => (r ? r[w].perSecond : null));
      const values = perRep.filter((x) => x != null);
      const ratios = perRep
        .map((x, rep) => (x != null && runs[0][rep] ? x / runs[0][rep][w].perSecond : null))
        .filter((x) => x != null);
      data[v.label][w] = { values, median: median(values), ratios, ratio: median(ratios) };
    }
  });
  return data;
}

function render(data, rawLabel, workloads) {
  const COLUMNS = columns(workloads);
  const rows = Object.entries(data).map(([label, d]) => [
    label == "ws" ? rawLabel : label,
    ...Object.keys(WORKLOADS).flatMap((w) => [
      spread(d[w].values),
      label == "ws" ? "1.00" : `**${num(d[w].ratio, 2)}** (${num(Math.min(...d[w].ratios), 2)}–${num(Math.max(...d[w].ratios), 2)})`,
    ]),
  ]);
  return table(
    ["library", ...Object.keys(WORKLOADS).flatMap((w) => [`${COLUMNS[w]}: msg/s`, "× raw"])],
    rows,
    ["l", "r", "r", "r", "r", "r", "r"],
  );
}

/** Where lifeline-ws stands against the goal: ≥ 0.95 × raw and ahead of every peer. */
function verdict(data) {
  const l = data["lifeline-ws"];
  return Object.keys(WORKLOADS).map((w) => {
    const behind = Object.entries(data)
      .filter(([label]) => label != "ws" && !label.startsWith("lifeline-ws"))
      .filter(([, d]) => d[w].ratio > l[w].ratio)
      .map(([label, d]) => `${label} (${num(d[w].ratio, 2)})`);
    return `${w}: ${num(l[w].ratio, 2)} × raw (${l[w].ratio >= 0.95 ? "meets" : "below"} 0.95)` +
      (behind.length ? `; behind ${behind.join(", ")}` : "; ahead of every peer");
  });
}

async function node(ctx) {
  const server = await spawnBenchServer({ cpu: 1 });
  try {
    return await measureAll(ctx, "node", (v) =>
      runChild("throughput-child.mjs", [v.name, server.url(), JSON.stringify(v.settings ?? {})], { timeout: 120_000, cpu: 0 }),
    );
  } finally {
    await server.stop();
  }
}

/**
 * Chromium runs a fifth of each workload's count: its WebSocket delivers ~20–45k small
 * messages/s here (the network service hands every frame to the page over IPC), so the full
 * counts would take ~10 s per measurement and the run would not fit in 10 minutes.
 */
export const CHROMIUM_SCALE = 0.2;

/** Repetitions: more than the run's default, the figures being the noisiest. */
const reps = (ctx) => Math.max(ctx.reps, 5);

/**
 * Bundles the page (lifeline-ws from the packed package) and serves it on 127.0.0.1 with
 * the job queue it works through: GET /next → a job or null, POST /result.
 */
async function site(ctx, jobs) {
  const out = join(ctx.scratch, "browser");
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(BENCH, "browser", "page.mjs")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome120"],
    outfile: join(out, "page.js"),
    alias: { "lifeline-ws": ctx.lifelineModule },
    nodePaths: [join(ROOT, "node_modules")],
    logLevel: "warning",
  });
  const html = readFileSync(join(BENCH, "browser", "index.html"));
  const js = readFileSync(join(out, "page.js"));
  const results = new Map();
  let next = 0;
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const http = createServer((req, res) => {
    const send = (type, body) => res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
    if (req.url == "/" || req.url == "/index.html") return send("text/html", html);
    if (req.url == "/page.js") return send("text/javascript", js);
    if (req.url == "/next") return send("application/json", JSON.stringify(next < jobs.length ? jobs[next++] : null));
    if (req.url == "/result" && req.method == "POST") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const r = JSON.parse(body);
        results.set(r.id, r);
        jobs[r.id].resolve(r);
        send("application/json", "true");
        if (results.size == jobs.length) finished();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${http.address().port}/`, done, stop: () => new Promise((r) => http.close(r)) };
}

/**
 * Starts headless Chromium on `url` with no DevTools client; returns { exited, stop() }
 * (`exited` rejects if Chromium ends before stop(), with the end of its stderr).
 */
async function startChromium(url, cpu) {
  const { CHROMIUM, BASE_ARGS } = await import("../../tests/browser/browser.mjs");
  const profile = mkdtempSync(join(tmpdir(), "lifeline-ws-bench-chromium-"));
  const child = spawn(...pinned(cpu, CHROMIUM, ["--headless", ...BASE_ARGS, `--user-data-dir=${profile}`, url]), {
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
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

async function chromium(ctx) {
  // Chromium (all its processes) on core 0, the server on core 1, as in Node.
  const server = await spawnBenchServer({ cpu: 1 });
  const jobs = [];
  const runs = VARIANTS.map(() => []);
  let settledCount = 0;
  // A first page that warms the browser up (caches, the network service); not counted.
  const warmup = { id: 0, name: "ws", url: server.url(), settings: {}, scale: CHROMIUM_SCALE };
  Object.defineProperty(warmup, "resolve", { value: () => {}, enumerable: false });
  jobs.push(warmup);
  for (let rep = 0; rep < reps(ctx); rep++)
    for (const i of rotate(VARIANTS.map((_, i) => i), rep)) {
      const job = { id: jobs.length, name: VARIANTS[i].name, url: server.url(), settings: VARIANTS[i].settings ?? {}, scale: CHROMIUM_SCALE };
      const settled = new Promise((resolve) => Object.defineProperty(job, "resolve", { value: resolve, enumerable: false }));
      settled.then((r) => {
        if (!r.ok) ctx.log(`  chromium ${VARIANTS[i].label}: failed: ${r.error.split("\n")[0]}`);
        runs[i].push(r.ok ? r.value : null);
        if (++settledCount % VARIANTS.length == 0) ctx.log(`  chromium: repetition ${settledCount / VARIANTS.length} of ${reps(ctx)} done`);
      });
      jobs.push(job);
    }
  const page = await site(ctx, jobs);
  const browser = await startChromium(page.url, 0);
  try {
    let timer;
    await Promise.race([
      page.done,
      browser.exited,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("chromium: not done after 8 minutes")), 480_000))),
    ]);
    clearTimeout(timer);
  } finally {
    await browser.stop();
    await page.stop();
    await server.stop();
  }
  return runs;
}

/** The libraries' own per-message code without a network (bench/node/dispatch-child.mjs). */
async function dispatch(ctx) {
  const runs = VARIANTS.map(() => []);
  for (let rep = 0; rep < ctx.reps; rep++)
    for (const i of rotate(VARIANTS.map((_, i) => i), rep)) {
      const v = VARIANTS[i];
      runs[i].push((await runChild("dispatch-child.mjs", [v.name, JSON.stringify(v.settings ?? {})], { cpu: 0 })).ns);
    }
  const raw = median(runs[0]);
  const rows = VARIANTS.map((v, i) => [
    v.label == "ws" ? "raw (the application's listener called by the platform)" : v.label,
    spread(runs[i], 1),
    v.label == "ws" ? "–" : `**${num(median(runs[i]) - raw, 1)}**`,
  ]);
  const markdown = table(["library", "ns per message: median (min–max)", "added by the library (ns)"], rows, ["l", "r", "r"]);
  return { runs: Object.fromEntries(VARIANTS.map((v, i) => [v.label, runs[i]])), markdown };
}

export async function run(ctx) {
  const dispatchData = await dispatch(ctx);
  ctx.log(dispatchData.markdown);
  let nodeData = null;
  let nodeTable = "Node: not run.";
  if (!ctx.skipNode) {
    nodeData = summarize(await node(ctx));
    nodeTable = render(nodeData, "ws (raw, the baseline)", WORKLOADS);
    ctx.log(nodeTable);
  }
  let chromiumData = null;
  let chromiumTable = "Chromium: not run.";
  if (!ctx.skipBrowser) {
    chromiumData = summarize(await chromium(ctx));
    chromiumTable = render(chromiumData, "WebSocket (native, the baseline)", scaled(CHROMIUM_SCALE));
    ctx.log(chromiumTable);
  }
  return {
    dispatch: dispatchData,
    node: nodeData,
    chromium: chromiumData,
    nodeTable,
    chromiumTable,
    verdict: { node: nodeData ? verdict(nodeData) : [], chromium: chromiumData ? verdict(chromiumData) : [] },
  };
}
