// Close reasons cross into wasm as ids; the driver keeps their texts (js/driver.js, REASONS and
// #reasons) and forgets them at the end of a run of the core's commands, all but the one the
// core still holds. These tests fail if a reason reaches a socket, a listener or
// shouldReconnect with the wrong text, or if the texts are kept without bound. The sockets are
// fakes (the `WebSocket` option) the test opens and closes itself, so every step is
// synchronous and nothing waits on a timer.
import test from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { loadLifeline, guardResources } from "../support/client.mjs";

guardResources("reason-ids.test.mjs");

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");

// A socket that does what the test tells it: open(), serverClose(code, reason); close(code,
// reason) is what the driver asked for.
class FakeSocket extends EventTarget {
  static all = [];
  readyState = 0;
  binaryType = "blob";
  extensions = "";
  protocol = "";
  bufferedAmount = 0;
  closedWith = null;
  constructor(url) {
    super();
    this.url = url;
    FakeSocket.all.push(this);
  }
  send() {}
  close(code, reason) {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  serverClose(code, reason) {
    this.readyState = 3;
    const event = new Event("close");
    Object.assign(event, { code, reason, wasClean: true });
    this.dispatchEvent(event);
  }
}

// A reason unique to `i`, 40 code units long (at most 106 bytes of UTF-8): a string of its
// own, as a socket's or a user's would be.
const unique = (i, tail) => `${i}:`.padEnd(40, tail);

// Runs `rounds` rounds of: the socket opens; then the server closes it (odd rounds: its
// reason goes through shouldReconnect, kept by the core while it asks, to the close event),
// or a listener of `open` calls reconnect(code, reason) at once (even rounds: re-entrant;
// the reason goes to the abandoned socket's close() and to the close event). Every text is
// checked as it arrives. `measure`, if given, is awaited after the rounds, the socket still
// alive (what its driver keeps is reachable).
async function run(rounds, measure = async () => {}) {
  const { LifelineSocket } = await loadLifeline();
  FakeSocket.all.length = 0;
  let expected = null; // the reason the next close event must carry
  let asked = null;
  const wrong = [];
  const sock = new LifelineSocket("ws://fake/", undefined, {
    WebSocket: FakeSocket,
    backoff: { initialDelay: 1e9, maxDelay: 1e9, minUptime: 0 },
    shouldReconnect: (event) => {
      asked = event.reason;
      return true;
    },
  });
  // Events of the constructor's own start wait for a microtask (js/lifeline-ws.js).
  await new Promise((resolve) => setTimeout(resolve, 0));
  let round = 0;
  sock.addEventListener("open", () => {
    if (round % 2 == 0) sock.reconnect(4000, (expected = unique(round, "✓")));
  });
  sock.addEventListener("close", (event) => {
    if (event.reason !== expected) wrong.push(`round ${round}: close reason ${JSON.stringify(event.reason)}, not ${JSON.stringify(expected)}`);
    expected = null;
  });
  try {
    for (; round < rounds; round++) {
      const ws = FakeSocket.all.at(-1);
      FakeSocket.all.length = 0;
      ws.open();
      if (round % 2 == 0) {
        if (ws.closedWith?.[1] !== unique(round, "✓")) wrong.push(`round ${round}: the socket was closed with ${JSON.stringify(ws.closedWith)}`);
      } else {
        const text = (expected = unique(round, "é"));
        ws.serverClose(4001, text);
        if (asked !== text) wrong.push(`round ${round}: shouldReconnect heard ${JSON.stringify(asked)}`);
        // The retry waits for initialDelay: reconnect() makes it now (the core's waiting
        // drops this call's reason; its text must go too).
        sock.reconnect(4002, unique(round, "x"));
      }
      if (wrong.length > 10) break;
    }
    await measure();
  } finally {
    expected = ""; // the final close: close() with no reason
    sock.close();
  }
  return wrong;
}

test("reasons reach sockets, listeners and shouldReconnect with their own texts", async () => {
  assert.deepEqual(await run(2000), []);
});

// What the heap holds once the microtasks of a run (each socket's events) have run.
async function heapUsed() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

test("the texts of reasons are not kept: 200,000 rounds hold no more than 2,000 do", async () => {
  let before, after;
  await run(2000, async () => (before = await heapUsed()));
  const wrong = await run(200_000, async () => (after = await heapUsed()));
  const grown = after - before;
  assert.deepEqual(wrong, []);
  // Kept, the 300,000 texts (40 code units each, with their map entries) would take over
  // 30 MB.
  assert.ok(grown < 8e6, `the heap grew by ${(grown / 1e6).toFixed(1)} MB`);
  console.log(`reason-ids: the heap grew by ${(grown / 1e6).toFixed(2)} MB over 200,000 rounds`);
});

test("close() counts a reason's bytes of UTF-8 as a socket does (a lone surrogate is 3)", async () => {
  const { LifelineSocket } = await loadLifeline();
  for (const [reason, bytes] of [
    ["a".repeat(123), 123],
    ["é".repeat(62), 124],
    ["\uD800".repeat(41), 123],
    ["\uD800".repeat(42), 126],
    ["\uDC00".repeat(42), 126],
    ["\uDC00\uD800".repeat(21), 86], // pairs where the repeats meet
    ["🔌".repeat(30) + "abc", 123],
    ["🔌".repeat(31), 124],
    ["✓".repeat(41), 123],
    ["\uD83D" + "✓".repeat(40), 123],
  ]) {
    assert.equal(Buffer.byteLength(reason), bytes, "the case's own count");
    const sock = new LifelineSocket("ws://fake/", undefined, { WebSocket: FakeSocket, startClosed: true });
    try {
      if (bytes <= 123) sock.reconnect(4000, reason);
      else assert.throws(() => sock.reconnect(4000, reason), { name: "SyntaxError", message: `close reason must be at most 123 bytes of UTF-8, got ${bytes}` });
    } finally {
      sock.close();
    }
  }
});
