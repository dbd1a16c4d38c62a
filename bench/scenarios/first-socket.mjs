// Time to first socket: from the start of importing a library to its first construction
// returning, in a fresh Node process and in a fresh Chromium iframe (a renderer process of its
// own), split into the import and the first construction. For lifeline-ws the first
// construction decodes its inlined wasm, compiles and instantiates it (js/lifeline-ws.js
// load()), then constructs; the peers' first construction is their constructor's first run.
// A second construction right after shows the constructor alone.
//
// Node: bench/node/first-socket-child.mjs, one process per library and repetition.
// Chromium: started as the throughput scenario starts it (headless, no DevTools client), on
// bench/browser/first-socket-top.mjs, which opens one iframe per library and repetition
// (bench/browser/first-socket-frame.mjs); each library is its own ES module bundled by esbuild
// (minified, as a production bundle would hold it).
//
// With ctx.before ({ module, label }: bench/run.mjs --before <tarball>), lifeline-ws from that
// package is measured too, on a row of its own: the before and after of a change.
//
// The platform socket is warmed before the clock starts on every library's row (see the two
// files above); the raw rows are that platform's own first socket, cold. Repetition k starts
// with the k-th library; a first round is a warm-up (the files into the page cache), not
// counted.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { LIBRARIES } from "../clients.mjs";
import { BENCH, ROOT, median, num, quantile, resultSite, rotate, runChild, spread, startChromium, table } from "../lib.mjs";
import { startBenchServer } from "../server.mjs";

/**
 * Repetitions per library (each a fresh process), after one warm-up round. A Node process
 * takes ~0.3 s here, a Chromium iframe ~0.1 s: Chromium gets more.
 */
const reps = (ctx, where) => Math.max(ctx.reps, where == "node" ? 9 : 15);
const WARMUP = 1;

/** What each library's browser module exports (the names clients.mjs's `lib` uses). */
const BROWSER_ENTRIES = {
  ws: "export const WebSocket = globalThis.WebSocket;",
  "lifeline-ws": 'export { LifelineSocket } from "lifeline-ws";',
  "reconnecting-websocket": 'export { default as ReconnectingWebSocket } from "reconnecting-websocket";',
  partysocket: 'export { default as PartySocket } from "partysocket/ws";',
  sockette: 'export { default as Sockette } from "sockette";',
  "websocket-ts": 'import * as WebsocketTs from "websocket-ts";\nexport { WebsocketTs };',
};

const RAW_LABEL = {
  node: "ws (raw: its own import and first socket, cold)",
  chromium: "WebSocket (native, cold; its import: an empty module)",
};

/** The rows: { key, label, name, module? } (module: lifeline-ws's ESM file). */
function variants(ctx) {
  const list = [];
  for (const name of LIBRARIES) {
    if (name == "lifeline-ws") {
      list.push({ key: "lifeline-ws", label: "lifeline-ws", name, module: ctx.lifelineModule });
      if (ctx.before) list.push({ key: "lifeline-ws-before", label: ctx.before.label, name, module: ctx.before.module });
    } else list.push({ key: name, label: name, name });
  }
  return list;
}

const sum = (r) => r.importMs + r.firstMs;

/** Per row: the three figures of every repetition (null: failed), and their medians. */
function summarize(list, results) {
  return Object.fromEntries(
    list.map((v, i) => {
      const runs = results[i];
      const ok = runs.filter(Boolean);
      const m = (f) => median(ok.map(f));
      return [v.label, { key: v.key, runs, importMs: m((r) => r.importMs), firstMs: m((r) => r.firstMs), totalMs: m(sum), secondMs: m((r) => r.secondMs) }];
    }),
  );
}

/**
 * lifeline-ws against the --before package, repetition by repetition (the two are measured
 * in the same round, one after the other in all but one rotation of the order, so both see
 * the same moment of this shared machine):
 * the median and IQR of the per-repetition ratios, for the time to first socket and for the
 * first construction alone.
 */
function compare(data, beforeLabel) {
  const after = data["lifeline-ws"].runs;
  const before = data[beforeLabel].runs;
  const ratios = (f) => after.flatMap((a, rep) => (a && before[rep] ? [f(a) / f(before[rep])] : []));
  const stat = (values) => ({ values, ratio: median(values), iqr: [quantile(values, 0.25), quantile(values, 0.75)] });
  return { total: stat(ratios(sum)), first: stat(ratios((r) => r.firstMs)) };
}

const ratioText = (s) => `${num(s.ratio, 2)} (IQR ${num(s.iqr[0], 2)}–${num(s.iqr[1], 2)})`;

function render(data, rawLabel) {
  const rows = Object.entries(data).map(([label, d]) => [
    d.key == "ws" ? rawLabel : label,
    spread(d.runs.filter(Boolean).map((r) => r.importMs), 1),
    spread(d.runs.filter(Boolean).map((r) => r.firstMs), 1),
    `**${spread(d.runs.filter(Boolean).map(sum), 1)}**`,
    spread(d.runs.filter(Boolean).map((r) => r.secondMs), 2),
  ]);
  return table(
    [
      "library",
      "import, ms",
      "first construction, ms (lifeline-ws: + decode, compile, instantiate the wasm)",
      "time to first socket (import + first construction), ms",
      "second construction, ms",
    ],
    rows,
    ["l", "r", "r", "r", "r"],
  );
}

