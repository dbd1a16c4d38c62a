// Throughput, in Node and in headless Chromium, against the bench server in its own process.
//
// Round robin: every library has its own client, open the whole time — in Node one worker
// process per library (bench/node/throughput-child.mjs: only that library loaded, as in an
// application), in Chromium one iframe per library (bench/browser/page.mjs: a realm of its
// own) — and the work goes to them in turn. For each workload: a warm-up run each, then
// REPS repetitions of the full count per library, each cut into SEGMENTS equal segments; a
// round is one segment of every library, back to back (round k starts with the k-th library).
// A library's repetition is its count over the time of its segments; "× raw" is the median
// of its per-round ratios to the raw socket's segment of the same round. This machine's speed
// swings by up to 2× every few seconds (it is shared, and the swings move everyone): rounds
// of a second or so see one speed, where whole runs of every library would not.
//
// Also the dispatch table: each library's own per-message code without a network
// (bench/node/dispatch-child.mjs), round robin the same way.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { LIBRARIES } from "../clients.mjs";
import { BENCH, ROOT, median, num, quantile, resultSite, rotate, spread, startChromium, startWorker, table } from "../lib.mjs";
import { spawnBenchServer } from "../server.mjs";
import { WORKLOADS, scaled } from "../workloads.mjs";

/** The per-message check of lifeline-ws with heartbeats on (no ping falls in a run). */
const HEARTBEAT_ON = { heartbeat: { interval: 25000, timeout: 10000 } };

const VARIANTS = [
  ...LIBRARIES.map((name) => ({ label: name, name, settings: null })),
  { label: "lifeline-ws, heartbeat on", name: "lifeline-ws", settings: HEARTBEAT_ON },
];

/**
 * Node only, a control: raw `ws` in a process where one ArrayBuffer was detached first — what
 * any wasm memory growth does (the package before issue 14 grew its memory at the first
 * allocation; the current one does not), and what turns off one of V8's typed-array fast paths
 * for the whole process (bench/README.md, "A V8 effect"). Not in Chromium: there the frames
 * share one isolate, so it would touch every row.
 */
const CONTROL = { label: "ws after one ArrayBuffer detach (control)", name: "ws", settings: { detachFirst: true } };
const NODE_VARIANTS = [...VARIANTS, CONTROL];

/** Repetitions of each workload's full count per library. */
const reps = (ctx) => Math.max(ctx.reps, 5);
/** Segments each repetition is cut into (rounds = repetitions × segments). */
const SEGMENTS = 5;
/** The warm-up run of each library before the rounds of a workload: this share of its counts. */
const WARMUP = 0.2;

/**
 * Chromium runs a fifth of each workload's count: its WebSocket delivers ~20–45k small
 * messages/s here (the network service hands every frame to the page over IPC), so the full
 * counts would take ~10 s per run and the benchmark would not fit in 10 minutes.
 */
export const CHROMIUM_SCALE = 0.2;

const columns = (w) => ({
  echo: `echo: ${num(w.echo.count)} × ${w.echo.size} B text, window ${w.echo.window}`,
  push: `push: ${num(w.push.count)} × ${w.push.size} B text from the server`,
  binary: `binary: ${num(w.binary.count)} × 64 KiB echoed, window ${w.binary.window}`,
});

const order = (variants, round) => rotate(variants.map((_, i) => i), round % variants.length);

/** segments[variant][workload][rep][segment], all null to begin with. */
const emptySegments = (ctx, variants) =>
  variants.map(() =>
    Object.fromEntries(
      Object.keys(WORKLOADS).map((w) => [w, Array.from({ length: reps(ctx) }, () => Array(SEGMENTS).fill(null))]),
    ),
  );

/**
 * Per library and workload: the throughput of each repetition (its count over the summed
 * time of its segments), their median, and the ratio to raw: the median of the per-round
 * ratios (IQR beside it). `segments[variant][workload][rep][segment]` is a segment's result,
 * or null (failed: that repetition does not count).
 */
