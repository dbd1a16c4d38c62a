// CommonJS (no "type": "module"): require() gets the package's CommonJS build.
// `node index.js ws://127.0.0.1:<port>/`
const WebSocket = require("ws");
const { LifelineSocket } = require("lifeline-ws");

const log = (entry) => console.log("[lifeline] " + JSON.stringify(entry));

const socket = new LifelineSocket(process.argv[2], undefined, {
  WebSocket,
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
