// The server the wasm-bindgen tests talk to (started and stopped by scripts/test.sh).
// 127.0.0.1 only; the path picks the behaviour:
//   /echo       echoes every message
//   /drop       closes every connection with 4000 "drop" 150 ms after it opens
//   /pong-once  answers the first "ping" with "pong", then never answers anything
//   /case/<key> the shared cases (tests/cases/cases.json, run by tests/rust_api/cases.rs):
//               the fault modes of tests/support/server.mjs, one independent server per
//               key, driven over HTTP by
//   GET /control?key=<key>&step=<JSON>   (CORS open: the Chromium test page fetches it)
//               where the step is one of the cases' server steps:
//     {"server": "set", "settings": {echo, pong, mute, handshakeDelay, handshakeDelayCount}}
//     {"server": "close", "code": C, "reason": R}  close every live connection (resolves
//                                                   once they are closed)
//     {"server": "terminate"}                       drop them without a closing handshake
//     {"server": "closeAndStall", "code": C, "reason": R}  start the closing handshake and
//                                                   never finish it (a close frame, then silence)
//     {"server": "refuse"}                          drop them, and refuse new upgrades
//     {"server": "accept"}                          accept upgrades again
//     {"server": "stats"}                           -> {connections, live, received}
//     {"server": "forget"}                          drop everything of this key
//   answered with {"ok": true, "result": …} or {"ok": false, "error": "…"}.
// Prints "LISTENING <port>" once ready; exits on SIGTERM/SIGINT or when stdin closes.
import { createServer } from "node:http";
import { WebSocketServer, WebSocket } from "ws";
import { stallClose } from "../support/server.mjs";

const port = Number(process.argv[2] ?? 0);
const noop = () => {};

// The settings of tests/support/server.mjs that the shared cases use, same defaults.
const DEFAULTS = Object.freeze({
  echo: true,
  pong: false,
  mute: false,
  handshakeDelay: 0,
  handshakeDelayCount: Infinity,
});

/** key -> the state of one case's server */
const cases = new Map();

function caseState(key) {
  let state = cases.get(key);
  if (!state) {
    state = { settings: { ...DEFAULTS }, refusing: false, connections: 0, received: [], live: new Set() };
    cases.set(key, state);
  }
  return state;
}

const http = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const reply = (status, body) => {
    res.writeHead(status, {
      "content-type": "application/json",
      "access-control-allow-origin": "*",
      "cache-control": "no-store",
    });
    res.end(JSON.stringify(body));
  };
  if (url.pathname !== "/control") return reply(404, { ok: false, error: `no such path ${url.pathname}` });
  const key = url.searchParams.get("key");
  let step;
  try {
    step = JSON.parse(url.searchParams.get("step") ?? "null");
  } catch (error) {
    return reply(400, { ok: false, error: `step is not JSON: ${error.message}` });
  }
  if (!key || !step || typeof step.server != "string") {
    return reply(400, { ok: false, error: "want ?key=<key>&step=<{server: …}>" });
  }
  control(key, step).then(
    (result) => reply(200, { ok: true, result: result ?? null }),
    (error) => reply(200, { ok: false, error: String(error?.message ?? error) }),
  );
});
http.on("connection", (socket) => socket.on("error", noop));

async function control(key, step) {
  const state = caseState(key);
  switch (step.server) {
    case "set":
      for (const [name, value] of Object.entries(step.settings ?? {})) {
        if (!(name in DEFAULTS)) throw new Error(`unknown server setting ${name}`);
        state.settings[name] = value ?? DEFAULTS[name]; // JSON has no Infinity: null = default
      }
      return null;
    case "close":
      await Promise.all(
        [...state.live].map(
          (ws) =>
            new Promise((resolve) => {
              ws.once("close", resolve);
              const timer = setTimeout(() => ws.terminate(), 2000);
              ws.once("close", () => clearTimeout(timer));
              ws.close(step.code ?? 1000, step.reason ?? "");
            }),
        ),
      );
      return null;
    case "terminate":
      for (const ws of state.live) ws.terminate();
      return null;
    case "closeAndStall":
      for (const ws of state.live) stallClose(ws, step.code ?? 1001, step.reason ?? "");
      return null;
    case "refuse":
      state.refusing = true;
      for (const ws of state.live) ws.terminate();
      return null;
    case "accept":
      state.refusing = false;
      return null;
    case "stats":
      return { connections: state.connections, live: state.live.size, received: state.received };
    case "forget":
      for (const ws of state.live) ws.terminate();
      cases.delete(key);
      return null;
    default:
      throw new Error(`unknown server step ${step.server}`);
  }
}

const wss = new WebSocketServer({ noServer: true });

http.on("upgrade", (req, socket, head) => {
  socket.on("error", noop);
  const path = new URL(req.url, "http://x").pathname;
  const upgrade = () =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (path.startsWith("/case/")) onCaseConnection(ws, caseState(decodeURIComponent(path.slice(6))));
      else onConnection(ws, path);
    });
  if (!path.startsWith("/case/")) return upgrade();
  const state = caseState(decodeURIComponent(path.slice(6)));
  // Refusing: the upgrade request is dropped unanswered, as a server that is down would.
  if (state.refusing) return socket.destroy();
  const s = state.settings;
  if (s.handshakeDelay > 0 && s.handshakeDelayCount > 0) {
    s.handshakeDelayCount -= 1;
    setTimeout(() => {
      if (socket.destroyed || !socket.readable || !socket.writable) socket.destroy();
      else upgrade();
    }, s.handshakeDelay);
  } else upgrade();
});

function onCaseConnection(ws, state) {
  state.connections += 1;
  state.live.add(ws);
  ws.on("error", noop);
  ws.on("close", () => state.live.delete(ws));
  ws.on("message", (data, binary) => {
    const value = binary ? { binary: Buffer.from(data).toString("base64") } : data.toString();
    state.received.push(value);
    const s = state.settings;
    if (s.mute || ws.readyState !== WebSocket.OPEN) return;
    if (s.pong && !binary && value === "ping") ws.send("pong");
    else if (s.echo) ws.send(data, { binary });
  });
}

function onConnection(socket, path) {
  if (path === "/drop") {
    const timer = setTimeout(() => socket.close(4000, "drop"), 150);
    socket.on("close", () => clearTimeout(timer));
  }
  let answered = false;
  socket.on("error", noop);
  socket.on("message", (data, binary) => {
    if (path === "/echo" || path === "/drop") socket.send(binary ? data : data.toString());
    else if (path === "/pong-once" && !answered && data.toString() === "ping") {
      answered = true;
      socket.send("pong");
    }
  });
}

http.listen({ host: "127.0.0.1", port }, () => console.log(`LISTENING ${http.address().port}`));
const stop = () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close(() => process.exit(0));
  http.closeAllConnections?.();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