function summarize(variants, segments) {
  const data = {};
  const raw = segments[0];
  variants.forEach((v, i) => {
    data[v.label] = {};
    for (const w of Object.keys(WORKLOADS)) {
      const reps = segments[i][w];
      const values = reps
        .filter((segs) => segs.every(Boolean))
        .map((segs) => (segs.reduce((n, r) => n + r.messages, 0) / segs.reduce((t, r) => t + r.ms, 0)) * 1000);
      const ratios = [];
      reps.forEach((segs, rep) =>
        segs.forEach((r, k) => {
          const base = raw[w][rep][k];
          if (r && base) ratios.push(r.perSecond / base.perSecond);
        }),
      );
      data[v.label][w] = {
        values,
        median: median(values),
        ratios,
        ratio: median(ratios),
        iqr: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
      };
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
      label == "ws"
        ? "1.00"
        : `**${num(d[w].ratio, 2)}** (${num(d[w].iqr[0], 2)}–${num(d[w].iqr[1], 2)})`,
    ]),
  ]);
  return table(
    ["library", ...Object.keys(WORKLOADS).flatMap((w) => [`${COLUMNS[w]}: msg/s, median (min–max)`, "× raw (IQR)"])],
    rows,
    ["l", "r", "r", "r", "r", "r", "r"],
  );
}

/**
 * Where lifeline-ws stands against the goal: ≥ 0.95 × raw and ahead of every peer. A peer
 * with a higher median ratio is "behind" only if the interquartile ranges do not overlap;
 * otherwise the two are level within this machine's noise.
 */
function verdict(data) {
  const l = data["lifeline-ws"];
  const range = (d) => `${num(d.iqr[0], 2)}–${num(d.iqr[1], 2)}`;
  return Object.keys(WORKLOADS).map((w) => {
    const peers = Object.entries(data).filter(([label]) => label != "ws" && label != CONTROL.label && !label.startsWith("lifeline-ws"));
    const ahead = peers.filter(([, d]) => d[w].ratio > l[w].ratio);
    const behind = ahead.filter(([, d]) => d[w].iqr[0] > l[w].iqr[1]);
    const level = ahead.filter(([, d]) => d[w].iqr[0] <= l[w].iqr[1]);
    let peersText;
    if (behind.length) peersText = `; behind ${behind.map(([label, d]) => `${label} (${num(d[w].ratio, 2)}, IQR ${range(d[w])})`).join(", ")}`;
    else peersText = "; ahead of every peer";
    if (level.length)
      peersText += `${behind.length ? ";" : ","} level with ${level.map(([label, d]) => `${label} (${num(d[w].ratio, 2)})`).join(", ")} (IQRs overlap)`;
    return `${w}: ${num(l[w].ratio, 3)} × raw, IQR ${range(l[w])} (${l[w].ratio >= 0.95 ? "meets" : "below"} 0.95)${peersText}`;
  });
}

/** Starts one worker per variant (on core 0), sequentially; stops them all on failure. */
async function workers(variants, script, argsOf) {
  const started = [];
  try {
    for (const v of variants) started.push(await startWorker(script, argsOf(v), { cpu: 0 }));
  } catch (error) {
    for (const w of started) await w.stop();
    throw error;
  }
  return started;
}

async function node(ctx) {
  const server = await spawnBenchServer({ cpu: 1 });
  let all = [];
  try {
    all = await workers(NODE_VARIANTS, "throughput-child.mjs", (v) => [v.name, server.url(), JSON.stringify(v.settings ?? {})]);
    const segments = emptySegments(ctx, NODE_VARIANTS);
    for (const workload of Object.keys(WORKLOADS)) {
      for (const w of all) await w.call({ workload, scale: WARMUP });
      for (let rep = 0; rep < reps(ctx); rep++)
        for (let k = 0; k < SEGMENTS; k++)
          for (const i of order(NODE_VARIANTS, rep * SEGMENTS + k)) {
            try {
              segments[i][workload][rep][k] = await all[i].call({ workload, scale: 1 / SEGMENTS });
            } catch (error) {
              ctx.log(`  node ${NODE_VARIANTS[i].label} ${workload}: failed: ${error.message.split("\n")[0]}`);
            }
          }
      ctx.log(`  node: ${workload} done`);
    }
    return segments;
  } finally {
    for (const w of all) await w.stop();
    await server.stop();
  }
}

