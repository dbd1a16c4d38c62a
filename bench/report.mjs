// Writes bench/RESULTS.md from the results of bench/run.mjs's scenarios.

import { kb, num } from "./lib.mjs";

const SECTIONS = {
  throughput: "Throughput",
  recovery: "Recovery after a server crash",
  detection: "Dead connection detection (half-open)",
  memory: "Memory",
  idle: "Idle cost: timers",
  size: "Size",
  herd: "Thundering herd: a server restart under 5,000 clients",
};

function summary(r) {
  const lines = [];
  const t = r.throughput;
  if (t) {
    const ratios = (d) =>
      ["echo", "push", "binary"].map((w) => `${w} ${num(d["lifeline-ws"][w].ratio, 2)}`).join(", ");
    const parts = [t.node && `Node ${ratios(t.node)}`, t.chromium && `Chromium ${ratios(t.chromium)}`].filter(Boolean);
    lines.push(`- **Throughput, lifeline-ws × raw WebSocket**: ${parts.join("; ")}.`);
    for (const [where, v] of Object.entries(t.verdict)) for (const line of v) lines.push(`  - ${where} ${line}`);
  }
  if (r.recovery) {
    const m = r.recovery.medians;
    const peers = Object.entries(m).filter(([k]) => !k.startsWith("lifeline-ws"));
    lines.push(
      `- **Recovery** (listening again → reconnected, median): lifeline-ws ${num(m["lifeline-ws (jitter none)"])} ms without jitter, ` +
        `${num(m["lifeline-ws (jitter full, its default)"])} ms with full jitter; ${peers.map(([k, v]) => `${k} ${num(v)} ms`).join(", ")}.`,
    );
  }
  if (r.detection) {
    const m = r.detection.medians;
    const none = Object.entries(m).filter(([k, v]) => k != "lifeline-ws" && Number.isNaN(v)).map(([k]) => k);
    lines.push(
      `- **Half-open detection** (heartbeat 1 s / 1 s): lifeline-ws ${num(m["lifeline-ws"])} ms (median; bound 2,000 ms); ` +
        `${none.join(", ")}: not detected within ${r.detection.limit / 1000} s.`,
    );
  }
  if (r.memory) {
    const c = r.memory.cycles["lifeline-ws"];
    const perClient = r.memory.clients["lifeline-ws"]?.map((x) => x.heapPerClient) ?? [];
    const raw = r.memory.clients.ws?.map((x) => x.heapPerClient) ?? [];
    const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
    lines.push(
      `- **Memory**: lifeline-ws heap growth ${num(c.growthPerCycle, 1)} B per reconnect cycle (5,000 → 10,000 cycles); ` +
        `${kb(med(perClient))} heap per connection (raw ws ${kb(med(raw))}).`,
    );
  }
  if (r.idle) {
    const d = r.idle.data;
    const off = d["lifeline-ws"];
    const on = d["lifeline-ws (heartbeat 1 s / 1 s)"];
    lines.push(
      `- **Idle**: lifeline-ws keeps ${num(off.pendingIdleMax)} timer pending without heartbeat and ${num(on.pendingIdleMax)} with one ` +
        `(${num(on.firedPerSecond, 1)} wake-up/s at a 1 s interval).`,
    );
  }
  if (r.size) {
    const d = r.size.data;
    lines.push(
      `- **Size** (esbuild, min + gzip): lifeline-ws ${kb(d["lifeline-ws"].gzip)} (budget 20 KB: over), of which wasm ${kb(d["lifeline-ws"].wasmGzip)}; ` +
        Object.entries(d).filter(([k]) => k != "lifeline-ws").map(([k, v]) => `${k} ${kb(v.gzip)}`).join(", ") + ".",
    );
  }
  if (r.herd) {
    lines.push(
      `- **Herd**: see the table — peak handshakes per 100 ms after a restart under ${num(r.herd.runs.none.clients)} clients, by jitter mode.`,
    );
  }
  return lines.join("\n");
}

export function report(info, results, failures) {
  const m = info.machine;
  const out = [];
  out.push("# Benchmark results");
  out.push("");
  out.push(
    "Measurements, not tests: the latest run of `npm run bench`, which rewrites this file. What each scenario does " +
      "and how to read it: [README.md](README.md). Raw figures of this run: [results.json](results.json).",
  );
  out.push("");
  out.push(`- **Date**: ${info.date}`);
  out.push(`- **Command**: \`${info.command}\` (${info.elapsedSeconds} s of measurements` + (info.bootstrapAndBuildSeconds != null ? `, after ${info.bootstrapAndBuildSeconds} s of setup and build)` : ")"));
  out.push(`- **Machine**: ${m.nproc} cores (\`nproc\`), ${m.cpu}, ${m.memory}, ${m.os}; load average ${info.loadBefore.map((x) => x.toFixed(2)).join(" ")} before, ${info.loadAfter.map((x) => x.toFixed(2)).join(" ")} after`);
  out.push(`- **Node** ${m.node}; **Chromium** ${m.chromium}`);
  out.push(`- **Versions**: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join("; ")}`);
  out.push(
    `- **Repetitions**: throughput and detection ${Math.max(info.reps, 5)}, recovery ${Math.max(info.reps, 7)}, the rest ${info.reps} ` +
      "(interleaved: repetition k starts with the k-th library); figures are medians, (min–max) the spread; " +
      "× raw = the median of the per-repetition ratios to the raw WebSocket's run of the same repetition.",
  );
  out.push("");
  if (Object.keys(failures).length) {
    out.push("**Scenarios that could not run**: " + Object.keys(failures).join(", ") + " (errors in results.json).");
    out.push("");
  }
  out.push("## Summary");
  out.push("");
  out.push(summary(results));
  out.push("");
  for (const [key, title] of Object.entries(SECTIONS)) {
    const r = results[key];
    if (!r) continue;
    out.push(`## ${title}`);
    out.push("");
    if (key == "throughput") {
      out.push("### Node (`ws` " + info.versions.ws + ")");
      out.push("");
      out.push(r.nodeTable);
      out.push("");
      out.push("### Headless Chromium");
      out.push("");
      out.push(r.chromiumTable);
      out.push("");
      out.push("### The libraries' own per-message code, without a network (Node)");
      out.push("");
      out.push(
        "Each library gets a stand-in WebSocket whose message listeners the bench calls directly with one event object; " +
          "the application's listener reads `event.data`. What remains is what the library adds per message: " +
          "deterministic to a nanosecond, where the end-to-end figures above move by ±10 % between runs on this machine.",
      );
      out.push("");
      out.push(r.dispatch.markdown);
      out.push("");
      out.push("Goal: ≥ 0.95 × raw and ahead of every peer.");
      out.push("");
      for (const [where, lines] of Object.entries(r.verdict)) for (const line of lines) out.push(`- ${where}, ${line}`);
    } else out.push(r.markdown);
    out.push("");
  }
  return out.join("\n");
}
