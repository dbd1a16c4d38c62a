// The Chromium side of the throughput benchmark, bundled with esbuild by
// bench/scenarios/throughput.mjs (lifeline-ws from the packed package, the peers from
// node_modules) and loaded by index.html. No DevTools protocol is attached (an attached
// client that watches the network gets an event per WebSocket frame, which slows the page
// down many times): the page asks the orchestrator's HTTP server for a job (GET /next),
// measures it, posts the result (POST /result), and reloads itself, so every measurement
// runs on a fresh page. /next answers null when there is nothing left.

import { LifelineSocket } from "lifeline-ws";
import ReconnectingWebSocket from "reconnecting-websocket";
import PartySocket from "partysocket/ws";
import Sockette from "sockette";
import * as WebsocketTs from "websocket-ts";
import { scaled, throughput } from "../workloads.mjs";

const lib = { node: false, WebSocket, LifelineSocket, ReconnectingWebSocket, PartySocket, Sockette, WebsocketTs };

async function next() {
  const job = await (await fetch("/next", { cache: "no-store" })).json();
  if (!job) {
    document.title = "done";
    return;
  }
  let result;
  try {
    result = { ok: true, value: await throughput(lib, job.name, job.url, job.settings, scaled(job.scale)) };
  } catch (error) {
    result = { ok: false, error: String(error?.stack ?? error) };
  }
  await fetch("/result", { method: "POST", body: JSON.stringify({ id: job.id, ...result }) });
  location.reload();
}

next();
