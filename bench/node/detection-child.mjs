// Dead-connection detection: node detection-child.mjs <repetitions> <seed> <limit ms> <variants JSON>
// Each repetition starts the bench server and the half-open proxy of tests/support (muted, it
// keeps both TCP connections open and forwards nothing: no data, no FIN, no RST), connects one
// client of every variant through the proxy, all in this process, waits 1.5 s plus a random
// phase in [0, 1 s) (seeded), mutes the proxy, and records when each client reports the
// connection gone (its `close` event), up to <limit> ms after the mute.
// Prints one JSON line: { results: { label: [ms | null] } } (null: not detected in time).

import { connect } from "../clients.mjs";
import { random } from "../lib.mjs";
import { loadLibrary } from "./libraries.mjs";
import { now, startBenchServer } from "../server.mjs";
import { startProxy } from "../../tests/support/proxy.mjs";

const [repsArg, seedArg, limitArg, variantsArg] = process.argv.slice(2);
const variants = JSON.parse(variantsArg);
const limit = Number(limitArg);
const rand = random(Number(seedArg));
const libs = {};
for (const v of variants) libs[v.name] ??= await loadLibrary(v.name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const results = Object.fromEntries(variants.map((v) => [v.label, []]));
const server = await startBenchServer();
for (let rep = 0; rep < Number(repsArg); rep++) {
  const proxy = await startProxy({ port: server.port });
  let mutedAt = Infinity;
  const fleet = variants.map((v) => {
    const entry = { v, down: null };
    entry.ready = new Promise((resolve) => (entry.opened = resolve));
    entry.client = connect(
      libs[v.name],
      v.name,
      proxy.url(),
      {
        up: () => entry.opened(),
        down: () => {
          if (entry.down == null && now() >= mutedAt) entry.down = now() - mutedAt;
        },
        message() {},
      },
      v.settings,
    );
    return entry;
  });
  await Promise.all(fleet.map((e) => e.ready));
  await sleep(1500 + rand() * 1000);
  proxy.mute();
  mutedAt = now();
  await sleep(limit);
  for (const e of fleet) {
    results[e.v.label].push(e.down == null ? null : Math.round(e.down * 10) / 10);
    e.client.close();
  }
  await proxy.stop();
}
await server.stop();
process.stdout.write(JSON.stringify({ results }) + "\n");
