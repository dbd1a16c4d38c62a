// Memory over reconnect cycles, one library per process (run with --expose-gc):
//   node --expose-gc cycles-child.mjs <library> <url of a server that closes on open> <cycles>
// One client; the server closes every connection right after its handshake (code 4000), the
// client reconnects after a 1 ms delay: one cycle = connect, open, server close, reconnect.
// The heap is measured (two full GCs, then heapUsed; for lifeline-ws also the wasm memory)
// every cycles/4 cycles, the connection just opened; the first quarter is the warm-up.
// Prints one JSON line: { checkpoints: [{ cycle, heapUsed, wasmBytes, ms }], msPerCycle }.
// `ws` has no reconnection: its row makes a new socket by hand on every close (the baseline).

import { connect } from "../clients.mjs";
import { loadLibrary } from "./libraries.mjs";

const [name, url, cyclesArg] = process.argv.slice(2);
const cycles = Number(cyclesArg);
if (typeof gc != "function") throw new Error("run with --expose-gc");

// The wasm instance (lifeline-ws): its memory is outside the JS heap.
const instances = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  instances.push(instance);
  return instance;
};
const wasmBytes = () =>
  instances.reduce((sum, i) => sum + (i.exports.memory?.buffer.byteLength ?? 0), 0);

const lib = await loadLibrary(name);
const settings = { backoff: { min: 1, max: 1, factor: 2, jitter: "none", minUptime: 0 }, connectionTimeout: 4000 };

const step = Math.round(cycles / 4);
const checkpoints = [];
let count = -1; // the first open is not a cycle
const t0 = performance.now();
let client;

const measure = () => {
  gc();
  gc();
  checkpoints.push({ cycle: count, heapUsed: process.memoryUsage().heapUsed, wasmBytes: wasmBytes(), ms: performance.now() - t0 });
};

await new Promise((resolve, reject) => {
  const watchdog = setTimeout(() => reject(new Error(`${name}: ${count} cycles after 120 s`)), 120_000);
  const up = () => {
    count++;
    if (count > 0 && count % step == 0) measure();
    if (count == cycles) {
      clearTimeout(watchdog);
      client.close();
      resolve();
    }
  };
  if (name == "ws") {
    const again = () => {
      client = connect(lib, name, url, { up, message() {}, down: () => count < cycles && setTimeout(again, 1) });
    };
    again();
  } else client = connect(lib, name, url, { up, message() {} }, settings);
});

const last = checkpoints.at(-1);
process.stdout.write(JSON.stringify({ checkpoints, msPerCycle: last.ms / cycles }) + "\n");
