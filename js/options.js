// Reads the options object of `new LifelineSocket(url, protocols, options)` into the array
// of numbers the core takes (src/npm/mod.rs, `slot`) and the values only JS can hold (the
// WebSocket constructor, ping payloads, matchers, shouldReconnect). Types, names and unknown
// keys are checked here; the numbers' ranges are the core's to check (its config error),
// and this module renders its answer. Every error is a TypeError naming the field, the value
// and the expectation. A getter or Proxy that throws throws out of the constructor as it is.
// Each option object is read once, each field once.

// The core's texts, in the order of its numbering: the fields whose numbers it checks
// (NUMBER_FIELDS, also the first slots) and its expectations (EXPECTATIONS). tests/texts.rs
// keeps them in step with src/npm/mod.rs and src/core/config.rs.
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
  "closeTimeout",
];
export const EXPECTATIONS = [
  "a number of milliseconds > 0 and <= 2147483647",
  "a number of milliseconds >= 0 and <= 2147483647",
  "a number >= backoff.initialDelay",
  "a finite number >= 1",
  "a whole number >= 0, or Infinity",
  "a whole number from 0 to 1000000",
];
export const JITTER = ["full", "equal", "none"];
export const OVERFLOW = ["throw", "drop-oldest"];

// Slots 0-10: the numbers' defaults (closeWhenHiddenAfter: NaN, off), and their type
// expectations where they are not "a number of milliseconds".
const DEFAULTS = [1000, 30000, 2, Infinity, 5000, 10000, 25000, 10000, 1000, NaN, 3000];
const TYPES = { 2: EXPECTATIONS[3], 3: EXPECTATIONS[4], 8: EXPECTATIONS[5], 9: "a number of milliseconds, or false" };
// Slots 17-20: lifecycle's booleans, and their defaults.
const FLAGS = ["probeOnVisible", "reconnectOnOnline", "pauseWhenOffline", "closeOnPageHide"];
const PAYLOAD = "a string, an ArrayBuffer, a typed array, a Blob or a function returning one";
const MATCHER = "a string or a function (message) => boolean";
const KEYS = {
  "": "backoff connectionTimeout closeTimeout heartbeat queue lifecycle shouldReconnect startClosed WebSocket share",
  backoff: "initialDelay maxDelay factor maxRetries minUptime jitter",
  heartbeat: "interval timeout ping pong anyMessageIsPong serverPing",
  "heartbeat.serverPing": "ping reply",
  queue: "maxMessages overflow",
  lifecycle: FLAGS.join(" ") + " closeWhenHiddenAfter",
};

// A value as an error message shows it; never throws (no user toString is called).
export function show(value) {
  const type = typeof value;
  return type == "string"
    ? JSON.stringify(value)
    : type == "function"
      ? "a function"
      : type == "symbol"
        ? "a symbol"
        : value && type == "object"
          ? Array.isArray(value)
            ? "an array"
            : "an object"
          : String(value) + (type == "bigint" ? "n" : "");
}

export function typeError(field, expected, value) {
  return new TypeError(`${field} must be ${expected}, got ${show(value)}`);
}

/**
 * Reads `options`: returns `{ values, WebSocket, ping, reply, pong, serverPing, stamp,
 * shouldReconnect }`, where `values` is the core's config array and the rest stays in JS.
 */
