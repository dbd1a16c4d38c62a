// Loads the libraries for clients.mjs in Node: only the one asked for (so that a process
// measuring one library holds no other), lifeline-ws from the packed package (the tarball
// installed by tests/support/pack.mjs; its entry comes in BENCH_LIFELINE_ENTRY from
// bench/run.mjs), the peers from the repository's devDependencies. Node 20 has no global
// WebSocket: the `ws` package's is passed as the `WebSocket` option where a library takes
// one, and set as globalThis.WebSocket for those that only use the global (sockette,
// websocket-ts).

import { createRequire } from "node:module";
import WebSocket from "ws";

const require = createRequire(import.meta.url);

export async function lifelineEntry() {
  if (process.env.BENCH_LIFELINE_ENTRY) return process.env.BENCH_LIFELINE_ENTRY;
  const { installPacked } = await import("../../tests/support/pack.mjs");
  return (await installPacked()).esmEntry;
}

/** { node: true, WebSocket, <the library's constructors> } for clients.mjs's connect(). */
export async function loadLibrary(name) {
  const lib = { node: true, WebSocket };
  globalThis.WebSocket ??= WebSocket;
  switch (name) {
    case "ws":
      break;
    case "lifeline-ws":
      lib.LifelineSocket = (await import(await lifelineEntry())).LifelineSocket;
      break;
    case "reconnecting-websocket":
      lib.ReconnectingWebSocket = require("reconnecting-websocket");
      break;
    case "partysocket":
      lib.PartySocket = (await import("partysocket/ws")).default;
      break;
    case "sockette":
      lib.Sockette = require("sockette");
      break;
    case "websocket-ts":
      lib.WebsocketTs = require("websocket-ts");
      break;
    default:
      throw new Error(`unknown library ${name}`);
  }
  return lib;
}
