// Types of the npm package lifeline-ws. The behaviour is described in docs/design.md and README.md.

declare global {
  /**
   * The platform's message event. Declared here only so the types work without `lib.dom`
   * (e.g. `types: ["node"]`); where `lib.dom` is present this merges into its declaration.
   */
  interface MessageEvent<T = any> {
    /** The message: a string, or binary data as `binaryType` says. */
    readonly data: T;
    /** `"message"`. */
    readonly type: string;
  }
}

/** Where the connection stands. */
export type LifelineState =
  /** A socket has been asked for and has not opened yet. */
  | "connecting"
  /** A socket is open; `send()` goes straight to it. */
  | "open"
  /** No socket: waiting out the backoff, for the network, or for the page to be visible. */
  | "waiting"
  /** `close()` was called and the closing handshake is under way. */
  | "closing"
  /** Closed for good (by `close()`, `shouldReconnect` or `giveup`) or not started yet (`startClosed`); only `reconnect()` starts it again. */
  | "closed";

/** What a connection is made to: a URL, or a provider called before every attempt (a fresh auth token, say). */
export type LifelineUrl = string | URL | (() => string | URL | Promise<string | URL>);

/** How binary messages are delivered. `"nodebuffer"` and `"fragments"` exist only with the `ws` package. */
export type LifelineBinaryType = "blob" | "arraybuffer" | "nodebuffer" | "fragments";

/** What `send()` takes. */
export type LifelineData = string | ArrayBufferLike | ArrayBufferView | Blob;

/** The platform socket the client drives: `WebSocket`, or the `ws` package's class. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly extensions: string;
  readonly protocol: string;
  readonly readyState: number;
  send(data: any): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor: `globalThis.WebSocket`, or the `ws` package's default export. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** What a heartbeat message test receives: the message's `data`. */
export type MessagePredicate = (data: any) => boolean;

/** Reconnect delays. Attempt n waits a delay drawn below min(maxDelay, initialDelay × factor^(n−1)). */
export interface BackoffOptions {
  /** Ceiling of the first attempt's delay, ms. Default `1000`. */
  initialDelay?: number;
  /** Largest ceiling, ms. Default `30000`. */
  maxDelay?: number;
  /** Growth of the ceiling per attempt, at least 1. Default `2`. */
  factor?: number;
  /**
   * How the delay is drawn below the ceiling: `"full"` uniform in [0, ceiling], `"equal"`
   * uniform in [ceiling/2, ceiling], `"none"` the ceiling itself. Default `"full"`.
   */
  jitter?: "full" | "equal" | "none";
  /** Failed attempts in a row before `giveup`; a whole number or `Infinity`. Default `Infinity`. */
  maxRetries?: number;
  /** How long a connection must stay up, ms, before the attempt counter starts over. Default `5000`. */
  minUptime?: number;
}

/** The server's own pings, which the client answers. */
export interface ServerPingOptions {
  /** Recognises the server's ping: the exact string, or a test of each message's data. Not delivered to `message` listeners. */
  ping: string | MessagePredicate;
  /** The answer sent back, or a function returning it. */
  reply: LifelineData | (() => LifelineData);
}

/** Application-level ping/pong. Needs the server's cooperation, so it is off unless set. */
export interface HeartbeatOptions {
  /** How long a connection may be quiet before the client pings, ms. Default `25000`. */
  interval?: number;
  /** How long to wait for the pong, ms; a dead connection is noticed within `interval + timeout`. Default `10000`. */
  timeout?: number;
  /**
   * The ping to send: a string, binary data, or a function returning either. Default `"ping"`.
   * When only `serverPing` is given, the client sends no pings of its own.
   */
  ping?: LifelineData | (() => LifelineData);
  /** Recognises the pong: the exact string, or a test of each message's data. Pongs are not delivered to `message` listeners. Default `"pong"`. */
  pong?: string | MessagePredicate;
  /** Whether any message, not only the pong, proves the connection alive (pings then go out only after `interval` of silence). Default `false`. */
  anyMessageIsPong?: boolean;
  /** Answer the server's pings, and treat silence past `interval + timeout` as death. Default: off. */
  serverPing?: ServerPingOptions;
}

