// Dead-connection detection (bench/node/detection-child.mjs): the half-open proxy goes mute
// under every library at once; lifeline-ws with heartbeat interval 1 s and timeout 1 s
// (its bound: interval + timeout = 2 s). Libraries without a heartbeat: "not detected".

import { LIBRARIES, FEATURES } from "../clients.mjs";
import { median, runChild, spread, table } from "../lib.mjs";

const HEARTBEAT = { interval: 1000, timeout: 1000 };
const LIMIT = 5000;

const VARIANTS = LIBRARIES.map((name) => ({
  label: name,
  name,
  settings: FEATURES[name].heartbeat ? { heartbeat: HEARTBEAT } : undefined,
}));

export async function run(ctx) {
  const reps = Math.max(ctx.reps, 5);
  const out = await runChild("detection-child.mjs", [reps, ctx.seed, LIMIT, JSON.stringify(VARIANTS)], { timeout: 180_000 });
  const rows = VARIANTS.map((v) => {
    const values = out.results[v.label].filter((x) => x != null);
    const missed = out.results[v.label].length - values.length;
    let cell;
    if (!values.length) cell = `not detected (none of ${missed} within ${LIMIT / 1000} s)`;
    else cell = `**${spread(values)}**` + (missed ? `; ${missed} of ${out.results[v.label].length} not detected` : "");
    return [v.name == "ws" ? "ws (raw)" : v.name, cell, FEATURES[v.name].heartbeat ? "interval 1 s, timeout 1 s" : "no heartbeat"];
  });
  const markdown =
    table(["library", "mute → connection reported gone, ms: median (min–max)", "heartbeat"], rows, ["l", "r", "l"]) +
    `\n\n${reps} repetitions; the mute comes 1.5 s + a random 0–1 s after open (a random heartbeat phase).`;
  ctx.log(markdown);
  return { ...out, markdown, limit: LIMIT, medians: Object.fromEntries(VARIANTS.map((v) => [v.label, median(out.results[v.label].filter((x) => x != null))])) };
}
