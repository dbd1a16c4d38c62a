// Bad input is refused the way WebSocket refuses it, with messages that say what is wrong:
// SyntaxError for URLs, TypeError naming field/value/expectation for options (unknown keys
// too), InvalidStateError after close(), and the queue's overflow policies.
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, closeSocket, loadLifeline, WS } from "../support/client.mjs";
import { ms, resourceBaseline, assertNoLeakedResources, waitForEvent, withTimeout } from "../support/helpers.mjs";

let LifelineSocket;
let baseline;
before(async () => {
  ({ LifelineSocket } = await loadLifeline());
  baseline = resourceBaseline();
});
after(async () => {
  await closeSockets();
  await assertNoLeakedResources(baseline, { label: "errors.test.mjs" });
});

/** Construct without connecting anywhere real; close whatever did get constructed. */
function construct(url, options = {}, protocols) {
  const sock = new LifelineSocket(url, protocols, { WebSocket: WS, startClosed: true, ...options });
  return sock;
}

/**
 * fn() must throw an error named `name` (SyntaxError is WebSocket's DOMException "SyntaxError"
 * where there is a DOMException, so the name is what is checked, as for any DOMException) whose
 * message matches every pattern. Whatever fn() did construct is closed.
 */
function assertThrowsNamed(fn, name, pattern, label) {
  let thrown;
  try {
    const s = fn();
    if (s && typeof s.close === "function") s.close();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown, `${label}: expected a ${name}, nothing was thrown`);
  assert.equal(thrown.name, name, `${label}: expected ${name}, got ${thrown?.name}: ${thrown?.message}`);
  if (name === "TypeError") assert.ok(thrown instanceof TypeError, `${label}: a real TypeError`);
  if (pattern) {
    for (const p of [].concat(pattern)) assert.match(thrown.message, p, `${label}: message ${JSON.stringify(thrown.message)}`);
  }
  return thrown;
}

test("invalid URLs and schemes throw SyntaxError (and never print the query)", () => {
  for (const url of ["not a url", "ftp://example.com/", "file:///etc/passwd", "", "ws://", "mailto:a@b.c"]) {
    assertThrowsNamed(() => construct(url), "SyntaxError", null, `url ${JSON.stringify(url)}`);
  }
  const err = assertThrowsNamed(
    () => construct("ftp://user:hunter2@example.com/path?token=s3cr3t"),
    "SyntaxError",
    null,
    "url with credentials",
  );
  assert.doesNotMatch(err.message, /s3cr3t|hunter2/, "the message shows no query or credentials");
});

test("ws:, wss:, http: and https: are accepted; http(s) map to ws(s)", async () => {
  for (const [url, expected] of [
    ["ws://127.0.0.1:9/a", /^ws:\/\/127\.0\.0\.1:9\/a/],
    ["wss://example.com/a", /^wss:\/\/example\.com\/a/],
    ["http://127.0.0.1:9/a", /^ws:\/\/127\.0\.0\.1:9\/a/],
    ["https://example.com/a", /^wss:\/\/example\.com\/a/],
  ]) {
    const s = construct(url);
    try {
      assert.match(s.url, expected, `url of ${url}`);
    } finally {
      await closeSocket(s);
    }
  }
  const s = construct(new URL("http://127.0.0.1:9/u"));
  try {
    assert.match(s.url, /^ws:\/\/127\.0\.0\.1:9\/u/, "a URL object");
  } finally {
    await closeSocket(s);
  }
});

test("invalid option values throw TypeError naming field, value and expectation", () => {
  const cases = [
    [{ heartbeat: { timeout: -5 } }, [/heartbeat\.timeout/, /-5/, /must be/]],
    [{ heartbeat: { interval: "often" } }, [/heartbeat\.interval/, /often/, /must be/]],
    [{ backoff: { jitter: "fast" } }, [/backoff\.jitter/, /fast/, /full/]],
    [{ backoff: { initialDelay: -1 } }, [/backoff\.initialDelay/, /-1/, /must be/]],
    [{ backoff: { factor: 0 } }, [/backoff\.factor/, /must be/]],
    [{ backoff: { maxRetries: -3 } }, [/backoff\.maxRetries/, /-3/]],
    [{ connectionTimeout: 0 }, [/connectionTimeout/, /0/, /must be/]],
    [{ queue: { maxMessages: 1.5 } }, [/queue\.maxMessages/, /1\.5/]],
    [{ queue: { overflow: "explode" } }, [/queue\.overflow/, /explode/, /drop-oldest/]],
    [{ shouldReconnect: 42 }, [/shouldReconnect/, /42/]],
  ];
  for (const [options, patterns] of cases) {
    assertThrowsNamed(() => construct("ws://127.0.0.1:9/", options), "TypeError", patterns, JSON.stringify(options));
  }
});

