// Reads the options object of `new LifelineSocket(url, protocols, options)` into the array
// of numbers the core takes (src/npm/mod.rs, `slot`) and the values only JS can hold (the
// WebSocket constructor, ping payloads, matchers, shouldReconnect). Types, names and unknown
// keys are checked here; the numbers' ranges are the core's to check (Core.error), and this
// module renders its answer. Every error is a TypeError naming the field, the value and the
// expectation. A getter or Proxy that throws throws out of the constructor as it is.

// The core's texts, in the order of its numbering: the fields whose numbers it checks
// (NUMBER_FIELDS) and its expectations (EXPECTATIONS). tests/texts.rs keeps them in step
// with src/npm/mod.rs and src/core/config.rs.
export const NUMBER_FIELDS = [
  "backoff.initialDelay",
  "backoff.maxDelay",
  "backoff.factor",
  "backoff.maxRetries",
  "backoff.minUptime",
  "connectionTimeout",
  "heartbeat.interval",
  "heartbeat.timeout",
  "queue.maxMessages",
  "lifecycle.closeWhenHiddenAfter",
];
export const EXPECTATIONS = [
  "a number of milliseconds > 0 and <= 2147483647",
  "a number of milliseconds >= 0 and <= 2147483647",
  "a number >= backoff.initialDelay",
  "a finite number >= 1",
  "a whole number >= 0, or Infinity",
  "a whole number from 0 to 1000000",
];
export const NO_HEARTBEAT_SOURCE = 255;
export const JITTER = ["full", "equal", "none"];
export const OVERFLOW = ["throw", "drop-oldest"];

const MILLIS = "a number of milliseconds";
const PAYLOAD = "a string, an ArrayBuffer, a typed array, a Blob or a function returning one";
const MATCHER = "a string or a function (message) => boolean";

// Each group's keys, in the order of their slots where they have one.
const TOP = ["backoff", "connectionTimeout", "heartbeat", "queue", "lifecycle", "shouldReconnect", "startClosed", "WebSocket"];
const BACKOFF = ["initialDelay", "maxDelay", "factor", "maxRetries", "minUptime", "jitter"];
const HEARTBEAT = ["interval", "timeout", "ping", "pong", "anyMessageIsPong", "serverPing"];
const QUEUE = ["maxMessages", "overflow"];
const LIFECYCLE = ["probeOnVisible", "reconnectOnOnline", "pauseWhenOffline", "closeWhenHiddenAfter", "closeOnPageHide"];
const SERVER_PING = ["ping", "reply"];

// A value as an error message shows it; never throws (a hostile toString is not called).
export function show(value) {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "function":
      return "a function";
    case "object":
      return value === null ? "null" : Array.isArray(value) ? "an array" : "an object";
    case "symbol":
      return "a symbol";
    case "bigint":
      return value + "n";
    default:
      return String(value);
  }
}

export function typeError(field, expected, value) {
  return new TypeError(`${field} must be ${expected}, got ${show(value)}`);
}

// The object at `value` (undefined for none), its keys checked against `keys`.
function group(value, name, keys) {
  if (value === undefined || value === null) return undefined;
  if (typeof value != "object" || Array.isArray(value)) throw typeError(name || "options", "an object", value);
  for (const key of Object.keys(value))
    if (!keys.includes(key)) throw new TypeError(`unknown option "${name ? name + "." : ""}${key}"`);
  return value;
}

function number(object, name, key, fallback, expected = MILLIS) {
  const value = object?.[key];
  if (value === undefined) return fallback;
  if (typeof value != "number") throw typeError(name + key, expected, value);
  return value;
}

function boolean(object, name, key, fallback) {
  const value = object?.[key];
  if (value === undefined) return fallback;
  if (typeof value != "boolean") throw typeError(name + key, "true or false", value);
  return value;
}

// The index of a name option in `names`.
function choice(object, name, key, names) {
  const value = object?.[key];
  if (value === undefined) return 0;
  const i = names.indexOf(value);
  if (typeof value != "string" || i < 0) throw typeError(name + key, "one of " + listed(names), value);
  return i;
}

function listed(names) {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.slice(0, -1).join(", ") + " or " + quoted.at(-1);
}

function isPayload(value) {
  return (
    typeof value == "string" ||
    typeof value == "function" ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (typeof Blob == "function" && value instanceof Blob)
  );
}

function matcher(value, field) {
  if (typeof value != "string" && typeof value != "function") throw typeError(field, MATCHER, value);
  return value;
}

/**
 * Reads `options`: returns `{ values, WebSocket, ping, reply, pong, serverPing, stamp,
 * shouldReconnect }`, where `values` is the core's config array and the rest stays in JS.
 */
