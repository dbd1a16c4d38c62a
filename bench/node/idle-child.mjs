// Timers of one idle, connected client, one library per process:
//   node idle-child.mjs <library> <url> [heartbeat JSON: {"interval": ms, "timeout": ms}]
// setTimeout / setInterval / clearTimeout / clearInterval are wrapped on globalThis before the
// library is loaded (lifeline-ws's driver, js/driver.js, calls the global setTimeout, so its
// one timer is counted too). One client connects; nothing is sent or received. Measured:
//   pendingAtOpen   timers pending 100 ms after `open`
//   pendingIdle     timers pending at every 100 ms sample of the idle window (min / max), the
//                   window being [open + SETTLE, open + SETTLE + WINDOW]: SETTLE is past every
//                   library's post-open timer (the 5 s minUptime of several)
//   firedIdle       timer callbacks run during the window (wake-ups), and per second
// Prints one JSON line.

const SETTLE = 5500;
const WINDOW = 3000;

const [name, url, heartbeatArg] = process.argv.slice(2);
const heartbeat = heartbeatArg ? JSON.parse(heartbeatArg) : null;

// The bench's own waits use the originals, so they are not counted.
const original = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
};
const pending = new Map(); // primitive id -> "timeout" | "interval"
let fired = 0;
const key = (handle) => (handle != null && typeof handle == "object" ? Number(handle) : handle);
globalThis.setTimeout = function (callback, ms, ...args) {
  let id;
  const handle = original.setTimeout(
    (...a) => {
      pending.delete(id);
      fired++;
      if (typeof callback == "function") callback(...a);
    },
    ms,
    ...args,
  );
  id = key(handle);
  pending.set(id, "timeout");
  return handle;
};
globalThis.setInterval = function (callback, ms, ...args) {
  const handle = original.setInterval(
    (...a) => {
      fired++;
      callback(...a);
    },
    ms,
    ...args,
  );
  pending.set(key(handle), "interval");
  return handle;
};
globalThis.clearTimeout = function (handle) {
  pending.delete(key(handle));
  return original.clearTimeout(handle);
};
globalThis.clearInterval = function (handle) {
  pending.delete(key(handle));
  return original.clearInterval(handle);
};

const { loadLibrary } = await import("./libraries.mjs");
const { connect } = await import("../clients.mjs");
const lib = await loadLibrary(name);
const sleep = (ms) => new Promise((resolve) => original.setTimeout(resolve, ms));

const settings = { heartbeat, connectionTimeout: 4000 };
let client;
await new Promise((resolve) => {
  client = connect(lib, name, url, { up: resolve, message() {} }, settings);
});
await sleep(100);
const pendingAtOpen = pending.size;
await sleep(SETTLE - 100);
const firedBefore = fired;
const samples = [];
for (let t = 0; t < WINDOW; t += 100) {
  samples.push(pending.size);
  await sleep(100);
}
const firedIdle = fired - firedBefore;
client.close();
process.stdout.write(
  JSON.stringify({
    pendingAtOpen,
    pendingIdleMin: Math.min(...samples),
    pendingIdleMax: Math.max(...samples),
    firedIdle,
    firedPerSecond: firedIdle / (WINDOW / 1000),
    windowMs: WINDOW,
    settleMs: SETTLE,
  }) + "\n",
);