export function readOptions(options) {
  // Each group's fields, read once: groups[name][key].
  const groups = {};
  const group = (name, object) => {
    const fields = (groups[name] = {});
    if (object === undefined || object === null) return;
    if (typeof object != "object" || Array.isArray(object)) throw typeError(name || "options", "an object", object);
    for (const key of Object.keys(object)) {
      if (!KEYS[name].split(" ").includes(key)) throw new TypeError(`unknown option "${name ? name + "." : ""}${key}"`);
      fields[key] = object[key];
    }
  };
  const field = (path) => {
    const dot = path.lastIndexOf(".");
    return groups[dot < 0 ? "" : path.slice(0, dot)]?.[path.slice(dot + 1)];
  };
  const check = (path, ok, expected) => {
    const value = field(path);
    if (value !== undefined && !ok(value)) throw typeError(path, expected, value);
    return value;
  };
  const boolean = (path, fallback) => +(check(path, (v) => typeof v == "boolean", "true or false") ?? fallback);
  const choice = (path, names) => {
    const i = names.indexOf(check(path, (v) => names.includes(v), "one of " + names.map((n) => `"${n}"`).join(", ").replace(/, (?=[^,]*$)/, " or ")));
    return i < 0 ? 0 : i;
  };

  group("", options);
  for (const name of ["backoff", "queue", "lifecycle"]) group(name, groups[""][name]);
  const heartbeat = groups[""].heartbeat;
  const on = heartbeat !== undefined && heartbeat !== null && heartbeat !== false;
  group("heartbeat", heartbeat === true ? {} : on ? heartbeat : undefined);
  group("heartbeat.serverPing", groups.heartbeat.serverPing);

  const hidden = field("lifecycle.closeWhenHiddenAfter");
  const values = NUMBER_FIELDS.map((path, i) =>
    i == 9 && (hidden === null || hidden === false)
      ? NaN
      : (check(path, (v) => typeof v == "number", TYPES[i] ?? "a number of milliseconds") ?? DEFAULTS[i]),
  );
  const ping = check("heartbeat.ping", isPayload, PAYLOAD);
  const pong = check("heartbeat.pong", isMatcher, MATCHER);
  const serverPing = groups.heartbeat.serverPing !== undefined;
  // With the server pinging, the client pings only when asked to.
  const clientPing = !serverPing || ping !== undefined;
  const anyMessage = boolean("heartbeat.anyMessageIsPong", false);
  values.push(choice("backoff.jitter", JITTER), choice("queue.overflow", OVERFLOW), +on, +clientPing, anyMessage, +(on && serverPing));
  for (let i = 0; i < 4; i++) values.push(boolean("lifecycle." + FLAGS[i], i < 3));
  const shouldReconnect = check("shouldReconnect", (v) => typeof v == "function", "a function");
  values.push(+!!shouldReconnect, 0, boolean("startClosed", false));

  let WebSocket = check("WebSocket", (v) => typeof v == "function", "a WebSocket constructor") ?? globalThis.WebSocket;
  if (typeof WebSocket != "function")
    throw new TypeError("no WebSocket here: pass one as the WebSocket option (in Node 20, the ws package's WebSocket)");

  const read = { values, WebSocket, ping: ping ?? "ping", shouldReconnect, stamp: false };
  if (on && serverPing) {
    read.serverPing = check("heartbeat.serverPing.ping", isMatcher, MATCHER);
    if (read.serverPing === undefined) throw typeError("heartbeat.serverPing.ping", MATCHER, undefined);
    read.reply = field("heartbeat.serverPing.reply");
    if (!isPayload(read.reply)) throw typeError("heartbeat.serverPing.reply", PAYLOAD, read.reply);
  }
  if (on && clientPing) read.pong = pong ?? "pong";
  read.stamp = on && (!!anyMessage || serverPing);
  // A key (js/share.js): a string, or true for one made from the URL.
  read.share = check("share", (v) => typeof v == "string" || typeof v == "boolean", "a string or true");
  return read;
}

function isPayload(value) {
  return (
    typeof value == "string" ||
    typeof value == "function" ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    value instanceof Blob
  );
}

function isMatcher(value) {
  return typeof value == "string" || typeof value == "function";
}

/** The TypeError for the core's config error `code` (src/npm/mod.rs, config_error_code). */
export function configError(code, values) {
  const field = (code >> 4) - 1;
  return field < 0 || field >= NUMBER_FIELDS.length
    ? new TypeError("heartbeat needs client pings (heartbeat.ping) or heartbeat.serverPing, got neither")
    : typeError(NUMBER_FIELDS[field], EXPECTATIONS[code & 15], values[field]);
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
  list.forEach((p, i) => {
    if (!TOKEN.test(p) || list.indexOf(p) != i)
      throw syntaxError(`protocols must be distinct tokens (visible ASCII without spaces or separators), got ${show(p)}`);
  });
  return list;
}
