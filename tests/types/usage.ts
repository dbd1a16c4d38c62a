// Type test of js/lifeline-ws.d.ts (`npm run test:types`): correct use compiles, and every
// `@ts-expect-error` line is misuse the types must reject (tsc fails if one is accepted).
// Checked with lib.dom (tsconfig.json) and with only @types/node (tsconfig.node.json).

import {
  LifelineSocket,
  type LifelineCloseEvent,
  type LifelineSocketEventMap,
  type LifelineSocketOptions,
  type LifelineState,
  type LifelineStats,
} from "../../js/lifeline-ws.js";
import { LifelineSocket as SharedSocket, type SharedSocketOptions } from "../../js/share-entry.js";

declare const WebSocketClass: LifelineSocketOptions["WebSocket"];

// Construction: a string, a URL, or a provider (sync or async).
const ws = new LifelineSocket("wss://example.com/feed");
new LifelineSocket(new URL("https://example.com/feed"), "chat");
new LifelineSocket(() => "wss://example.com/feed?token=t", ["v2", "v1"]);
new LifelineSocket(async () => new URL("wss://example.com"), undefined, { startClosed: true });

// Every option, at its documented default or a valid value.
const options: LifelineSocketOptions = {
  backoff: {
    initialDelay: 1000,
    maxDelay: 30000,
    factor: 2,
    jitter: "equal",
    maxRetries: Infinity,
    minUptime: 5000,
  },
  connectionTimeout: 10000,
  closeTimeout: 3000,
  heartbeat: {
    interval: 25000,
    timeout: 10000,
    ping: () => JSON.stringify({ type: "ping" }),
    pong: (data) => typeof data == "string" && data.includes('"pong"'),
    anyMessageIsPong: false,
    serverPing: { ping: "PING", reply: "PONG" },
  },
  queue: { maxMessages: 1000, overflow: "drop-oldest" },
  lifecycle: {
    probeOnVisible: true,
    reconnectOnOnline: true,
    pauseWhenOffline: true,
    closeWhenHiddenAfter: 60000,
    closeOnPageHide: false,
  },
  shouldReconnect: (event) => event.code !== 4001 && !event.reason.startsWith("banned"),
  startClosed: false,
  WebSocket: WebSocketClass,
};
new LifelineSocket("wss://example.com", undefined, options);
new LifelineSocket("wss://example.com", undefined, { heartbeat: true });
new LifelineSocket("wss://example.com", undefined, { heartbeat: { ping: new Uint8Array([9]) } });
new LifelineSocket("wss://example.com", undefined, { lifecycle: { closeWhenHiddenAfter: false } });

// WebSocket's members.
const ready: 0 | 1 | 2 | 3 = ws.readyState;
if (ws.readyState === LifelineSocket.OPEN && ws.readyState === ws.OPEN) ws.send("hi");
ws.send(new Uint8Array([1, 2, 3]));
ws.send(new ArrayBuffer(8));
ws.binaryType = "arraybuffer";
const url: string = ws.url;
const details: string = ws.protocol + ws.extensions + ws.bufferedAmount;
ws.close();
ws.close(1000, "bye");
ws.reconnect();
ws.reconnect(4000, "switching server");
void [ready, url, details];

// The additions: state, stats.
const state: LifelineState = ws.state;
if (ws.state === "waiting" || ws.state === "connecting") void state;
const stats: LifelineStats = ws.stats;
const rtt: number | null = stats.lastRttMs;
const since: number | null = ws.stats.connectedSince;
const counts: number = stats.attempts + stats.reconnects + stats.queued;
const role: "leader" | "follower" | "unavailable" | undefined = stats.share;
void [rtt, since, counts];

// The entry lifeline-ws/share: a subclass that also takes `share`, and every type of the main entry.
const sharedOptions: SharedSocketOptions = { ...options, share: "chat" };
const shared: LifelineSocket = new SharedSocket("wss://example.com", undefined, sharedOptions);
new SharedSocket("wss://example.com", undefined, { share: true, heartbeat: true });
const sharedRole: "leader" | "follower" | "unavailable" | undefined = new SharedSocket("wss://example.com").stats.share;
void [shared, sharedRole];

// Typed listeners: each event's own fields, `this` the socket.
ws.addEventListener("close", (event) => {
  const code: number = event.code;
  const delay: number | null = event.delayMs;
  const again: boolean = event.willReconnect && event.wasClean;
  const target: LifelineSocket = event.target;
  void [code, delay, again, target, event.reason];
});
ws.addEventListener("message", function (event) {
  const socket: LifelineSocket = this;
  const data: unknown = event.data;
  void [socket, data];
});
ws.addEventListener("reconnect", (event) => void [event.attempt, event.downtimeMs]);
ws.addEventListener("reconnecting", (event) => void [event.attempt, event.delayMs]);
ws.addEventListener("giveup", (event) => void event.attempts, { once: true });
ws.addEventListener("heartbeat", (event) => void event.rttMs);
ws.addEventListener("statechange", (event) => {
  const next: LifelineState = event.state;
  void next;
});
ws.addEventListener("drop", (event) => void event.data);
ws.addEventListener("error", (event) => {
  if (event.cause === "url" || event.cause === "socket" || event.cause === "connection-timeout")
    void event.error;
});
ws.addEventListener("open", { handleEvent: (event) => void event.type });
const onClose = (event: LifelineCloseEvent) => void event.code;
ws.addEventListener("close", onClose);
ws.removeEventListener("close", onClose);
ws.addEventListener("custom-event", (event: unknown) => void event); // the generic fallback
ws.dispatchEvent({ type: "custom-event" });

