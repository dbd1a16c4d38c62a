// A runtime with a global WebSocket (Node 22+, Deno, Bun): no WebSocket option is passed.
// On Node 20 without --experimental-websocket there is none, so the ws package's stands in.
// `node index.js ws://127.0.0.1:<port>/`
import { LifelineSocket } from "lifeline-ws";

const log = (entry) => console.log("[lifeline] " + JSON.stringify(entry));

if (typeof globalThis.WebSocket !== "function") {
  globalThis.WebSocket = (await import("ws")).WebSocket;
  log({ type: "global", from: "ws" });
} else log({ type: "global", from: "runtime" });

const socket = new LifelineSocket(process.argv[2], undefined, {
  backoff: { initialDelay: 50, jitter: "none" },
});
socket.addEventListener("open", () => {
  log({ type: "open" });
  socket.send("hello");
});
socket.addEventListener("message", (event) => {
  log({ type: "message", data: String(event.data) });
  if (String(event.data) === "again") socket.close(); // the process then exits by itself
});
socket.addEventListener("reconnect", (event) => {
  log({ type: "reconnect", attempt: event.attempt });
  socket.send("again");
});
socket.addEventListener("close", (event) => {
  log({ type: "close", code: event.code, willReconnect: event.willReconnect });
});
socket.addEventListener("error", (event) => log({ type: "error", cause: event.cause }));
