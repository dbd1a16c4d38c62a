// Time to first socket, in a fresh Node process (bench/scenarios/first-socket.mjs runs one
// process per library and repetition):
//   node first-socket-child.mjs <library> <url> [module to import: a file URL; lifeline-ws only]
// Measured with performance.now(), in this order and nothing else in between:
//   importMs   `await import(<the library>)`: lifeline-ws from the packed package (the file its
//              "exports" give `import`), the peers by their package name from the repository's
//              devDependencies, as an ESM application imports them
//   firstMs    the first construction (clients.mjs construct(): the constructor call connect()
//              makes, same options): for lifeline-ws, decoding the inlined wasm, compiling and
//              instantiating it, then the constructor itself
//   secondMs   a second construction right after (the constructor alone, for comparison)
// Node 20 has no global WebSocket: `ws` is the platform socket of every library. Before the
// clock starts it is imported (and set as globalThis.WebSocket for sockette and
// websocket-ts) and warmed: one `ws` socket opened and closed, so that a library's row holds
// its own cost and not ws's first use (Node's lazily loaded internals: 15–25 ms here), which
// some libraries pay inside their constructor and others (which open their socket later)
// outside it. The `ws` row is that first use: ws imported and constructed cold. Prints one
// JSON line and exits (the sockets are left connecting: the process ends with them).

import { construct } from "../clients.mjs";

const [name, url, moduleArg] = process.argv.slice(2);

const SPECIFIERS = {
  ws: "ws",
  "lifeline-ws": moduleArg,
  "reconnecting-websocket": "reconnecting-websocket",
  partysocket: "partysocket/ws",
  sockette: "sockette",
  "websocket-ts": "websocket-ts",
};

/** The constructors clients.mjs wants, from the imported module's namespace. */
const PICK = {
  ws: (m) => ({ WebSocket: m.default }),
  "lifeline-ws": (m) => ({ LifelineSocket: m.LifelineSocket }),
  "reconnecting-websocket": (m) => ({ ReconnectingWebSocket: m.default }),
  partysocket: (m) => ({ PartySocket: m.default }),
  sockette: (m) => ({ Sockette: m.default }),
  "websocket-ts": (m) => ({ WebsocketTs: m.WebsocketBuilder ? m : m.default }),
};

const specifier = SPECIFIERS[name];
if (!specifier) throw new Error(`first-socket-child: no module for ${name}`);

const lib = { node: true };
if (name != "ws") {
  lib.WebSocket = (await import("ws")).default;
  globalThis.WebSocket ??= lib.WebSocket;
  const warm = new lib.WebSocket(url);
  await new Promise((resolve, reject) => {
    warm.once("open", resolve);
    warm.once("error", reject);
  });
  warm.close();
  await new Promise((resolve) => warm.once("close", resolve));
}

const t0 = performance.now();
const module = await import(specifier);
const t1 = performance.now();
Object.assign(lib, PICK[name](module));
if (name == "ws") globalThis.WebSocket ??= lib.WebSocket;
const first = construct(lib, name, url);
const t2 = performance.now();
const second = construct(lib, name, url);
const t3 = performance.now();
if (!first || !second) throw new Error(`first-socket-child: ${name} constructed nothing`);

process.stdout.write(
  JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, secondMs: t3 - t2, importStartMs: t0 }) + "\n",
  () => process.exit(0),
);
