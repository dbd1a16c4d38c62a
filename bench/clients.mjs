// One way to drive every library the benchmarks compare, in Node and in the browser page.
//
//   const client = connect(lib, name, url, { up, message, down }, settings);
//   client.send(data); client.close();
//
// `lib` holds the constructors (bench/node/libraries.mjs loads them in Node, bench/browser/
// page.mjs in Chromium). Handlers: `up(kind)` on every (re)connection ("open" for the first,
// "reconnect" after; for libraries without a reconnect event, every `open` after the first
// counts as a reconnect), `message(data)` for every message delivered to the application,
// `down()` on every disconnection the library reports. Settings, the same for all:
//   backoff: { min, max, factor, jitter }  the delay before reconnect attempts, in ms
//   heartbeat: { interval, timeout } | null  only lifeline-ws has one
//   connectionTimeout                        ms (where the library has it)
// Each library gets the nearest settings it can take (written in `settingsFor` below and in
// bench/README.md); every socket is set to binaryType "arraybuffer".

export const LIBRARIES = ["ws", "lifeline-ws", "reconnecting-websocket", "partysocket", "sockette", "websocket-ts"];

/** What each library can do, for the rows of the report that a library cannot fill. */
export const FEATURES = {
  ws: { reconnect: false, heartbeat: false },
  "lifeline-ws": { reconnect: true, heartbeat: true },
  "reconnecting-websocket": { reconnect: true, heartbeat: false },
  partysocket: { reconnect: true, heartbeat: false },
  sockette: { reconnect: true, heartbeat: false },
  "websocket-ts": { reconnect: true, heartbeat: false },
};

export const DEFAULT_SETTINGS = {
  backoff: { min: 1000, max: 30000, factor: 2, jitter: "none", minUptime: 5000 },
  heartbeat: null,
  connectionTimeout: 4000,
};

const BINARY = "arraybuffer";

/** The constructor options each library gets for `settings` (also printed in the report). */
export function settingsFor(name, settings = DEFAULT_SETTINGS) {
  const b = { ...DEFAULT_SETTINGS.backoff, ...settings.backoff };
  const timeout = settings.connectionTimeout ?? DEFAULT_SETTINGS.connectionTimeout;
  switch (name) {
    case "ws":
      return {};
    case "lifeline-ws":
      return {
        backoff: { initialDelay: b.min, maxDelay: b.max, factor: b.factor, jitter: b.jitter, minUptime: b.minUptime },
        connectionTimeout: timeout,
        ...(settings.heartbeat ? { heartbeat: { interval: settings.heartbeat.interval, timeout: settings.heartbeat.timeout } } : {}),
      };
    case "reconnecting-websocket":
    case "partysocket":
      // Their first retry waits minReconnectionDelay, then × factor each failure (no jitter).
      return {
        minReconnectionDelay: b.min,
        maxReconnectionDelay: b.max,
        reconnectionDelayGrowFactor: b.factor,
        minUptime: b.minUptime,
        connectionTimeout: timeout,
      };
    case "sockette":
      // A constant delay (`timeout`, where 0 means its default of 1000 ms), no backoff.
      return { timeout: Math.max(1, b.min) };
    case "websocket-ts": {
      // ExponentialBackoff(base, expMax) waits base × 2^i with i starting at 1 (the first
      // retry waits 2 × base): base = min / 2 gives min, 2 min, … up to max (factor 2 only).
      const base = Math.max(0, Math.round(b.min / 2));
      const expMax = Math.max(1, Math.round(Math.log2(b.max / Math.max(1, b.min))) + 1);
      return { exponentialBackoff: [base, expMax] };
    }
  }
  throw new Error(`unknown library ${name}`);
}

/**
 * The construction alone (the first-socket scenario): the same constructor call, with the same
 * options, as connect() below, and nothing after it (no listener, no binaryType). Returns what
 * the library returned; every one of them has close().
 */