/** Messages sent while not open are kept and flushed in order on the next open. */
export interface QueueOptions {
  /** How many messages may wait (0 turns queueing off: `send()` while not open throws). Default `1000`. */
  maxMessages?: number;
  /** When full: `"throw"` refuses the new message, `"drop-oldest"` drops the oldest with a `drop` event. Default `"throw"`. */
  overflow?: "throw" | "drop-oldest";
}

/** How the page's life steers the connection. What a platform lacks (Node, Workers) is not used. */
export interface LifecycleOptions {
  /** When the page becomes visible (or is restored or resumed): probe an open socket at once, attempt now if waiting. Default `true`. */
  probeOnVisible?: boolean;
  /** On `online`: attempt now instead of waiting out the backoff, and probe an open socket. Default `true`. */
  reconnectOnOnline?: boolean;
  /** While offline, make no attempts and spend no retries. Default `true`. */
  pauseWhenOffline?: boolean;
  /** Close the socket once the page has been hidden this long, ms, and reconnect when visible. Default: off (`false`). */
  closeWhenHiddenAfter?: number | false | null;
  /** Close the socket on `pagehide` so the page can enter the back/forward cache; reconnect on `pageshow`. Default `false`. */
  closeOnPageHide?: boolean;
}

/** The options of a `LifelineSocket`. All are validated at construction; unknown keys are an error. */
export interface LifelineSocketOptions {
  /** Reconnect delays and limits. */
  backoff?: BackoffOptions;
  /** How long an opening handshake may take, ms, before the socket is abandoned. Default `10000`. */
  connectionTimeout?: number;
  /** How long a closing handshake may take, ms, before the socket is abandoned as dead: after `close()`, and after the server started closing (default 3000). `close()` on a dead network ends within it. */
  closeTimeout?: number;
  /** Application-level heartbeats; `true` for every default. Default: off. */
  heartbeat?: HeartbeatOptions | boolean | null;
  /** The send queue used while not open. */
  queue?: QueueOptions;
  /** Page lifecycle rules. */
  lifecycle?: LifecycleOptions;
  /** Asked after every disconnection; `false` stops reconnecting. A throw counts as `true`. Default: always reconnect. */
  shouldReconnect?: (event: LifelineShouldReconnectEvent) => boolean;
  /** Do not connect until `reconnect()` is called. Default `false`. */
  startClosed?: boolean;
  /** The WebSocket class to use. Default `globalThis.WebSocket`; in Node 20 (which has none), pass the `ws` package's export. */
  WebSocket?: WebSocketConstructor;
}

/** Counters readable at any time (`socket.stats`). */
export interface LifelineStats {
  /** The attempt number of the current series: 0 before any retry; back to 0 after `minUptime` of connection. */
  attempts: number;
  /** How many times a connection was re-established after the first one opened. */
  reconnects: number;
  /** Round-trip time of the last answered heartbeat ping, ms, or `null`. */
  lastRttMs: number | null;
  /** When the current connection opened (`Date.now()` time, ms), or `null` when not open. */
  connectedSince: number | null;
  /** How many messages wait in the send queue (with `share`: this socket's sends not yet handed to the shared connection). */
  queued: number;
  /** With the `share` option only: whether this socket holds the shared connection (`"leader"`), uses another one's (`"follower"`), or has a connection of its own because the platform cannot share (`"unavailable"`). */
  share?: "leader" | "follower" | "unavailable";
}

/** Fields of every event (`message` has MessageEvent's members too). */
export interface LifelineEvent<T extends string = string> {
  readonly type: T;
  readonly target: LifelineSocket;
  readonly currentTarget: LifelineSocket;
}

