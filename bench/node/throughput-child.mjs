// A throughput worker for one library (bench/lib.mjs startWorker / serve):
//   node throughput-child.mjs <library> <url> [settings JSON; `detachFirst: true` detaches an
//   ArrayBuffer before anything else: the control row, see bench/scenarios/throughput.mjs]
// Connects one client, prints `ready`, then answers every { workload, scale } command with
// one measured run of that workload (workloads.mjs; counts × scale) on the same connection:
// { ms, messages, bytes, perSecond }. Closes the client when its stdin ends.
// bench/scenarios/throughput.mjs keeps one worker per library alive and hands the runs to
// them in turn, so that the libraries' runs of a round are seconds apart at most.

import { serve } from "../lib.mjs";
import { open, run, scaled } from "../workloads.mjs";
import { loadLibrary } from "./libraries.mjs";

const [name, url, settingsArg] = process.argv.slice(2);
const { detachFirst, ...settings } = settingsArg ? JSON.parse(settingsArg) : {};
let conn;
await serve(
  async () => {
    // The control row of the Node table: one ArrayBuffer detached before anything else.
    if (detachFirst) {
      const buffer = new ArrayBuffer(8);
      structuredClone(buffer, { transfer: [buffer] });
    }
    const lib = await loadLibrary(name);
    conn = await open(lib, name, url, settings);
    return {};
  },
  async ({ workload, scale = 1 }) => {
    const r = await run(conn, scaled(scale)[workload]);
    return { ...r, perSecond: (r.messages / r.ms) * 1000 };
  },
);
conn.client.close();
