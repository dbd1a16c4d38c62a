// A Node 20 app in TypeScript, ESM (compiled to out/app.mjs): `node out/app.mjs ws://127.0.0.1:<port>/`
import WebSocket from "ws";
import { LifelineSocket, type LifelineCloseEvent, type LifelineReconnectEvent } from "lifeline-ws";

const log = (entry: Record<string, unknown>): void => console.log("[lifeline] " + JSON.stringify(entry));

const socket = new LifelineSocket(process.argv[2], undefined, {
  WebSocket,
  backoff: { initialDelay: 50, jitter: "none" },
});
socket.addEventListener("open", () => {
  log({ type: "open" });
  socket.send("hello");
});
socket.addEventListener("message", (event) => {
  const data = String(event.data);
  log({ type: "message", data });
  if (data === "again") socket.close(); // the process then exits by itself
});
socket.addEventListener("reconnect", (event: LifelineReconnectEvent) => {
  log({ type: "reconnect", attempt: event.attempt });
  socket.send("again");
});
socket.addEventListener("close", (event: LifelineCloseEvent) => {
  log({ type: "close", code: event.code, willReconnect: event.willReconnect });
});
socket.addEventListener("error", (event) => log({ type: "error", cause: event.cause }));

/** Mistakes the types must catch (compiled, never called). */
export function mistakes(): void {
  // @ts-expect-error: the binary types are "blob" | "arraybuffer" | "nodebuffer" | "fragments"
  socket.binaryType = "buffer";
  // @ts-expect-error: the WebSocket option is a constructor, not a socket
  new LifelineSocket("ws://127.0.0.1:1", undefined, { WebSocket: new WebSocket("ws://127.0.0.1:1") });
}
