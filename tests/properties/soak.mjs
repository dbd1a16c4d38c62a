// `npm run soak`: the property layer (tests/properties/harness.mjs) for a long time, with random
// seeds: 10^6 operations in all by default, spread over worker processes (the runs mostly
// wait on timers and the network, so several share a core well), bounded by a time limit.
// On the first failure it prints the counterexample, its seed and path (replay it with
// --seed and --path, or add it to tests/properties/regressions.mjs), and exits 1.
//
//   npm run soak                                  # 10^6 operations, 6 workers, at most 60 min
//   npm run soak -- --ops 200000 --jobs 6 --minutes 30
//   npm run soak -- --seed 123 --path "45:3:1"    # replay one counterexample (and shrink it if it fails)
//
// Options: --ops N (total operations, default 1000000), --jobs J (workers, default 6),
// --minutes M (time limit, default 60), --runs R (runs per batch of a worker, default 25),
// --seed S / --path P (replay), --no-shrink (report the first failure as it is).
// LIFELINE_FC_TRACE=n adds the last n lines of the failing run's trace to the report;
// LIFELINE_FC_AVOID leaves known bugs out (tests/properties/README.md).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { AVOID, MAX_OPS, PassedOnce, createHarness, disposeHarness, property } from "./harness.mjs";

const { values: args } = parseArgs({
  options: {
    ops: { type: "string", default: "1000000" },
    jobs: { type: "string", default: "6" },
    minutes: { type: "string", default: "60" },
    runs: { type: "string", default: "25" },
    seed: { type: "string" },
    path: { type: "string" },
    "no-shrink": { type: "boolean", default: false },
    worker: { type: "boolean", default: false },
    index: { type: "string", default: "0" },
  },
});

const SELF = fileURLToPath(import.meta.url);
const SHRINK_MINUTES = 5; // a batch of runs, and the shrinking of a failure found in it, at most

if (args.worker) await worker();
else if (args.seed !== undefined) await replay();
else await parent();

/** One process: batches of runs with random seeds until told to stop (a line on stdin). */
async function worker() {
  const harness = await createHarness({ ports: { base: 20000 + Number(args.index) * 1500, size: 1500 } });
  let stop = false;
  process.stdin.on("data", () => (stop = true));
  process.stdin.on("end", () => (stop = true));
  let reported = 0;
  let seed;
  let found = false;
  const progress = setInterval(() => {
    process.stdout.write(`OPS ${harness.ops - reported} RUNS ${harness.runs}\n`);
    reported = harness.ops;
    if (harness.firstFailure && !found) {
      found = true;
      const { config, ops, error } = harness.firstFailure;
      process.stdout.write(`FOUND ${JSON.stringify({ seed, counterexample: fc.stringify([config, ops]), error })}\n`);
    }
  }, 2000);
  let failed = null;
  while (!stop && !failed) {
    seed = (Math.random() * 2 ** 31) | 0;
    // A batch takes well under a minute; the rest of the limit is for shrinking a failure.
    const details = await fc.check(property(harness), {
      seed,
      numRuns: Number(args.runs),
      endOnFailure: args["no-shrink"],
      plugins: [fc.interruptAfterTimeLimit(SHRINK_MINUTES * 60 * 1000)],
    });
    if (details.failed) failed = details;
  }
  clearInterval(progress);
  process.stdout.write(`OPS ${harness.ops - reported} RUNS ${harness.runs}\n`);
  if (failed) process.stdout.write(`FAILED ${JSON.stringify(report(failed))}\n`);
  process.stdin.destroy();
  await disposeHarness(harness);
  process.exitCode = failed ? 1 : 0;
}

function report(details) {
  return {
    seed: details.seed,
    path: details.counterexamplePath,
    error: String(details.errorInstance?.message ?? details.error),
    counterexample: fc.stringify(details.counterexample),
    shrinks: details.numShrinks,
    interrupted: details.interrupted,
  };
}

