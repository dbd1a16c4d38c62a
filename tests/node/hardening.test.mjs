// What a careless or hostile user does, and what they get (the reliability contract in
// docs/driver-contract.md): send() converts and refuses the same way in every state, and
// queues the bytes as they were at the call; a message event's target is the LifelineSocket;
// a throwing ping function is reported; events are never delivered nested, and listeners whose
// calls keep causing events are stopped before they can hang or break the socket; subprotocols are checked at construction; no error
// message ever shows a URL's credentials or query.
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources, loadLifeline, WS } from "../support/client.mjs";
import { ms } from "../support/helpers.mjs";

guardResources("hardening.test.mjs");

/** A port where nothing listens: the client keeps retrying and queues what it is sent. */
async function refusingUrl() {
  const server = await startServer();
  const port = server.port;
  await server.stop();
  return `ws://127.0.0.1:${port}/down`;
}

const text = (m) => (Buffer.isBuffer(m) ? `bytes:${[...m].join(",")}` : m);

test("send() converts as WebSocket.send does, the same while open and while not", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: false });
  try {
    const values = [{}, true, 10n, 42, null, undefined, { toString: () => "custom" }];
    const expected = ["[object Object]", "true", "10", "42", "null", "undefined", "custom"];
    // Not open yet: queued (converted at the call), flushed on open.
    const { sock, rec } = await makeSocket(server.url("/convert"), { startClosed: true });
    for (const v of values) sock.send(v);
    assert.throws(() => sock.send(Symbol("s")), TypeError, "a Symbol cannot be a string");
    assert.equal(sock.stats.queued, values.length, "the refused Symbol was not queued");
    sock.reconnect();
    await rec.waitFor("open");
    // Open: the same conversions, straight to the socket.
    for (const v of values) sock.send(v);
    assert.throws(() => sock.send(Symbol("s")), TypeError);
    await server.waitFor((s) => s.messages.length === 2 * values.length, { label: "every message" });
    assert.deepEqual(server.messages.map(text), [...expected, ...expected]);
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("queued binary data goes out as it was at send(), whatever happens to it after", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: false });
  try {
    const { sock, rec } = await makeSocket(server.url("/copy"), { startClosed: true });
    const view = new Uint8Array([1, 2, 3]);
    sock.send(view);
    view[0] = 99; // changed after send()
    const buffer = new Uint8Array([4, 5, 6]).buffer;
    sock.send(buffer);
    structuredClone(buffer, { transfer: [buffer] }); // detached after send()
    assert.equal(buffer.byteLength, 0, "the buffer was detached");
    const offset = new Uint8Array([7, 8, 9, 10]).subarray(1, 3); // a view into a larger buffer
    sock.send(offset);
    sock.reconnect();
    await rec.waitFor("open");
    await server.waitFor((s) => s.messages.length === 3, { label: "the three messages" });
    assert.deepEqual(server.messages.map(text), ["bytes:1,2,3", "bytes:4,5,6", "bytes:8,9"]);
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("a dropped message comes back as the very object that was sent", { timeout: ms(30000) }, async () => {
  const { sock, rec } = await makeSocket(await refusingUrl(), { queue: { maxMessages: 1, overflow: "drop-oldest" } });
  try {
    const first = new Uint8Array([1]);
    sock.send(first);
    sock.send("second");
    assert.equal(rec.events("drop")[0]?.data, first);
  } finally {
    await closeSockets();
  }
});

test("a message event's target and currentTarget are the LifelineSocket; event.target.send() goes through it", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const { sock, rec } = await makeSocket(server.url("/target"));
    await rec.waitFor("open");
    const seen = new Promise((resolve) => {
      sock.addEventListener("message", (event) => {
        event.target.send("answer to " + event.data);
        resolve({ target: event.target, current: event.currentTarget, type: event.type, data: event.data, origin: typeof event.origin });
      }, { once: true });
    });
    sock.send("hello");
    const event = await seen;
    assert.equal(event.target, sock);
    assert.equal(event.current, sock);
    assert.equal(event.type, "message");
    assert.equal(event.data, "hello");
    assert.equal(event.origin, "string");
    await server.waitFor((s) => s.messages.includes("answer to hello"), { label: "the answer" });
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("a heartbeat.ping function that throws is an error event with the user's error; nothing is sent", { timeout: ms(30000) }, async () => {
  const server = await startServer({ pong: true });
  try {
    const mine = new Error("no ping today");
    const { sock, rec } = await makeSocket(server.url("/ping"), {
      heartbeat: { interval: 50, timeout: 1000, ping: () => { throw mine; } },
    });
    await rec.waitFor("open");
    const error = await rec.waitFor("error", 1, { label: "the ping's error" });
    assert.equal(error.cause, "heartbeat");
    assert.equal(error.error, mine);
    assert.equal(server.messages.length, 0, "no empty frame went out in its place");
    assert.equal(sock.state, "open");
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("a drop listener that sends the dropped message again is stopped, and the socket stays usable", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: false });
  try {
    const { sock, rec } = await makeSocket(server.url("/resend"), { startClosed: true, queue: { maxMessages: 2, overflow: "drop-oldest" } });
    const refused = [];
    sock.addEventListener("drop", (event) => {
      try {
        sock.send(event.data); // drops the next oldest, which comes back here, and so on
      } catch (error) {
        refused.push(error);
      }
    });
    sock.send("a");
    sock.send("b");
    sock.send("c");
    assert.equal(refused.length, 1, "the loop was cut once");
    assert.equal(refused[0].name, "RangeError");
    assert.match(refused[0].message, /100000 calls in one run/);
    assert.equal(sock.stats.queued, 2, "the queue holds its two messages");
    // Still a working socket.
    sock.reconnect();
    await rec.waitFor("open");
    sock.send("after");
    await server.waitFor((s) => s.messages.includes("after"), { label: "a send after the loop" });
    assert.equal(server.messages.length, 3);
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("invalid or repeated subprotocols throw a SyntaxError at construction, as WebSocket does", async () => {
  const { LifelineSocket } = await loadLifeline();
  const make = (protocols) => new LifelineSocket("ws://127.0.0.1:9/", protocols, { WebSocket: WS, startClosed: true });
  for (const protocols of [["a", "a"], "", ["a b"], ["a,b"], ["ok", ""], ["é"]]) {
    assert.throws(() => make(protocols), { name: "SyntaxError" }, JSON.stringify(protocols));
  }
  for (const protocols of [5, "chat", ["chat", "superchat"], new Set(["x"])]) make(protocols).close();
});

test("no error message shows a URL's credentials or query, whatever the string", async () => {
  const { LifelineSocket } = await loadLifeline();
  const marker = "S3CR3T";
  const shapes = [
    (m) => `ws:\\\\user:${m}@bad host/x`,
    (m) => `ws://user:${m}?x`,
    (m) => `ws://user:hun/${m}@[bad/`,
    (m) => `ws:/user:${m}@[bad/`,
    (m) => `ftp://user:${m}@example.com/?token=${m}`,
    (m) => `ws://example.com/path?token=${m}#frag`,
    (m) => `ws://example.com/#${m}`,
    (m) => `${m}://host/`,
    (m) => `ws://[${m}/`,
    (m) => `ws://u:${m}@host:99999/`,
    (m) => `http://${m}:${m}@exa mple.com/`,
    (m) => ` ws://u:${m}@h/ `,
  ];
  // A generated corpus: each shape with the marker, and with random junk around it.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const junk = () => Array.from({ length: Math.floor(random() * 6) }, () => " :/@?#[]%\\".charAt(Math.floor(random() * 11))).join("");
  let refused = 0;
  for (let i = 0; i < 600; i++) {
    const url = shapes[i % shapes.length](junk() + marker + junk());
    try {
      new LifelineSocket(url, undefined, { WebSocket: WS, startClosed: true }).close();
    } catch (error) {
      refused++;
      assert.ok(!String(error.message).includes(marker), `${JSON.stringify(url)} -> ${error.message}`);
    }
  }
  assert.ok(refused > 300, `most of the corpus is refused (${refused})`);
  // A URL provider's bad URL is an error event, whose error shows no more.
  const errors = [];
  const sock = new LifelineSocket(() => `ws://user:${marker}@[bad/?q=${marker}`, undefined, { WebSocket: WS, backoff: { initialDelay: 10000 } });
  sock.addEventListener("error", (e) => errors.push(e));
  await new Promise((resolve) => setTimeout(resolve, 50));
  sock.close();
  assert.equal(errors.length, 1);
  assert.ok(!String(errors[0].error?.message).includes(marker), errors[0].error?.message);
});
