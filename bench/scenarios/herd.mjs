// The thundering herd (bench/node/herd-child.mjs): CLIENTS lifeline-ws clients in one Node
// process, the server killed and restarted after DOWNTIME ms, with each jitter mode and the
// default backoff (initialDelay 1000, maxDelay 30000, factor 2). What a restart costs the
// server: the peak of handshakes it completed per 100 ms, and when the clients came back.

import { num, quantile, runChild, table } from "../lib.mjs";

export const CLIENTS = 5_000;
export const DOWNTIME = 2000;
const MODES = ["none", "equal", "full"];
const BUCKET = 500; // ms, for the histogram

function peakPer100ms(times) {
  const buckets = new Map();
  for (const t of times) {
    const k = Math.floor(t / 100);
    buckets.set(k, (buckets.get(k) ?? 0) + 1);
  }
  let peak = 0;
  let at = 0;
  for (const [k, n] of buckets) if (n > peak) [peak, at] = [n, k * 100];
  return { peak, at };
}

function histogram(times, clients) {
  const last = Math.max(0, ...times);
  const lines = [];
  const width = 50;
  for (let from = 0; from <= last; from += BUCKET) {
    const n = times.filter((t) => t >= from && t < from + BUCKET).length;
    const bar = "#".repeat(Math.ceil((n / clients) * width * 4));
    lines.push(`${num(from / 1000, 1).padStart(5)}–${num((from + BUCKET) / 1000, 1).padEnd(5)} s ${String(n).padStart(5)} ${bar}`);
  }
  return lines.join("\n");
}

export async function run(ctx) {
  const runs = {};
  for (const mode of MODES) {
    runs[mode] = await runChild("herd-child.mjs", ["lifeline-ws", ctx.herdClients ?? CLIENTS, mode, DOWNTIME], { timeout: 180_000 });
    ctx.log(`  herd: jitter ${mode} done`);
  }
  const rows = MODES.map((mode) => {
    const r = runs[mode];
    const p = peakPer100ms(r.upgrades);
    const q = (x) => num(quantile(r.reconnects, x) / 1000, 2);
    return [
      mode,
      `**${num(p.peak)}** (at ${num(p.at / 1000, 1)} s)`,
      q(0.5),
      q(0.9),
      q(0.99),
      num(r.reconnects.at(-1) / 1000, 2),
      r.missing ? `${r.missing} not back in 60 s` : "all back",
    ];
  });
  const clients = runs.none.clients;
  const markdown =
    table(
      ["jitter", "peak handshakes per 100 ms", "p50 back (s)", "p90 (s)", "p99 (s)", "last (s)", ""],
      rows,
      ["l", "r", "r", "r", "r", "r", "l"],
    ) +
    `\n\n${num(clients)} clients in one Node process; server down ${MODES.map((m) => num(runs[m].downtimeMs)).join(" / ")} ms ` +
    "(none / equal / full); times from the new server listening. One run per mode.\n\n" +
    "Reconnections per 500 ms after the restart (each # is " +
    `${num(clients / 200)} clients):\n\n` +
    MODES.map((m) => "```\njitter " + m + "\n" + histogram(runs[m].reconnects, clients) + "\n```").join("\n\n");
  ctx.log(markdown);
  // For results.json: per-100-ms counts instead of one time per client.
  const per100ms = (times) => {
    const counts = [];
    for (const t of times) {
      const k = Math.max(0, Math.floor(t / 100));
      counts[k] = (counts[k] ?? 0) + 1;
    }
    return Array.from(counts, (n) => n ?? 0);
  };
  const summary = Object.fromEntries(
    MODES.map((m) => {
      const r = runs[m];
      const p = peakPer100ms(r.upgrades);
      return [
        m,
        {
          clients: r.clients,
          downtimeMs: r.downtimeMs,
          missing: r.missing,
          peakPer100ms: p.peak,
          peakAtMs: p.at,
          backMs: { p50: quantile(r.reconnects, 0.5), p90: quantile(r.reconnects, 0.9), p99: quantile(r.reconnects, 0.99), last: r.reconnects.at(-1) },
          reconnectsPer100ms: per100ms(r.reconnects),
          handshakesPer100ms: per100ms(r.upgrades),
        },
      ];
    }),
  );
  return { runs: summary, markdown };
}
