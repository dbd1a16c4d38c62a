// One library's side of the Chromium throughput benchmark, in its own iframe (frame.html):
// its own realm, so no code of the bench is shared between libraries (no call site sees two
// libraries' functions). Bundled with esbuild by bench/scenarios/throughput.mjs (lifeline-ws
// from the packed package, the peers from node_modules); driven by top.mjs through
// window.bench.

import { LifelineSocket } from "lifeline-ws";
import ReconnectingWebSocket from "reconnecting-websocket";
import PartySocket from "partysocket/ws";
import Sockette from "sockette";
import * as WebsocketTs from "websocket-ts";
import { open, run, scaled } from "../workloads.mjs";

const lib = { node: false, WebSocket, LifelineSocket, ReconnectingWebSocket, PartySocket, Sockette, WebsocketTs };
let conn;

window.bench = {
  async connect(name, url, settings) {
    conn = await open(lib, name, url, settings);
  },
  async run(workload, scale) {
    const r = await run(conn, scaled(scale)[workload]);
    return { ...r, perSecond: (r.messages / r.ms) * 1000 };
  },
  close() {
    conn?.client.close();
  },
};
