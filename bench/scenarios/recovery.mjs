// Recovery after a server crash (bench/node/recovery-child.mjs): every reconnecting library
// side by side in one process, the server killed and restarted on the same port after 1–3 s.
// Comparable settings: first retry after 250 ms, × 2 per failure, at most 2 s; lifeline-ws
// without jitter (the others have none) and, on its own row, with its default full jitter.

import { FEATURES, LIBRARIES, settingsFor } from "../clients.mjs";
import { median, num, runChild, spread, table } from "../lib.mjs";

export const BACKOFF = { min: 250, max: 2000, factor: 2, jitter: "none", minUptime: 5000 };

const VARIANTS = [
  { label: "lifeline-ws (jitter none)", name: "lifeline-ws", settings: { backoff: BACKOFF } },
  { label: "lifeline-ws (jitter full, its default)", name: "lifeline-ws", settings: { backoff: { ...BACKOFF, jitter: "full" } } },
  ...LIBRARIES.filter((n) => n != "lifeline-ws" && FEATURES[n].reconnect).map((name) => ({ label: name, name, settings: { backoff: BACKOFF } })),
];

function describe(v) {
  const o = settingsFor(v.name, v.settings);
  switch (v.name) {
    case "lifeline-ws":
      return `backoff ${JSON.stringify(o.backoff)}`;
    case "sockette":
      return `timeout ${o.timeout} (a constant delay: no backoff)`;
    case "websocket-ts":
      return `ExponentialBackoff(${o.exponentialBackoff.join(", ")}) (its first retry waits 2 × base)`;
    default:
      return `minReconnectionDelay ${o.minReconnectionDelay}, maxReconnectionDelay ${o.maxReconnectionDelay}, reconnectionDelayGrowFactor ${o.reconnectionDelayGrowFactor}`;
  }
}

export async function run(ctx) {
  const reps = Math.max(ctx.reps, 7);
  const out = await runChild("recovery-child.mjs", [reps, ctx.seed, JSON.stringify(VARIANTS)], { timeout: 180_000 });
  const rows = VARIANTS.map((v) => {
    const values = out.results[v.label].filter((x) => x != null);
    const missed = out.results[v.label].length - values.length;
    return [
      v.label,
      `**${spread(values)}**${missed ? ` (${missed} not back in 10 s)` : ""}`,
      spread(out.attempts[v.label]),
      describe(v),
    ];
  });
  rows.push(["ws (raw)", "n/a (no reconnection)", "n/a", ""]);
  const markdown =
    table(["library", "listening again → reconnected, ms: median (min–max)", "sockets made, kill → back", "settings"], rows, ["l", "r", "r", "l"]) +
    `\n\n${reps} repetitions; downtimes (kill → listening again, ms): ${out.downtimes.join(", ")}.`;
  ctx.log(markdown);
  return { ...out, variants: VARIANTS, reps, markdown, medians: Object.fromEntries(VARIANTS.map((v) => [v.label, median(out.results[v.label].filter((x) => x != null))])) };
}