/** What `shouldReconnect` is asked about. */
export interface LifelineShouldReconnectEvent {
  readonly type: "close";
  readonly target: LifelineSocket;
  /** The close code. */
  readonly code: number;
  /** The close reason. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
}

/** Emitted once for every disconnection (and when `close()` is called while not open). */
export interface LifelineCloseEvent extends LifelineEvent<"close"> {
  /** The close code: the platform's, or 1006 when the client abandoned a dead socket. */
  readonly code: number;
  /** The close reason: the platform's, or the client's words for why it dropped the socket. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** Whether the client will connect again by itself. */
  readonly willReconnect: boolean;
  /** How long until the next attempt, ms; `null` when none is scheduled (waiting for the network or the page, or not reconnecting). */
  readonly delayMs: number | null;
}

/** Something went wrong; an attempt failed or will. */
export interface LifelineErrorEvent extends LifelineEvent<"error"> {
  /** `"socket"`: the platform socket's error; `"url"`: the URL provider threw, rejected or gave an invalid URL; `"connection-timeout"`: the handshake took longer than `connectionTimeout`; `"heartbeat"`: the `heartbeat.ping` (or `serverPing.reply`) function threw, and nothing was sent. */
  readonly cause: "socket" | "url" | "connection-timeout" | "heartbeat";
  /** The platform's error event (`"socket"`), the thrown value (`"url"`, `"heartbeat"`), or `undefined`. */
  readonly error: unknown;
}

/** A connection after the first one opened (only when a `reconnect` listener exists; else `open` fires). */
export interface LifelineReconnectEvent extends LifelineEvent<"reconnect"> {
  /** Which attempt of the series succeeded (1 for the first retry). */
  readonly attempt: number;
  /** How long there was no open connection, ms. */
  readonly downtimeMs: number;
}

/** The next attempt is scheduled. */
export interface LifelineReconnectingEvent extends LifelineEvent<"reconnecting"> {
  /** Its number in the current series (1 for the first retry). */
  readonly attempt: number;
  /** How long until it is made, ms. */
  readonly delayMs: number;
}

/** `maxRetries` attempts failed; the client stays closed until `reconnect()`. */
export interface LifelineGiveupEvent extends LifelineEvent<"giveup"> {
  /** How many reconnection attempts failed in a row: `maxRetries` (a client that never connected also made its first attempt before these). */
  readonly attempts: number;
}

/** A heartbeat ping was answered. */
export interface LifelineHeartbeatEvent extends LifelineEvent<"heartbeat"> {
  /** Its round-trip time, ms. */
  readonly rttMs: number;
}

/** `state` changed. */
export interface LifelineStateChangeEvent extends LifelineEvent<"statechange"> {
  /** The new state. */
  readonly state: LifelineState;
}

/** The queue was full with `overflow: "drop-oldest"`: this message was dropped. */
export interface LifelineDropEvent extends LifelineEvent<"drop"> {
  /** The message as it was sent. */
  readonly data: LifelineData;
}

/** Every event a `LifelineSocket` emits, by type. */
export interface LifelineSocketEventMap {
  /** The first connection opened (and every later one when no `reconnect` listener exists). */
  open: LifelineEvent<"open">;
  /**
   * A message: an object with MessageEvent's members (`data` as the platform gave it,
   * `origin`, `lastEventId`, `ports`, `source`, the Event methods) whose `target` and
   * `currentTarget` are the LifelineSocket; `instanceof MessageEvent` is false.
   */
  message: MessageEvent;
  close: LifelineCloseEvent;
  error: LifelineErrorEvent;
  reconnect: LifelineReconnectEvent;
  reconnecting: LifelineReconnectingEvent;
  giveup: LifelineGiveupEvent;
  heartbeat: LifelineHeartbeatEvent;
  statechange: LifelineStateChangeEvent;
  drop: LifelineDropEvent;
}

/** A listener object, as EventTarget takes one. */
export interface LifelineListenerObject<E> {
  // A property, not a method, so that its parameter is checked strictly.
  handleEvent: (event: E) => void;
}

/** `addEventListener` options, as EventTarget takes them (`capture` is accepted and has no effect). */
export interface LifelineListenerOptions {
  /** Remove the listener after its first call. */
  once?: boolean;
  /** Remove the listener when this signal aborts. */
  signal?: { readonly aborted: boolean; addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void };
  capture?: boolean;
}

type Handler<K extends keyof LifelineSocketEventMap> =
  | ((this: LifelineSocket, event: LifelineSocketEventMap[K]) => any)
  | null;

/**
 * A WebSocket that stays alive: it reconnects with backoff after every disconnection,
 * notices dead connections with heartbeats, and follows the page's life. WebSocket's
 * members, constants and events, plus `reconnect()`, `state`, `stats` and more events.
 */
export declare class LifelineSocket {
  /**
   * Validates the options and starts connecting (unless `startClosed`).
   * @throws SyntaxError for a URL that is not ws:, wss:, http: or https: (or unparsable, or with a fragment).
   * @throws TypeError for an invalid option, naming the field, the value and the expectation; or when there is no WebSocket class.
   */
  constructor(url: LifelineUrl, protocols?: string | string[], options?: LifelineSocketOptions);

  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  /** WebSocket's view of `state`: connecting and waiting are `CONNECTING`. */
  readonly readyState: 0 | 1 | 2 | 3;
  /** Where the connection stands. */
  readonly state: LifelineState;
  /** Counters; a fresh object on every read. */
  readonly stats: LifelineStats;
  /** The resolved URL of the current (or last) attempt; `""` before a provider was first called. */
  readonly url: string;
  /** The subprotocol the server chose on the current socket, or `""`. */
  readonly protocol: string;
  /** The extensions the server chose on the current socket, or `""`. */
  readonly extensions: string;
  /** Bytes sent on the current socket and not yet transmitted. */
  readonly bufferedAmount: number;
  /**
   * How binary messages arrive. Default `"blob"` where `Blob` exists (as WebSocket), else
   * `"arraybuffer"`; a socket class without blob support (an old `ws`) gets `"arraybuffer"`.
   */
  binaryType: LifelineBinaryType;

