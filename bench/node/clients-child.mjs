// Heap per connection, one library per process (run with --expose-gc):
//   node --expose-gc clients-child.mjs <library> <url> <clients>
// Loads the library and opens one client (so code and one-time setup are not counted), takes
// the heap (two full GCs, heapUsed; for lifeline-ws also its wasm memory), opens <clients>
// more in batches of 100, waits until all are open, takes the heap again, closes them all.
// Prints one JSON line: { clients, heapPerClient, wasmPerClient, heapBefore, heapAfter, ... }.

import { connect } from "../clients.mjs";
import { loadLibrary } from "./libraries.mjs";

const [name, url, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (typeof gc != "function") throw new Error("run with --expose-gc");

const instances = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  instances.push(instance);
  return instance;
};
const wasmBytes = () => instances.reduce((sum, i) => sum + (i.exports.memory?.buffer.byteLength ?? 0), 0);
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const lib = await loadLibrary(name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const open = () =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: a client not open after 30 s`)), 30_000);
    const client = connect(lib, name, url, {
      up: () => {
        clearTimeout(timer);
        resolve(client);
      },
      message() {},
    });
  });

const first = await open();
await sleep(50);
const heapBefore = heap();
const wasmBefore = wasmBytes();
const clients = [];
for (let i = 0; i < count; i += 100) {
  clients.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, open))));
}
await sleep(50);
const heapAfter = heap();
const wasmAfter = wasmBytes();
for (const c of [first, ...clients]) c.close();
process.stdout.write(
  JSON.stringify({
    clients: count,
    heapBefore,
    heapAfter,
    heapPerClient: (heapAfter - heapBefore) / count,
    wasmBefore,
    wasmAfter,
    wasmPerClient: (wasmAfter - wasmBefore) / count,
  }) + "\n",
);
