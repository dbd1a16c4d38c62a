// Recovery after a server crash: node recovery-child.mjs <repetitions> <seed> <variants JSON>
// Each repetition starts the bench server as a child process, connects one client of every
// variant ({label, name, settings}) to it, all in this process, kills the server (SIGKILL)
// once all are open, and starts a new one on the same port after a downtime drawn between
// 1 and 3 s (seeded; the same for every variant of the repetition). Measured, per variant:
// the time from the new server listening (its own clock) to the client's reconnection
// (lifeline-ws: its `reconnect` event; the others: their next `open`), and the number of
// sockets the client made from the kill to its reconnection (the successful one included):
// every variant connects to its own path, and the WebSocket class all of them use (passed as
// the option, or the global for sockette and websocket-ts) counts constructions per URL.
// Prints one JSON line: { downtimes: [ms], results: { label: [ms | null] }, attempts: {...} }.

import { connect } from "../clients.mjs";
import { random } from "../lib.mjs";
import { loadLibrary } from "./libraries.mjs";
import { now, spawnBenchServer } from "../server.mjs";

const LIMIT = 10_000;

const [repsArg, seedArg, variantsArg] = process.argv.slice(2);
const variants = JSON.parse(variantsArg);
const rand = random(Number(seedArg));
const libs = {};
for (const v of variants) libs[v.name] ??= await loadLibrary(v.name);
const made = new Map(); // url -> sockets constructed
const Counted = class extends libs[variants[0].name].WebSocket {
  constructor(url, ...rest) {
    made.set(String(url), (made.get(String(url)) ?? 0) + 1);
    super(url, ...rest);
  }
};
globalThis.WebSocket = Counted;
for (const lib of Object.values(libs)) lib.WebSocket = Counted;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const downtimes = [];
const results = Object.fromEntries(variants.map((v) => [v.label, []]));
const attempts = Object.fromEntries(variants.map((v) => [v.label, []]));

for (let rep = 0; rep < Number(repsArg); rep++) {
  let server = await spawnBenchServer();
  const fleet = variants.map((v) => {
    const entry = { v, opened: null, back: null, url: server.url(`/v${variants.indexOf(v)}`) };
    entry.ready = new Promise((resolve) => (entry.opened = resolve));
    entry.returned = new Promise((resolve) => (entry.backed = resolve));
    entry.client = connect(
      libs[v.name],
      v.name,
      entry.url,
      {
        up: (kind) => {
          if (kind == "open") entry.opened();
          else {
            entry.back = now();
            entry.backed();
          }
        },
        message() {},
      },
      v.settings,
    );
    return entry;
  });
  await Promise.all(fleet.map((e) => e.ready));
  await sleep(300);
  const port = server.port;
  await server.kill();
  for (const e of fleet) e.before = made.get(e.url);
  const downtime = 1000 + Math.round(rand() * 2000);
  await sleep(downtime);
  server = await spawnBenchServer({ port });
  downtimes.push(downtime);
  let limit;
  await Promise.race([Promise.all(fleet.map((e) => e.returned)), new Promise((r) => (limit = setTimeout(r, LIMIT)))]);
  clearTimeout(limit);
  for (const e of fleet) {
    results[e.v.label].push(e.back == null ? null : Math.round((e.back - server.listenedAt) * 10) / 10);
    attempts[e.v.label].push(made.get(e.url) - e.before);
    e.client.close();
  }
  await server.stop();
}
process.stdout.write(JSON.stringify({ downtimes, results, attempts }) + "\n");