function print(r) {
  console.log(`\nsoak: FAILED (seed ${r.seed}, path "${r.path}", shrunk ${r.shrinks} times${r.interrupted ? ", shrinking cut short by the time limit" : ""})`);
  console.log(`replay: ${AVOID.length ? `LIFELINE_FC_AVOID=${AVOID} ` : ""}npm run soak -- --seed ${r.seed} --path "${r.path}"`);
  const avoid = AVOID.length ? `, avoid: ${JSON.stringify(AVOID)}` : "";
  console.log(`regression entry (tests/properties/regressions.mjs): { seed: ${r.seed}, path: "${r.path}"${avoid}, what: "…" },`);
  console.log(`\ncounterexample [config, operations]:\n${r.counterexample}`);
  console.log(`\nwhat went wrong:\n${r.error}`);
}

async function replay() {
  const harness = await createHarness();
  const seed = Number(args.seed);
  // The case at seed and path alone first (fast-check would go on through its shrinking
  // tree when it passes); then, when it fails, shrink it from there.
  let details = await fc.check(property(harness, { once: true }), { seed, path: args.path, endOnFailure: true });
  const passed = details.errorInstance instanceof PassedOnce;
  if (!passed && !args["no-shrink"]) details = await fc.check(property(harness), { seed, path: args.path });
  await disposeHarness(harness);
  if (passed) console.log(`soak: seed ${args.seed} path "${args.path ?? ""}" passed (${harness.ops} operations)`);
  else {
    print(report(details));
    process.exitCode = 1;
  }
}

async function parent() {
  const target = Number(args.ops);
  const jobs = Math.min(Number(args.jobs), 8); // 8 blocks of ports below 32768
  const limit = Number(args.minutes) * 60 * 1000;
  const t0 = performance.now();
  let ops = 0;
  let failure = null;
  let stopping = false;
  const runsOf = new Array(jobs).fill(0);
  const runs = () => runsOf.reduce((a, b) => a + b, 0);
  console.log(`soak: ${target} operations over ${jobs} workers, at most ${args.minutes} min (up to ${MAX_OPS} operations a run)`);
  const procs = [];
  const exits = [];
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const p of procs) p.stdin.end("stop\n");
  };
  for (let i = 0; i < jobs; i++) {
    const child = spawn(process.execPath, [SELF, "--worker", "--index", String(i), "--runs", args.runs, ...(args["no-shrink"] ? ["--no-shrink"] : [])], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    child.stdin.on("error", () => {});
    procs.push(child);
    exits.push(new Promise((resolve) => child.on("exit", (code) => resolve(code))));
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      for (let nl; (nl = buffer.indexOf("\n")) >= 0; ) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^OPS (\d+) RUNS (\d+)/.exec(line);
        if (m) {
          ops += Number(m[1]);
          runsOf[i] = Number(m[2]);
          if (ops >= target) stopAll();
        } else if (line.startsWith("FOUND ")) {
          const found = JSON.parse(line.slice(6));
          console.log(`soak: worker ${i} found a failure (batch seed ${found.seed}); shrinking it (at most ${SHRINK_MINUTES} min). As found:`);
          console.log(`${found.error}\n${found.counterexample}`);
          stopAll();
        } else if (line.startsWith("FAILED ")) {
          failure ??= JSON.parse(line.slice(7));
          stopAll();
        } else if (line) console.log(`worker ${i}: ${line}`);
      }
    });
  }
  const timer = setTimeout(() => {
    console.log(`soak: time limit of ${args.minutes} min reached`);
    stopAll();
  }, limit);
  const status = setInterval(() => {
    const s = (performance.now() - t0) / 1000;
    console.log(`soak: ${ops} operations, ${runs()} runs, ${Math.round(s)} s (${Math.round(ops / s)} operations/s)`);
  }, 30000);
  const codes = await Promise.all(exits);
  clearTimeout(timer);
  clearInterval(status);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`soak: ${ops} operations in ${runs()} runs, ${seconds.toFixed(0)} s (${Math.round(ops / seconds)} operations/s, ${jobs} workers)`);
  if (failure) {
    print(failure);
    process.exitCode = 1;
  } else if (codes.some((c) => c !== 0)) {
    console.log(`soak: a worker exited with ${codes.join(", ")}`);
    process.exitCode = 1;
  } else if (ops < target) console.log(`soak: stopped by the time limit before ${target} operations`);
}
