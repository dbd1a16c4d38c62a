// Writes bench/RESULTS.md from the results of bench/run.mjs's scenarios.

import { kb, median, num } from "./lib.mjs";
import { BUDGET } from "./scenarios/size.mjs";

const SECTIONS = {
  throughput: "Throughput",
  recovery: "Recovery after a server crash",
  detection: "Dead connection detection (half-open)",
  memory: "Memory",
  idle: "Idle cost: timers",
  size: "Size",
  "first-socket": "Time to first socket",
  herd: "Thundering herd: a server restart under thousands of clients",
  share: "One connection for every tab (share)",
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
    if (t.dispatch) {
      const d = t.dispatch.runs;
      const added = (label) => num(median(d[label].map((x, round) => x - d.ws[round])), 1);
      lines.push(
        `  - each library's own per-message code (no network): lifeline-ws adds ${added("lifeline-ws")} ns per message; ` +
          Object.keys(d).filter((k) => k != "ws" && !k.startsWith("lifeline-ws")).map((k) => `${k} ${added(k)}`).join(", ") + " ns.",
      );
    }
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
    const none = Object.entries(m).filter(([k, v]) => k != "lifeline-ws" && (v == null || Number.isNaN(v))).map(([k]) => k);
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
      `- **Size** (esbuild, min + gzip): lifeline-ws ${kb(d["lifeline-ws"].gzip)} (budget ${kb(BUDGET)}: ${d["lifeline-ws"].gzip > BUDGET ? "over" : "within"}), of which wasm ${kb(d["lifeline-ws"].wasmGzip)}; ` +
        Object.entries(d).filter(([k]) => k != "lifeline-ws").map(([k, v]) => `${k} ${kb(v.gzip)}`).join(", ") + ".",
    );
  }
  if (r["first-socket"]) {
    const f = r["first-socket"];
    const parts = [];
    const RAW = { node: "raw ws (its import and first socket)", chromium: "the native WebSocket's first" };
    for (const [where, title] of [["node", "Node"], ["chromium", "Chromium"]]) {
      const d = f[where];
      if (!d) continue;
      const ms = (label) => `${num(d[label].totalMs, 1)} ms (${num(d[label].importMs, 1)} + ${num(d[label].firstMs, 1)})`;
      const labels = Object.keys(d);
      const raw = labels.find((k) => d[k].key == "ws");
      const before = labels.find((k) => d[k].key == "lifeline-ws-before");
      const peers = labels.filter((k) => !["ws", "lifeline-ws", "lifeline-ws-before"].includes(d[k].key));
      parts.push(
        `${title} lifeline-ws ${ms("lifeline-ws")}` +
          (before ? `, before ${ms(before)}, after ÷ before per repetition ${num(f[`${where}Compare`].total.ratio, 2)}` : "") +
          `; ${peers.map((k) => `${k} ${num(d[k].totalMs, 1)}`).join(", ")} ms; ${RAW[where]} ${num(d[raw].totalMs, 1)} ms, cold`,
      );
    }
    lines.push(`- **Time to first socket** (import + first construction; medians, a fresh process each time): ${parts.join(". ")}.`);
  }
  if (r.herd) {
    const runs = r.herd.runs;
    const modes = Object.keys(runs);
    lines.push(
      `- **Herd** (${num(runs.none.clients)} clients, server restarted): peak handshakes per 100 ms ` +
        modes.map((m) => `${m} ${num(runs[m].peakPer100ms)}`).join(", ") +
        "; half the clients back after " +
        modes.map((m) => `${num(runs[m].backMs.p50 / 1000, 1)}`).join(" / ") +
        " s, the last after " +
        modes.map((m) => `${num(runs[m].backMs.last / 1000, 1)}`).join(" / ") + " s.",
    );
  }
  if (r.share) {
    const at = (n, share) => r.share.runs.find((x) => x.n == n && x.share == share);
    const med = (a) => (a.length ? [...a].sort((x, y) => x - y)[a.length >> 1] : NaN);
    const s8 = at(8, true);
    const a8 = at(8, false);
    if (s8 && a8)
      lines.push(
        `- **share**, 8 pages: ${s8.connections} server connection and ${s8.handshakes} handshake after a restart (without: ${a8.connections} and ${a8.handshakes}); ` +
          `message delay, median: leader ${num(med(s8.lead.delays), 2)} ms, followers ${num(med(s8.follow.delays), 2)} ms.`,
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
    `- **Repetitions**: throughput ${Math.max(info.reps, 5)} of each workload's full count per library, in 5 segments each, ` +
      "round robin (a round is one segment of every library, back to back); " +
      `detection ${Math.max(info.reps, 5)}, recovery ${Math.max(info.reps, 7)}, the rest ${info.reps} (repetition k starts with the k-th library). ` +
      "Figures are medians, (min–max) the spread; throughput's × raw is the median of the per-round ratios to the raw " +
      "WebSocket's segment of the same round, with the interquartile range (IQR).",
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
      out.push(
        "The control row is raw `ws` in a process that detached one ArrayBuffer before connecting — what any wasm memory " +
          "growth does (the package before issue 14 grew its memory at the first allocation; the current one allocates " +
          "from a static arena in its initial memory and does not grow it: Memory below). It turns off a V8 typed-array " +
          "fast path for the whole process, which slows `ws`'s JavaScript masking (no `bufferutil`) and, a little, its " +
          "frame parsing: [README.md](README.md#reading-the-figures).",
      );
      out.push("");
      out.push("### Headless Chromium");
      out.push("");
      out.push(r.chromiumTable);
      out.push("");
      out.push("### The libraries' own per-message code, without a network (Node)");
      out.push("");
      out.push(
        "Each library gets a stand-in WebSocket whose message listeners the bench calls directly with one event object; " +
          "the application's listener reads `event.data`. What remains is what the library adds per message, " +
          "without the network and the other process that make the end-to-end figures above move.",
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
