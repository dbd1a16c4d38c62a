// The thundering herd, one run per process:
//   node herd-child.mjs <library> <clients> <jitter: full|equal|none> <downtime ms>
// Starts the bench server as a child process, opens <clients> clients of <library> in this
// process (batches of 100), kills the server (SIGKILL) once all are open, starts a new one on
// the same port <downtime> ms later, and waits until every client is back (60 s at most).
// Backoff: the library's defaults for lifeline-ws (initialDelay 1000, maxDelay 30000,
// factor 2) with the given jitter.
// Prints one JSON line, times in ms from the moment the new server was listening:
//   reconnects: each client's reconnect, sorted; upgrades: every handshake the new server
//   completed, sorted; missing: clients not back in time.

import { connect } from "../clients.mjs";
import { loadLibrary } from "./libraries.mjs";
import { now, spawnBenchServer } from "../server.mjs";

const [name, countArg, jitter, downtimeArg] = process.argv.slice(2);
const count = Number(countArg);
const downtime = Number(downtimeArg);
const settings = { backoff: { min: 1000, max: 30000, factor: 2, jitter, minUptime: 5000 }, connectionTimeout: 10000 };

const lib = await loadLibrary(name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let server = await spawnBenchServer({ port: 0 });
const url = server.url();
const clients = [];
const back = [];
let waitingFor = count;
let allBack;
const everyoneBack = new Promise((resolve) => (allBack = resolve));

function make() {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: a client not open after 30 s`)), 30_000);
    let client;
    client = connect(
      lib,
      name,
      url,
      {
        up: (kind) => {
          if (kind == "open") {
            clearTimeout(timer);
            resolve(client);
          } else {
            back.push(now());
            if (--waitingFor == 0) allBack();
          }
        },
        message() {},
      },
      settings,
    );
  });
}

for (let i = 0; i < count; i += 100) {
  clients.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, make))));
}
await sleep(500);
const port = server.port;
await server.kill();
const killedAt = now();
await sleep(downtime);
server = await spawnBenchServer({ port });
const listenedAt = server.listenedAt;
const limit = setTimeout(allBack, 60_000);
await everyoneBack;
clearTimeout(limit);
const stats = await server.stats();
for (const c of clients) c.close();
await server.stop();
const rel = (t) => Math.round((t - listenedAt) * 10) / 10;
process.stdout.write(
  JSON.stringify({
    clients: count,
    jitter,
    downtimeMs: Math.round(listenedAt - killedAt),
    reconnects: back.map(rel).sort((a, b) => a - b),
    upgrades: stats.upgrades.map(rel).sort((a, b) => a - b),
    missing: count - back.length,
  }) + "\n",
);
