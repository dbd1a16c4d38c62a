// A Node 20 app in TypeScript, CommonJS (compiled to out/app.cjs, which require()s the
// package): `node out/app.cjs ws://127.0.0.1:<port>/`
import WebSocket = require("ws");
import { LifelineSocket } from "lifeline-ws";

const log = (entry: Record<string, unknown>): void => console.log("[lifeline] " + JSON.stringify(entry));

const socket = new LifelineSocket(process.argv[2], undefined, {
  WebSocket,
  backoff: { initialDelay: 50, jitter: "none" },
});
socket.onopen = () => {
  log({ type: "open" });
  socket.send("hello");
};
socket.onmessage = (event) => {
  const data = String(event.data);
  log({ type: "message", data });
  if (data === "again") socket.close(); // the process then exits by itself
};
socket.onreconnect = (event) => {
  log({ type: "reconnect", attempt: event.attempt });
  socket.send("again");
};
socket.onclose = (event) => {
  log({ type: "close", code: event.code, willReconnect: event.willReconnect });
};
socket.onerror = (event) => log({ type: "error", cause: event.cause });

/** Mistakes the types must catch (compiled, never called). */
export function mistakes(): void {
  // @ts-expect-error: attempt is a number
  socket.onreconnect = (event) => event.attempt.startsWith("1");
  // @ts-expect-error: close() takes a code and a reason, not an object
  socket.close({ code: 1000 });
}