test("unknown option keys throw TypeError naming the key", () => {
  assertThrowsNamed(() => construct("ws://127.0.0.1:9/", { reconnectDelay: 5 }), "TypeError", /reconnectDelay/, "top level");
  assertThrowsNamed(
    () => construct("ws://127.0.0.1:9/", { heartbeat: { intervall: 5 } }),
    "TypeError",
    /heartbeat\.intervall/,
    "nested",
  );
  assertThrowsNamed(
    () => construct("ws://127.0.0.1:9/", { backoff: { initialDelay: 50, maxdelay: 5 } }),
    "TypeError",
    /backoff\.maxdelay/,
    "nested, case matters",
  );
});

test("send() after close() throws InvalidStateError", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const { sock, rec } = await makeSocket(server.url("/closed"));
    await rec.waitFor("open");
    sock.send("while open");
    await server.waitFor((s) => s.messages.length === 1);
    await closeSocket(sock);
    assert.equal(sock.readyState, 3, "readyState CLOSED");
    let thrown;
    try {
      sock.send("after close");
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown, "send() after close() throws");
    assert.equal(thrown.name, "InvalidStateError", `${thrown.name}: ${thrown.message}`);
    const finalClose = rec.events("close").at(-1);
    assert.equal(finalClose?.willReconnect, false, "the last close says no reconnect follows");
    assert.deepEqual(server.messages, ["while open"]);
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("close() converts its code as WebSocket does (WebIDL [Clamp] unsigned short)", async () => {
  const server = await startServer({ echo: true });
  try {
    for (const [code, expected] of [["4001", 4001], [3000.4, 3000], [4000.5, 4000], [4001.5, 4002]]) {
      const s = construct(server.url("/"), { startClosed: false });
      await waitForEvent(s, "open", { label: `open before close(${JSON.stringify(code)})` });
      const seen = new Promise((resolve) => server.once("disconnect", (_conn, c) => resolve(c)));
      s.close(code, "bye");
      assert.equal(await withTimeout(seen, ms(5000), "the server sees the close"), expected, `close(${JSON.stringify(code)})`);
      await closeSocket(s);
    }
  } finally {
    await server.stop();
  }
  const s = construct("ws://127.0.0.1:9/");
  try {
    for (const code of [NaN, "abc", -1, 1e9]) {
      assert.throws(() => s.close(code), { name: "InvalidAccessError" }, `close(${String(code)})`);
    }
  } finally {
    await closeSocket(s);
  }
});

test("close() with an invalid code throws like WebSocket (InvalidAccessError)", async () => {
  const s = construct("ws://127.0.0.1:9/");
  try {
    for (const code of [1005, 1006, 999, 2000, 5000]) {
      let thrown;
      try {
        s.close(code);
      } catch (err) {
        thrown = err;
      }
      assert.ok(thrown, `close(${code}) throws`);
      assert.equal(thrown.name, "InvalidAccessError", `close(${code}): ${thrown.name}: ${thrown.message}`);
    }
  } finally {
    await closeSocket(s);
  }
});

/** A port where nothing listens (so the client keeps retrying while we send). */
async function refusingUrl() {
  const server = await startServer();
  const port = server.port;
  await server.stop();
  return `ws://127.0.0.1:${port}/q`;
}

test('queue full with overflow "throw": an error that says the queue is full and its size', { timeout: ms(30000) }, async () => {
  const { sock } = await makeSocket(await refusingUrl(), { queue: { maxMessages: 2, overflow: "throw" } });
  try {
    sock.send("a");
    sock.send("b");
    assert.equal(sock.stats.queued, 2);
    let thrown;
    try {
      sock.send("c");
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown, "the third send throws");
    assert.match(thrown.message, /queue is full/i);
    assert.match(thrown.message, /\b2\b/, "names the queue's size");
    assert.equal(sock.stats.queued, 2, "the refused message was not queued");
  } finally {
    await closeSocket(sock);
  }
});

test('queue full with overflow "drop-oldest": a drop event with the dropped data, order kept', { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  await server.refuse();
  try {
    const { sock, rec } = await makeSocket(server.url("/drop"), { queue: { maxMessages: 2, overflow: "drop-oldest" } });
    const bin = new Uint8Array([1, 2, 3]);
    sock.send(bin);
    sock.send("b");
    assert.equal(rec.count("drop"), 0);
    sock.send("c"); // drops bin
    sock.send("d"); // drops "b"
    assert.equal(rec.count("drop"), 2);
    const [d1, d2] = rec.events("drop");
    const dropped1 = d1.data ?? d1.detail?.data;
    assert.equal(dropped1, bin, "the dropped data is what was sent (same object)");
    assert.equal(d2.data ?? d2.detail?.data, "b");
    assert.equal(sock.stats.queued, 2);
    await server.resume();
    await rec.waitFor("open", 1, { timeout: ms(10000) });
    await server.waitFor((s) => s.messages.length >= 2, { label: "the two kept messages" });
    assert.deepEqual(server.messages, ["c", "d"]);
  } finally {
    await closeSockets();
    await server.stop();
  }
});
