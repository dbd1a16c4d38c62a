// The benchmark orchestrator (`npm run bench` → bench/run.sh → this file, after the setup
// and the build). Measurements, not tests: it prints figures and writes a report, and never
// fails on a figure (only on a scenario that could not run at all).
//
//   node bench/run.mjs [--only size,first-socket,idle,throughput,recovery,detection,memory,herd,share]
//                      [--reps N] [--no-browser] [--no-node] [--herd-clients N] [--seed N]
//                      [--before <tarball> [--before-label <text>]]
// (--no-browser / --no-node: the throughput and first-socket scenarios without their Chromium /
// Node half; --before, or BENCH_BEFORE_TARBALL: another build of the package, an `npm pack`
// tarball, measured beside this one in the first-socket scenario — the before of a change)
//
// A full run (no --only) writes bench/RESULTS.md and bench/results.json; a partial one
// writes them to the scratch directory it prints. lifeline-ws is measured as users get it:
// the npm package built, packed and installed by tests/support/pack.mjs, copied into a
// scratch directory of this run (so no test run can prune it meanwhile).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { installPacked } from "../tests/support/pack.mjs";
import { BENCH, ROOT } from "./lib.mjs";
import { report } from "./report.mjs";

const SCENARIOS = ["size", "first-socket", "idle", "throughput", "recovery", "detection", "memory", "herd", "share"];

function parseArgs(argv) {
  const args = {
    only: null,
    reps: 3,
    browser: true,
    node: true,
    herdClients: undefined,
    seed: 6,
    before: process.env.BENCH_BEFORE_TARBALL || null,
    beforeLabel: process.env.BENCH_BEFORE_LABEL || "lifeline-ws 0.1 (before: plumbing in wasm)",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a == "--only") args.only = argv[++i].split(",");
    else if (a == "--reps") args.reps = Number(argv[++i]);
    else if (a == "--no-browser") args.browser = false;
    else if (a == "--no-node") args.node = false;
    else if (a == "--herd-clients") args.herdClients = Number(argv[++i]);
    else if (a == "--seed") args.seed = Number(argv[++i]);
    else if (a == "--before") args.before = argv[++i];
    else if (a == "--before-label") args.beforeLabel = argv[++i];
    else throw new Error(`bench: unknown argument ${a}`);
  }
  for (const s of args.only ?? []) if (!SCENARIOS.includes(s)) throw new Error(`bench: unknown scenario ${s}`);
  return args;
}

function version(pkg) {
  return JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
}

function machine() {
  let chromium = "not found";
  try {
    chromium = execFileSync(process.env.LIFELINE_CHROMIUM || "/usr/bin/chromium", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {}
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    chromium,
  };
}

/** The packed package, copied into this run's scratch directory. */
async function lifeline(scratch) {
  const info = await installPacked();
  const dir = join(scratch, "lifeline");
  cpSync(join(info.dir, "node_modules", "lifeline-ws"), join(dir, "node_modules", "lifeline-ws"), { recursive: true });
  writeFileSync(join(dir, "entry.mjs"), 'export * from "lifeline-ws";\n');
  const wasm = join(dir, "lifeline_ws_bg.wasm");
  copyFileSync(join(ROOT, "pkg", "web", "lifeline_ws_bg.wasm"), wasm);
  return {
    entry: pathToFileURL(join(dir, "entry.mjs")).href,
    module: join(dir, "node_modules", "lifeline-ws", "dist", "lifeline-ws.mjs"),
    wasm,
    version: info.version,
    fingerprint: info.fingerprint,
  };
}

/**
 * The `--before` package: its tarball unpacked into the scratch directory (the package has no
 * dependencies: unpacking is what `npm install <tarball>` does with it); its ESM entry as
 * its "exports" give it to `import`.
 */
function before(scratch, tarball, label) {
  const dir = join(scratch, "before");
  mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["-xzf", resolve(tarball), "-C", dir]);
  const root = join(dir, "package");
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const entry = manifest.exports?.["."]?.import?.default ?? manifest.exports?.["."]?.import ?? manifest.module;
  if (typeof entry != "string") throw new Error(`bench: --before ${tarball}: no ESM entry in its package.json`);
  const sha = createHash("sha256").update(readFileSync(tarball)).digest("hex").slice(0, 16);
  const source = `${manifest.name} ${manifest.version} from ${basename(tarball)} (sha256 ${sha})`;
  return { module: join(root, entry), label, source, version: manifest.version };
}

async function main() {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  const scratch = join(os.tmpdir(), `lifeline-ws-bench-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const log = (text) => console.log(text);
  const pkg = await lifeline(scratch);
  process.env.BENCH_LIFELINE_ENTRY = pkg.entry;
  const ctx = {
    reps: args.reps,
    seed: args.seed,
    scratch,
    skipBrowser: !args.browser,
    skipNode: !args.node,
    herdClients: args.herdClients,
    lifelineModule: pkg.module,
    lifelineWasm: pkg.wasm,
    before: args.before ? before(scratch, args.before, args.beforeLabel) : null,
    log,
  };
  const info = {
    date: new Date().toISOString(),
    command: "npm run bench" + (process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""),
    machine: machine(),
    loadBefore: os.loadavg(),
    versions: {
      "lifeline-ws": `${pkg.version} (this repository, packed; sources ${pkg.fingerprint})`,
      ...(ctx.before ? { [ctx.before.label]: ctx.before.source } : {}),
      ws: version("ws"),
      "reconnecting-websocket": version("reconnecting-websocket"),
      partysocket: version("partysocket"),
      sockette: version("sockette"),
      "websocket-ts": version("websocket-ts"),
      esbuild: version("esbuild"),
      "playwright-core": version("playwright-core"),
    },
    reps: args.reps,
  };
  log(`bench: ${info.date}, ${info.machine.nproc} cores, node ${info.machine.node}, ${info.machine.chromium}`);
  log(`bench: lifeline-ws ${info.versions["lifeline-ws"]}; scratch ${scratch}`);
  const results = {};
  const failures = {};
  for (const name of SCENARIOS) {
    if (args.only && !args.only.includes(name)) continue;
    const t0 = Date.now();
    log(`\n== ${name}`);
    try {
      const scenario = await import(`./scenarios/${name}.mjs`);
      results[name] = await scenario.run(ctx);
    } catch (error) {
      failures[name] = String(error?.stack ?? error);
      log(`bench: ${name} failed: ${failures[name]}`);
    }
    log(`== ${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  info.loadAfter = os.loadavg();
  info.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  info.bootstrapAndBuildSeconds = Number(process.env.BENCH_SETUP_SECONDS) || null;
  const full = !args.only;
  const dir = full ? BENCH : scratch;
  writeFileSync(join(dir, "RESULTS.md"), report(info, results, failures));
  writeFileSync(join(dir, "results.json"), JSON.stringify({ info, results, failures }, null, 1) + "\n");
  if (full) rmSync(scratch, { recursive: true, force: true });
  log(`\nbench: wrote ${join(dir, "RESULTS.md")}`);
  log(`bench: elapsed ${info.elapsedSeconds} s (measurements; the setup and build before them: ${info.bootstrapAndBuildSeconds ?? "?"} s)`);
  if (Object.keys(failures).length) {
    log(`bench: scenarios that could not run: ${Object.keys(failures).join(", ")}`);
    process.exitCode = 1;
  }
}

await main();
