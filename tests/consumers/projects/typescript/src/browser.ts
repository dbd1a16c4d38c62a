// A browser app's use of the package, checked with strict types: the events are typed (no
// `any`), and every `@ts-expect-error` line is a mistake the types must catch.
import {
  LifelineSocket,
  type LifelineCloseEvent,
  type LifelineSocketOptions,
  type LifelineState,
} from "lifeline-ws";

const options: LifelineSocketOptions = {
  backoff: { initialDelay: 500, maxDelay: 10_000, jitter: "equal" },
  heartbeat: { interval: 25_000, timeout: 10_000 },
  queue: { maxMessages: 100, overflow: "drop-oldest" },
};
const socket = new LifelineSocket(async () => `wss://example.com/feed?t=${Date.now()}`, ["v1"], options);
socket.binaryType = "arraybuffer";

socket.addEventListener("open", () => socket.send(JSON.stringify({ hello: true })));
socket.addEventListener("message", (event: MessageEvent) => {
  if (typeof event.data === "string") console.log(event.data.length);
});
socket.addEventListener("reconnect", (event) => {
  const attempt: number = event.attempt;
  const downtime: number = event.downtimeMs;
  console.log(`back after ${downtime} ms (attempt ${attempt})`);
});
socket.addEventListener("close", (event) => {
  const delay: number | null = event.delayMs;
  if (event.willReconnect) console.log(`closed ${event.code}, retrying in ${delay} ms`);
});
socket.addEventListener("reconnecting", (event) => console.log(event.delayMs.toFixed(0)));
socket.addEventListener("heartbeat", (event) => console.log(event.rttMs.toFixed(1)));
socket.addEventListener("statechange", (event) => {
  const state: LifelineState = event.state;
  console.log(state);
});
socket.addEventListener("drop", (event) => console.log(event.data));
socket.addEventListener("giveup", (event) => console.log(event.attempts));
socket.addEventListener("error", (event) => console.log(event.cause === "connection-timeout"));
socket.onclose = (event: LifelineCloseEvent) => console.log(event.wasClean, event.reason);
socket.addEventListener("close", { handleEvent: (event) => console.log(event.willReconnect) });

const readyState: 0 | 1 | 2 | 3 = socket.readyState;
if (readyState === LifelineSocket.OPEN) socket.send(new Uint8Array([1, 2, 3]));
console.log(socket.stats.reconnects, socket.stats.lastRttMs ?? "no rtt yet");
socket.reconnect();
socket.close(1000, "bye");

/** Mistakes the types must catch (compiled, never called). */
export function mistakes(): void {
  // @ts-expect-error: a reconnect event has no close code
  socket.addEventListener("reconnect", (event) => event.code);
  // @ts-expect-error: attempt is a number
  socket.addEventListener("reconnect", (event) => event.attempt.toUpperCase());
  // @ts-expect-error: willReconnect is a boolean
  socket.onclose = (event) => event.willReconnect.length;
  // @ts-expect-error: "some" is no jitter ("full", "equal" or "none")
  new LifelineSocket("wss://example.com", undefined, { backoff: { jitter: "some" } });
  // @ts-expect-error: a misspelt option
  new LifelineSocket("wss://example.com", undefined, { heartbeats: true });
  // @ts-expect-error: a number is no URL
  new LifelineSocket(8080);
}

// The entry lifeline-ws/share: the same socket, one connection for every tab.
import { LifelineSocket as SharedSocket } from "lifeline-ws/share";
const tabs = new SharedSocket("wss://example.com/feed", undefined, { ...options, share: "feed" });
tabs.addEventListener("open", () => console.log(tabs.stats.share === "leader" ? "this tab holds the connection" : "shared"));
const same: LifelineSocket = tabs;
void same;
// @ts-expect-error: the main entry's LifelineSocket takes no share option
new LifelineSocket("wss://example.com/feed", undefined, { share: "feed" });
