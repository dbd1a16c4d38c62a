// Memory (node --expose-gc, one process per library; bench/node/cycles-child.mjs and
// clients-child.mjs):
//   cycles     one client through CYCLES reconnect cycles (the server closes every connection
//              at once, the client reconnects after 1 ms); heap after two full GCs every
//              CYCLES/4 cycles. Growth per cycle = (heap at CYCLES − heap at CYCLES/2) / (CYCLES/2):
//              flat means ~0 (the first quarter is the warm-up: code and caches).
//   clients    heap per connection: CLIENTS clients opened at once, (heap after − heap
//              before) / CLIENTS, one client open before (loading and one-time setup not counted).
// lifeline-ws's wasm memory (outside the JS heap) is shown beside its heap.

import { LIBRARIES } from "../clients.mjs";
import { kb, median, num, pool, runChild, spread, table } from "../lib.mjs";
import { spawnBenchServer } from "../server.mjs";

export const CYCLES = 10_000;
export const CLIENTS = 1_000;

async function cycles(ctx) {
  const server = await spawnBenchServer({ closeOnOpen: 4000 });
  try {
    const out = await pool(
      LIBRARIES.map((name) => () =>
        runChild("cycles-child.mjs", [name, server.url(), CYCLES], { nodeArgs: ["--expose-gc"], timeout: 240_000 }).catch((error) => ({ error: error.message })),
      ),
      3,
    );
    return Object.fromEntries(LIBRARIES.map((name, i) => [name, out[i]]));
  } finally {
    await server.stop();
  }
}

async function clients(ctx) {
  const server = await spawnBenchServer();
  try {
    const tasks = [];
    for (let rep = 0; rep < ctx.reps; rep++)
      for (const name of LIBRARIES)
        tasks.push(() => runChild("clients-child.mjs", [name, server.url(), CLIENTS], { nodeArgs: ["--expose-gc"] }).then((r) => ({ name, ...r })));
    const out = await pool(tasks, 2);
    return Object.fromEntries(LIBRARIES.map((name) => [name, out.filter((r) => r.name == name)]));
  } finally {
    await server.stop();
  }
}

export async function run(ctx) {
  const c = await cycles(ctx);
  ctx.log("  memory: cycles done");
  const k = await clients(ctx);
  const rows = LIBRARIES.map((name) => {
    const r = c[name];
    const per = k[name];
    const perClient = per.map((x) => x.heapPerClient);
    const wasmPer = per.map((x) => x.wasmPerClient);
    if (r.error) return [name, "failed", "", "", "", spread(perClient.map((x) => x / 1024), 1, " KB")];
    const at = (n) => r.checkpoints.find((p) => p.cycle == n) ?? r.checkpoints.at(-1);
    const half = at(CYCLES / 2);
    const full = at(CYCLES);
    const growth = (full.heapUsed - half.heapUsed) / (CYCLES / 2);
    const wasm = name == "lifeline-ws" ? ` + wasm ${kb(half.wasmBytes, 0)} → ${kb(full.wasmBytes, 0)}` : "";
    r.growthPerCycle = growth;
    return [
      name == "ws" ? "ws (raw; a new socket by hand per cycle)" : name,
      r.checkpoints.map((p) => kb(p.heapUsed, 0)).join(" → ") + wasm,
      `**${num(growth, 1)} B**`,
      num(r.msPerCycle, 2),
      spread(perClient.map((x) => x / 1024), 1, " KB") + (name == "lifeline-ws" ? ` + wasm ${num(median(wasmPer) / 1024, 2)} KB` : ""),
    ];
  });
  const checkpoints = c["lifeline-ws"].checkpoints?.map((p) => num(p.cycle)).join(" / ") ?? "";
  const markdown = table(
    ["library", `heap after ${checkpoints} reconnect cycles`, `growth per cycle (${num(CYCLES / 2)} → ${num(CYCLES)})`, "ms per cycle", `heap per connection, ${num(CLIENTS)} clients: median (min–max) of ${ctx.reps}`],
    rows,
    ["l", "r", "r", "r", "r"],
  );
  ctx.log(markdown);
  return { cycles: c, clients: k, markdown };
}