export function readOptions(options) {
  const top = group(options, "", TOP);
  const backoff = group(top?.backoff, "backoff", BACKOFF);
  const queue = group(top?.queue, "queue", QUEUE);
  const lifecycle = group(top?.lifecycle, "lifecycle", LIFECYCLE);
  const b = "backoff.";
  const values = [
    number(backoff, b, "initialDelay", 1000),
    number(backoff, b, "maxDelay", 30000),
    number(backoff, b, "factor", 2, "a finite number >= 1"),
    number(backoff, b, "maxRetries", Infinity, "a whole number >= 0, or Infinity"),
    number(backoff, b, "minUptime", 5000),
    number(top, "", "connectionTimeout", 10000),
    25000, // heartbeat.interval
    10000, // heartbeat.timeout
    number(queue, "queue.", "maxMessages", 1000, "a whole number from 0 to 1000000"),
    NaN, // lifecycle.closeWhenHiddenAfter: off
    choice(backoff, b, "jitter", JITTER),
    choice(queue, "queue.", "overflow", OVERFLOW),
    0, // heartbeat
    1, // client pings
    0, // anyMessageIsPong
    0, // serverPing
  ];
  const l = "lifecycle.";
  values.push(
    +boolean(lifecycle, l, "probeOnVisible", true),
    +boolean(lifecycle, l, "reconnectOnOnline", true),
    +boolean(lifecycle, l, "pauseWhenOffline", true),
    +boolean(lifecycle, l, "closeOnPageHide", false),
  );
  const hiddenAfter = lifecycle?.closeWhenHiddenAfter;
  if (hiddenAfter !== undefined && hiddenAfter !== null && hiddenAfter !== false) {
    if (typeof hiddenAfter != "number") throw typeError(l + "closeWhenHiddenAfter", "a number of milliseconds, or false", hiddenAfter);
    values[9] = hiddenAfter;
  }

  const shouldReconnect = top?.shouldReconnect;
  if (shouldReconnect !== undefined && typeof shouldReconnect != "function")
    throw typeError("shouldReconnect", "a function", shouldReconnect);
  values.push(+!!shouldReconnect, 0, +boolean(top, "", "startClosed", false));

  let ctor = top?.WebSocket;
  if (ctor === undefined) {
    ctor = globalThis.WebSocket;
    if (typeof ctor != "function")
      throw new TypeError("no WebSocket here: pass one as the WebSocket option (in Node 20, the ws package's WebSocket)");
  } else if (typeof ctor != "function") throw typeError("WebSocket", "a WebSocket constructor", ctor);

  const read = { values, WebSocket: ctor, ping: "ping", reply: undefined, pong: undefined, serverPing: undefined, stamp: false, shouldReconnect };
  let heartbeat = top?.heartbeat;
  if (heartbeat === true) heartbeat = {};
  if (heartbeat !== undefined && heartbeat !== null && heartbeat !== false) {
    const h = group(heartbeat, "heartbeat", HEARTBEAT);
    const hb = "heartbeat.";
    values[6] = number(h, hb, "interval", 25000);
    values[7] = number(h, hb, "timeout", 10000);
    values[12] = 1;
    const anyMessage = boolean(h, hb, "anyMessageIsPong", false);
    values[14] = +anyMessage;
    const ping = h.ping;
    if (ping !== undefined) {
      if (!isPayload(ping)) throw typeError("heartbeat.ping", PAYLOAD, ping);
      read.ping = ping;
    }
    const pong = h.pong;
    if (pong !== undefined) matcher(pong, "heartbeat.pong");
    const sp = group(h.serverPing, "heartbeat.serverPing", SERVER_PING);
    if (sp) {
      read.serverPing = matcher(sp.ping, "heartbeat.serverPing.ping");
      const reply = sp.reply;
      if (!isPayload(reply)) throw typeError("heartbeat.serverPing.reply", PAYLOAD, reply);
      read.reply = reply;
      values[15] = 1;
      // With the server pinging, the client pings only when asked to.
      values[13] = +(ping !== undefined);
    }
    if (values[13]) read.pong = pong ?? "pong";
    read.stamp = anyMessage || !!sp;
  }
  return read;
}

/** The TypeError for the core's config error `code` (src/npm/mod.rs, config_error_code). */
export function configError(code, values) {
  if (code == NO_HEARTBEAT_SOURCE)
    return new TypeError("heartbeat needs client pings (heartbeat.ping) or heartbeat.serverPing, got neither");
  const field = (code >> 4) - 1;
  return typeError(NUMBER_FIELDS[field], EXPECTATIONS[code & 15], values[field]);
}

// An RFC 6455 subprotocol: an HTTP token (visible ASCII, no separators).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The subprotocols as WebSocket converts them (WebIDL: a string, or a sequence of strings,
 * each String()ed), or a SyntaxError for an invalid or repeated one, as WebSocket throws.
 */
export function readProtocols(protocols, syntaxError) {
  if (protocols === undefined) return undefined;
  const list = typeof protocols == "object" && protocols !== null && Symbol.iterator in protocols ? [...protocols].map(String) : [String(protocols)];
  for (let i = 0; i < list.length; i++) {
    const p = list[i];
    if (!TOKEN.test(p) || list.indexOf(p) != i)
      throw syntaxError(`protocols must be distinct tokens (visible ASCII without spaces or separators), got ${show(p)}`);
  }
  return list;
}