export function construct(lib, name, url, settings = DEFAULT_SETTINGS) {
  const options = settingsFor(name, settings);
  switch (name) {
    case "ws":
      return new lib.WebSocket(url);
    case "lifeline-ws":
      return new lib.LifelineSocket(url, undefined, lib.node ? { ...options, WebSocket: lib.WebSocket } : options);
    case "reconnecting-websocket":
      return new lib.ReconnectingWebSocket(url, undefined, lib.node ? { ...options, WebSocket: lib.WebSocket } : options);
    case "partysocket":
      return new lib.PartySocket(url, undefined, lib.node ? { ...options, WebSocket: lib.WebSocket } : options);
    case "sockette":
      return lib.Sockette(url, options);
    case "websocket-ts": {
      const { WebsocketBuilder, ExponentialBackoff } = lib.WebsocketTs;
      return new WebsocketBuilder(url).withBackoff(new ExponentialBackoff(...options.exponentialBackoff)).build();
    }
  }
  throw new Error(`unknown library ${name}`);
}

export function connect(lib, name, url, handlers, settings = DEFAULT_SETTINGS) {
  const options = settingsFor(name, settings);
  let opened = false;
  const up = () => {
    handlers.up?.(opened ? "reconnect" : "open");
    opened = true;
  };
  const down = () => handlers.down?.();
  const message = handlers.message;
  switch (name) {
    case "ws": {
      const ws = new lib.WebSocket(url);
      ws.binaryType = BINARY;
      ws.addEventListener("open", up);
      ws.addEventListener("message", (event) => message(event.data));
      ws.addEventListener("close", down);
      ws.addEventListener("error", () => {});
      return { send: (data) => ws.send(data), close: () => ws.close(), socket: ws };
    }
    case "lifeline-ws": {
      const socket = new lib.LifelineSocket(url, undefined, lib.node ? { ...options, WebSocket: lib.WebSocket } : options);
      socket.binaryType = BINARY;
      socket.addEventListener("open", up);
      socket.addEventListener("reconnect", up);
      socket.addEventListener("message", (event) => message(event.data));
      socket.addEventListener("close", down);
      socket.addEventListener("error", () => {});
      return { send: (data) => socket.send(data), close: () => socket.close(), socket };
    }
    case "reconnecting-websocket":
    case "partysocket": {
      const Class = name == "partysocket" ? lib.PartySocket : lib.ReconnectingWebSocket;
      const socket = new Class(url, undefined, lib.node ? { ...options, WebSocket: lib.WebSocket } : options);
      socket.binaryType = BINARY;
      socket.addEventListener("open", up);
      socket.addEventListener("message", (event) => message(event.data));
      socket.addEventListener("close", down);
      socket.addEventListener("error", () => {});
      return { send: (data) => socket.send(data), close: () => socket.close(), socket };
    }
    case "sockette": {
      // Sockette has no binaryType option: set it on its socket (the open event's target).
      const socket = lib.Sockette(url, {
        ...options,
        onopen: (event) => {
          event.target.binaryType = BINARY;
          up();
        },
        onmessage: (event) => message(event.data),
        onclose: down,
        onerror: () => {},
      });
      return { send: (data) => socket.send(data), close: () => socket.close(), socket };
    }
    case "websocket-ts": {
      const { WebsocketBuilder, ExponentialBackoff } = lib.WebsocketTs;
      const socket = new WebsocketBuilder(url)
        .withBackoff(new ExponentialBackoff(...options.exponentialBackoff))
        .onOpen((i) => {
          i.binaryType = BINARY; // the current underlying socket only
          up();
        })
        .onMessage((_i, event) => message(event.data))
        .onClose(down)
        .onError(() => {})
        .build();
      return { send: (data) => socket.send(data), close: () => socket.close(), socket };
    }
  }
  throw new Error(`unknown library ${name}`);
}
