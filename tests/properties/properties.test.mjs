// The property layer in `npm test` (docs/design.md): random sequences of API calls and
// server faults against the packed package, with a fixed seed and a number of runs that fits
// in about a minute, then every kept counterexample (regressions.mjs). The generators and the
// invariants are in harness.mjs; `npm run soak` runs the same property with random seeds for
// 10^6 operations.
//
// LIFELINE_FC_SEED / LIFELINE_FC_RUNS change the seed and the number of runs (LIFELINE_FC_AVOID
// is not used here: `npm test` generates everything).
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { PassedOnce, createHarness, disposeHarness, property } from "./harness.mjs";
import { REGRESSIONS } from "./regressions.mjs";
import { assertNoLeakedResources, ms, resourceBaseline } from "../support/helpers.mjs";
import { importPacked } from "../support/pack.mjs";

const SEED = Number(process.env.LIFELINE_FC_SEED ?? 20250515);
const RUNS = Number(process.env.LIFELINE_FC_RUNS ?? 200);
// Bounds the runs and the shrinking of a failure; a pass normally takes about a minute.
const TIME_LIMIT = ms(150_000);

let harness;
let baseline;
before(async () => {
  await importPacked();
  baseline = resourceBaseline();
  harness = await createHarness();
});
after(async () => {
  if (harness) await disposeHarness(harness);
  await assertNoLeakedResources(baseline, { label: "properties.test.mjs" });
});

function explain(details, avoid = []) {
  const env = avoid.length ? `LIFELINE_FC_AVOID=${avoid} ` : "";
  return (
    `${fc.defaultReportMessage(details)}\n` +
    `What went wrong (the shrunk case): ${details.errorInstance?.message ?? details.error}\n` +
    `Replay (and shrink) it: ${env}npm run soak -- --seed ${details.seed} --path "${details.counterexamplePath}"` +
    (harness.firstFailure ? `\nAs first found: ${harness.firstFailure.error}` : "")
  );
}

test(`random API calls and server faults: ${RUNS} runs, seed ${SEED}`, { timeout: TIME_LIMIT + ms(120_000) }, async () => {
  const t0 = performance.now();
  const ops0 = harness.ops;
  const details = await fc.check(property(harness, { avoid: [] }), { seed: SEED, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT)] });
  console.log(`  ${harness.ops - ops0} operations in ${details.numRuns} runs, ${Math.round(performance.now() - t0)} ms`);
  assert.ok(!details.failed, details.failed ? explain(details) : "");
  assert.equal(details.interrupted, false, `interrupted by the time limit after ${details.numRuns} of ${RUNS} runs`);
});

for (const { seed, path, avoid = [], what } of REGRESSIONS) {
  test(`regression: ${what}`, { timeout: ms(120_000) }, async () => {
    harness.firstFailure = undefined;
    // Exactly the case at seed and path (see PassedOnce), not the rest of its shrinking tree.
    const details = await fc.check(property(harness, { avoid, once: true }), { seed, path, endOnFailure: true });
    assert.equal(details.numRuns, 1, "one run");
    const passed = details.errorInstance instanceof PassedOnce;
    assert.ok(passed, passed ? "" : explain(details, avoid));
  });
}