/** The libraries' own per-message code without a network (bench/node/dispatch-child.mjs). */
async function dispatch(ctx) {
  const all = await workers(VARIANTS, "dispatch-child.mjs", (v) => [v.name, JSON.stringify(v.settings ?? {})]);
  const n = Math.max(ctx.reps, 9);
  const runs = VARIANTS.map(() => []);
  try {
    for (let round = 0; round < n; round++) for (const i of order(VARIANTS, round)) runs[i][round] = (await all[i].call({})).ns;
  } finally {
    for (const w of all) await w.stop();
  }
  const ratios = runs.map((r) => r.map((x, round) => x - runs[0][round]));
  const rows = VARIANTS.map((v, i) => [
    v.label == "ws" ? "raw (the application's listener called by the platform)" : v.label,
    spread(runs[i], 1),
    v.label == "ws" ? "–" : `**${num(median(ratios[i]), 1)}** (${num(Math.min(...ratios[i]), 1)}–${num(Math.max(...ratios[i]), 1)})`,
  ]);
  const markdown = table(
    ["library", "ns per message: median (min–max)", "added by the library, ns: median of per-round differences (min–max)"],
    rows,
    ["l", "r", "r"],
  );
  return { runs: Object.fromEntries(VARIANTS.map((v, i) => [v.label, runs[i]])), rounds: n, markdown };
}

/**
 * Bundles the pages (lifeline-ws from the packed package) and serves them on 127.0.0.1:
 * GET /plan → what top.mjs runs; POST /result → its results.
 */
async function site(ctx, plan) {
  const out = join(ctx.scratch, "browser");
  mkdirSync(out, { recursive: true });
  const common = {
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome120"],
    alias: { "lifeline-ws": ctx.lifelineModule },
    nodePaths: [join(ROOT, "node_modules")],
    logLevel: "warning",
  };
  await build({ ...common, entryPoints: [join(BENCH, "browser", "page.mjs")], outfile: join(out, "page.js") });
  await build({ ...common, entryPoints: [join(BENCH, "browser", "top.mjs")], outfile: join(out, "top.js") });
  const files = {
    "/": ["text/html", readFileSync(join(BENCH, "browser", "index.html"))],
    "/frame.html": ["text/html", readFileSync(join(BENCH, "browser", "frame.html"))],
    "/top.js": ["text/javascript", readFileSync(join(out, "top.js"))],
    "/page.js": ["text/javascript", readFileSync(join(out, "page.js"))],
    "/plan": ["application/json", JSON.stringify(plan)],
  };
  return resultSite(files);
}

async function chromium(ctx) {
  // Chromium (all its processes) on core 0, the server on core 1, as in Node.
  const server = await spawnBenchServer({ cpu: 1 });
  const plan = {
    variants: VARIANTS.map((v) => ({ label: v.label, name: v.name, settings: v.settings ?? {} })),
    url: server.url(),
    reps: reps(ctx),
    segments: SEGMENTS,
    scale: CHROMIUM_SCALE / SEGMENTS,
    warmupScale: CHROMIUM_SCALE * WARMUP,
    workloads: Object.keys(WORKLOADS),
  };
  const page = await site(ctx, plan);
  const browser = await startChromium(page.url, 0);
  try {
    let timer;
    const result = await Promise.race([
      page.done,
      browser.exited,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("chromium: not done after 6 minutes")), 360_000))),
    ]);
    clearTimeout(timer);
    if (!result.ok) throw new Error(`chromium: ${result.error}`);
    for (const e of result.errors) ctx.log(`  chromium ${e}`);
    return result.segments;
  } finally {
    await browser.stop();
    await page.stop();
    await server.stop();
  }
}

export async function run(ctx) {
  const dispatchData = await dispatch(ctx);
  ctx.log(dispatchData.markdown);
  let nodeData = null;
  let nodeTable = "Node: not run.";
  if (!ctx.skipNode) {
    nodeData = summarize(NODE_VARIANTS, await node(ctx));
    nodeTable = render(nodeData, "ws (raw, the baseline)", WORKLOADS);
    ctx.log(nodeTable);
  }
  let chromiumData = null;
  let chromiumTable = "Chromium: not run.";
  if (!ctx.skipBrowser) {
    chromiumData = summarize(VARIANTS, await chromium(ctx));
    chromiumTable = render(chromiumData, "WebSocket (native, the baseline)", scaled(CHROMIUM_SCALE));
    ctx.log(chromiumTable);
  }
  return {
    reps: reps(ctx),
    segments: SEGMENTS,
    dispatch: dispatchData,
    node: nodeData,
    chromium: chromiumData,
    nodeTable,
    chromiumTable,
    verdict: { node: nodeData ? verdict(nodeData) : [], chromium: chromiumData ? verdict(chromiumData) : [] },
  };
}