// Handler properties.
ws.onopen = () => {};
ws.onmessage = (event) => void event.data;
ws.onclose = (event) => void event.willReconnect;
ws.onerror = null;
ws.onreconnect = function (event) {
  const socket: LifelineSocket = this;
  void [socket, event.downtimeMs];
};
ws.onreconnecting = (event) => void event.delayMs;
ws.ongiveup = (event) => void event.attempts;
ws.onheartbeat = (event) => void event.rttMs;
ws.onstatechange = (event) => void event.state;
ws.ondrop = (event) => void event.data;

// The event map can be used by helpers.
function on<K extends keyof LifelineSocketEventMap>(type: K, f: (event: LifelineSocketEventMap[K]) => void) {
  ws.addEventListener(type, f);
}
on("reconnect", (event) => void event.attempt);

// ---- misuse ----

// @ts-expect-error: a number is no URL
new LifelineSocket(42);
// @ts-expect-error: a provider must return a URL
new LifelineSocket(() => 42);
// @ts-expect-error: protocols are strings
new LifelineSocket("wss://example.com", 7);
// @ts-expect-error: initialDelay is a number of ms
new LifelineSocket("wss://example.com", undefined, { backoff: { initialDelay: "1s" } });
// @ts-expect-error: no such jitter
new LifelineSocket("wss://example.com", undefined, { backoff: { jitter: "half" } });
// @ts-expect-error: no such overflow policy
new LifelineSocket("wss://example.com", undefined, { queue: { overflow: "drop-newest" } });
// @ts-expect-error: unknown option (a typo)
new LifelineSocket("wss://example.com", undefined, { conectionTimeout: 5000 });
// @ts-expect-error: serverPing needs its reply
new LifelineSocket("wss://example.com", undefined, { heartbeat: { serverPing: { ping: "PING" } } });
// @ts-expect-error: pong is a string or a predicate, not binary
new LifelineSocket("wss://example.com", undefined, { heartbeat: { pong: new Uint8Array([1]) } });
// @ts-expect-error: shouldReconnect answers a boolean
new LifelineSocket("wss://example.com", undefined, { shouldReconnect: () => "yes" });
// @ts-expect-error: WebSocket is a constructor
new LifelineSocket("wss://example.com", undefined, { WebSocket: "ws" });

// @ts-expect-error: "paused" is no state
if (ws.state === "paused") void 0;
// @ts-expect-error: readyState is 0 to 3
if (ws.readyState === 4) void 0;
// @ts-expect-error: readyState is read-only
ws.readyState = 1;
// @ts-expect-error: state is read-only
ws.state = "open";
// @ts-expect-error: no such binaryType
ws.binaryType = "text";
// @ts-expect-error: send takes data, not a number
ws.send(5);
// @ts-expect-error: close codes are numbers
ws.close("1000");
// @ts-expect-error: share is a key or true
new SharedSocket("wss://example.com", undefined, { share: 1 });
// @ts-expect-error: the main entry's LifelineSocket has no share (it is lifeline-ws/share's)
new LifelineSocket("wss://example.com", undefined, { share: "chat" });
// @ts-expect-error: stats.share is one of three roles
const wrongRole: "alone" = ws.stats.share;
// @ts-expect-error: stats has no uptime
void ws.stats.uptime;

// @ts-expect-error: a reconnect event has no delayMs (that is reconnecting's)
ws.addEventListener("reconnect", (event) => void event.delayMs);
// @ts-expect-error: a close event has no attempt
ws.onclose = (event) => void event.attempt;
// @ts-expect-error: heartbeat's rttMs is a number
ws.addEventListener("heartbeat", (event) => void (event.rttMs satisfies string));
// @ts-expect-error: a statechange's state is a LifelineState
ws.addEventListener("statechange", (event) => void (event.state === "paused"));
// @ts-expect-error: an unknown event name gets no typed handler
ws.addEventListener("reconect", (event: LifelineCloseEvent) => void event.code);
// @ts-expect-error: a handler for the wrong event
ws.onreconnect = (event: LifelineCloseEvent) => void event.code;
// @ts-expect-error: the error cause is one of three
ws.addEventListener("error", (event) => void (event.cause === "timeout"));
// @ts-expect-error: handleEvent objects are typed too
ws.addEventListener("giveup", { handleEvent: (event: LifelineCloseEvent) => void event });