async function node(ctx, list) {
  const server = await startBenchServer();
  // results[variant][rep]: null where a run failed (the repetitions stay aligned)
  const results = list.map(() => Array(reps(ctx, "node")).fill(null));
  try {
    const once = (v) =>
      runChild("first-socket-child.mjs", [v.name, server.url(), ...(v.module ? [pathToFileURL(v.module).href] : [])], { timeout: 30_000 }).catch(
        (error) => {
          ctx.log(`  node ${v.label}: failed: ${error.message.split("\n").slice(0, 3).join(" ")}`);
          return null;
        },
      );
    for (const v of list) await once(v); // the warm-up round
    for (let rep = 0; rep < reps(ctx, "node"); rep++)
      for (const i of rotate(list.map((_, i) => i), rep % list.length)) results[i][rep] = await once(list[i]);
  } finally {
    await server.stop();
  }
  return results;
}

/** The pages and every library's module, served on 127.0.0.1 (and any *.localhost) by `port`. */
async function site(ctx, list, plan) {
  const out = join(ctx.scratch, "first-socket");
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, format: "esm", platform: "browser", logLevel: "warning", nodePaths: [join(ROOT, "node_modules")] };
  const files = {};
  const script = async (name) => {
    await build({ ...common, target: ["chrome120"], entryPoints: [join(BENCH, "browser", `${name}.mjs`)], outfile: join(out, `${name}.js`) });
    files[`/${name}.js`] = ["text/javascript", readFileSync(join(out, `${name}.js`))];
  };
  await script("first-socket-top");
  await script("first-socket-frame");
  for (const html of ["first-socket.html", "first-socket-frame.html"]) files[`/${html}`] = ["text/html", readFileSync(join(BENCH, "browser", html))];
  for (const v of list) {
    // Minified, for the browsers the package supports, as the size scenario bundles it.
    const result = await build({
      ...common,
      stdin: { contents: BROWSER_ENTRIES[v.name], resolveDir: ROOT, loader: "js" },
      minify: true,
      target: ["chrome96", "firefox93", "safari15"],
      legalComments: "none",
      charset: "ascii",
      write: false,
      ...(v.module ? { alias: { "lifeline-ws": v.module } } : {}),
    });
    v.file = `/lib/${v.key}.js`;
    files[v.file] = ["text/javascript", Buffer.from(result.outputFiles[0].contents)];
  }
  files["/plan"] = ["application/json", () => JSON.stringify(plan())];
  return resultSite(files);
}

async function chromium(ctx, list) {
  const server = await startBenchServer();
  let port;
  const web = await site(ctx, list, () => ({
    variants: list.map((v) => ({ label: v.label, name: v.name, file: v.file })),
    url: server.url(),
    port,
    reps: reps(ctx, "chromium"),
    warmup: WARMUP,
  }));
  port = web.port;
  // Not pinned: a fresh renderer, the browser process and the network service all take part in
  // a first socket. Site isolation (the desktop default) stated, since every measurement
  // relies on its process of its own.
  const browser = await startChromium(`http://127.0.0.1:${port}/first-socket.html`, null, ["--site-per-process"]);
  try {
    let timer;
    const result = await Promise.race([
      web.done,
      browser.exited,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("chromium: not done after 2 minutes")), 120_000))),
    ]);
    clearTimeout(timer);
    if (!result.ok) throw new Error(`chromium: ${result.error}`);
    for (const e of result.errors) ctx.log(`  chromium ${e}`);
    return result.results;
  } finally {
    await Promise.allSettled([browser.stop().finally(() => web.stop()), server.stop()]);
  }
}

export async function run(ctx) {
  const list = variants(ctx);
  const out = { reps: { node: reps(ctx, "node"), chromium: reps(ctx, "chromium") }, before: ctx.before ? { label: ctx.before.label, source: ctx.before.source } : null };
  const sections = [];
  const TITLES = {
    node: "Node (a fresh process each time)",
    chromium: "Headless Chromium (a fresh iframe, in a renderer process of its own, each time)",
  };
  for (const where of ["node", "chromium"]) {
    if (where == "node" ? ctx.skipNode : ctx.skipBrowser) continue;
    const data = summarize(list, await (where == "node" ? node : chromium)(ctx, list));
    out[where] = data;
    out[`${where}Table`] = render(data, RAW_LABEL[where]);
    const text = [`### ${TITLES[where]}: ${reps(ctx, where)} repetitions`, "", out[`${where}Table`]];
    if (ctx.before) {
      const c = compare(data, ctx.before.label);
      out[`${where}Compare`] = c;
      text.push(
        "",
        `lifeline-ws ÷ ${ctx.before.label}, the median of the ${c.total.values.length} per-repetition ratios (the two measured in the same round): ` +
          `time to first socket **${ratioText(c.total)}**, first construction ${ratioText(c.first)}.`,
      );
    }
    ctx.log(text.slice(2).join("\n"));
    sections.push(...text, "");
  }
  const notes = [
    "Median (min–max) of the repetitions, each in a fresh process; repetition k starts with the k-th library, " +
      "after one warm-up round. Every library's row is measured with the platform socket already warm (one raw socket " +
      "opened and closed before the clock starts); the raw row is that platform's own first socket, cold — a page's or " +
      "a process's first socket pays it once on top of the library's figure. The time to first socket is the median of " +
      "the per-repetition sums, not the sum of the two medians beside it.",
  ];
  if (ctx.before) notes.push("", `${ctx.before.label}: ${ctx.before.source}.`);
  out.markdown = [...sections, ...notes].join("\n");
  return out;
}