  /**
   * Sends now while open; otherwise queues for the next open. Throws a DOMException:
   * `InvalidStateError` after `close()` or `giveup` (until `reconnect()`), `QuotaExceededError`
   * when the queue is full with `overflow: "throw"` (the message is the error's `data`).
   */
  send(data: LifelineData): void;
  /** Closes for good: no more reconnects (until `reconnect()`). Throws as `WebSocket.close` does: `InvalidAccessError` for a code other than 1000 or 3000–4999, `SyntaxError` for a reason over 123 bytes. */
  close(code?: number, reason?: string): void;
  /** Drops the socket and connects now; after `giveup` or `close()` starts over at attempt 1. */
  reconnect(code?: number, reason?: string): void;

  onopen: Handler<"open">;
  onmessage: Handler<"message">;
  onclose: Handler<"close">;
  onerror: Handler<"error">;
  onreconnect: Handler<"reconnect">;
  onreconnecting: Handler<"reconnecting">;
  ongiveup: Handler<"giveup">;
  onheartbeat: Handler<"heartbeat">;
  onstatechange: Handler<"statechange">;
  ondrop: Handler<"drop">;

  addEventListener<K extends keyof LifelineSocketEventMap>(
    type: K,
    listener:
      | ((this: LifelineSocket, event: LifelineSocketEventMap[K]) => any)
      | LifelineListenerObject<LifelineSocketEventMap[K]>
      | null,
    options?: boolean | LifelineListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: ((this: LifelineSocket, event: unknown) => any) | LifelineListenerObject<unknown> | null,
    options?: boolean | LifelineListenerOptions,
  ): void;
  removeEventListener<K extends keyof LifelineSocketEventMap>(
    type: K,
    listener:
      | ((this: LifelineSocket, event: LifelineSocketEventMap[K]) => any)
      | LifelineListenerObject<LifelineSocketEventMap[K]>
      | null,
    options?: boolean | { capture?: boolean },
  ): void;
  removeEventListener(
    type: string,
    listener: ((this: LifelineSocket, event: unknown) => any) | LifelineListenerObject<unknown> | null,
    options?: boolean | { capture?: boolean },
  ): void;
  /** Calls the listeners of `event.type` with `event`; always returns `true`. */
  dispatchEvent(event: { readonly type: string }): boolean;
}
