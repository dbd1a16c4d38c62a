// Idle cost: timers of one connected client that sends and receives nothing, with heartbeats
// off and (lifeline-ws only: no peer has one) on at interval 1 s / timeout 1 s. One process
// per library (bench/node/idle-child.mjs wraps the timer globals before loading it), all run
// side by side against one server; repeated `ctx.reps` times, the figures are the medians.

import { FEATURES, LIBRARIES } from "../clients.mjs";
import { median, num, pool, runChild, table } from "../lib.mjs";
import { startBenchServer } from "../server.mjs";

const HEARTBEAT = { interval: 1000, timeout: 1000 };

export async function run(ctx) {
  const server = await startBenchServer();
  const variants = [];
  for (const name of LIBRARIES) {
    variants.push({ name, heartbeat: null });
    if (FEATURES[name].heartbeat) variants.push({ name, heartbeat: HEARTBEAT });
  }
  const results = variants.map(() => []);
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      const out = await pool(
        variants.map((v) => () =>
          runChild("idle-child.mjs", [v.name, server.url(), ...(v.heartbeat ? [JSON.stringify(v.heartbeat)] : [])]),
        ),
        variants.length,
      );
      out.forEach((r, i) => results[i].push(r));
    }
  } finally {
    await server.stop();
  }
  const rows = [];
  const data = {};
  variants.forEach((v, i) => {
    const rs = results[i];
    const m = (k) => median(rs.map((r) => r[k]));
    const label = v.heartbeat ? `${v.name} (heartbeat 1 s / 1 s)` : v.name;
    data[label] = { pendingAtOpen: m("pendingAtOpen"), pendingIdleMax: m("pendingIdleMax"), pendingIdleMin: m("pendingIdleMin"), firedPerSecond: m("firedPerSecond"), runs: rs };
    rows.push([label, num(m("pendingAtOpen")), `**${num(m("pendingIdleMin"))}–${num(m("pendingIdleMax"))}**`, num(m("firedPerSecond"), 1)]);
  });
  for (const name of LIBRARIES) if (!FEATURES[name].heartbeat) rows.push([`${name} (heartbeat)`, "n/a", "n/a (no heartbeat)", "n/a"]);
  const w = results[0][0];
  const markdown = table(
    ["library", "timers pending 100 ms after open", `pending while idle (${w.settleMs / 1000}–${(w.settleMs + w.windowMs) / 1000} s after open, min–max)`, "timer callbacks / s while idle"],
    rows,
    ["l", "r", "r", "r"],
  );
  ctx.log(markdown);
  return { data, markdown };
}
