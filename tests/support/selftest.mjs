// Self-test of the support servers with plain `ws` clients (not part of the suite):
//   node --test tests/support/selftest.mjs
import test from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import WebSocket from "ws";
import { startServer, spawnServer } from "./server.mjs";
import { startProxy } from "./proxy.mjs";
import { waitForEvent, eventWithin, withTimeout, sleep, now } from "./helpers.mjs";

function connect(url) {
  const ws = new WebSocket(url);
  ws.on("error", () => {});
  return ws;
}
const opened = (ws) => waitForEvent(ws, "open", { timeout: 5000 });
const nextMessage = (ws) => waitForEvent(ws, "message", { timeout: 5000 }).then((d) => d.toString());
const closed = (ws) =>
  new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));

test("echo, pong, mute, records urls and messages", async () => {
  const srv = await startServer({ echo: true, pong: true });
  try {
    const ws = connect(srv.url("/a?token=1"));
    await opened(ws);
    ws.send("hello");
    assert.equal(await nextMessage(ws), "hello");
    ws.send("ping");
    assert.equal(await nextMessage(ws), "pong");
    srv.set({ mute: true });
    ws.send("ignored");
    await srv.waitFor((s) => s.messages.length === 3, { timeout: 2000 });
    assert.equal(await eventWithin(ws, "message", 300), null);
    assert.deepEqual(srv.messages, ["hello", "ping", "ignored"]);
    assert.equal(srv.upgrades[0].url, "/a?token=1");
    assert.equal(srv.connections, 1);
    assert.equal(srv.live, 1);
    ws.close();
    await srv.waitFor((s) => s.live === 0, { timeout: 2000 });
  } finally {
    await srv.stop();
  }
});

test("server pings and closeAfter with a code", async () => {
  const srv = await startServer({ echo: false, serverPingEvery: 50, closeAfter: { ms: 300, code: 4000, reason: "bye" } });
  try {
    const ws = connect(srv.url());
    const c = closed(ws);
    await opened(ws);
    assert.equal(await nextMessage(ws), "ping");
    const t0 = now();
    const { code, reason } = await withTimeout(c, 3000, "closeAfter");
    assert.equal(code, 4000);
    assert.equal(reason, "bye");
    assert.ok(now() - t0 < 1000);
  } finally {
    await srv.stop();
  }
});

test("closeAll with each code; refuse then resume on the same port", async () => {
  const srv = await startServer();
  try {
    for (const code of [1000, 1001, 1011, 4000]) {
      const ws = connect(srv.url());
      await opened(ws);
      const c = closed(ws);
      await srv.closeAll(code, "x");
      assert.equal((await c).code, code);
    }
    const ws = connect(srv.url());
    await opened(ws);
    const c = closed(ws);
    const port = srv.port;
    await srv.refuse();
    assert.equal((await c).code, 1006);
    const refused = connect(srv.url());
    const err = await waitForEvent(refused, "error", { timeout: 3000 });
    assert.match(err.message, /ECONNREFUSED/);
    await srv.resume();
    assert.equal(srv.port, port);
    const again = connect(srv.url());
    await opened(again);
    again.close();
    await closed(again);
    // refuse with a clean code
    const ws2 = connect(srv.url());
    await opened(ws2);
    const c2 = closed(ws2);
    await srv.refuse({ code: 1001 });
    assert.equal((await c2).code, 1001);
  } finally {
    await srv.stop();
  }
});

test("slow handshake: the client gives up, the server records the abort", async () => {
  const srv = await startServer({ handshakeDelay: 400, handshakeDelayCount: 1 });
  try {
    const ws = connect(srv.url("/slow"));
    await srv.waitFor((s) => s.upgrades.length === 1, { timeout: 2000 });
    await sleep(100);
    ws.close(); // close() while CONNECTING aborts the request
    await srv.waitFor((s) => s.upgrades[0].state === "aborted", { timeout: 2000, label: "aborted" });
    // the next one is not delayed
    const t0 = now();
    const ws2 = connect(srv.url("/fast"));
    await opened(ws2);
    assert.ok(now() - t0 < 300);
    await sleep(400); // past the first one's delay: still one connection
    assert.equal(srv.connections, 1);
    ws2.close();
    await closed(ws2);
    // a delayed one that the client waits for completes
    srv.set({ handshakeDelay: 200, handshakeDelayCount: 1 });
    const t1 = now();
    const ws3 = connect(srv.url());
    await opened(ws3);
    assert.ok(now() - t1 >= 180);
    ws3.close();
    await closed(ws3);
  } finally {
    await srv.stop();
  }
});

test("child process: listening, commands, events, kill and restart on the same port", async () => {
  let child = await spawnServer({ mode: "echo,pong" });
  try {
    const ws = connect(child.url("/c?x=1"));
    await opened(ws);
    ws.send("hi");
    assert.equal(await nextMessage(ws), "hi");
    ws.send("ping");
    assert.equal(await nextMessage(ws), "pong");
    let st = await child.stats();
    assert.deepEqual(st.messages, ["hi", "ping"]);
    assert.equal(st.upgrades[0].url, "/c?x=1");
    const c = closed(ws);
    await child.closeAll(4000, "r");
    assert.equal((await c).code, 4000);

    const ws2 = connect(child.url());
    await opened(ws2);
    const c2 = closed(ws2);
    const { signal } = await child.kill();
    assert.equal(signal, "SIGKILL");
    assert.equal((await c2).code, 1006);
    const port = child.port;
    child = await spawnServer({ port, mode: "echo" });
    assert.equal(child.port, port);
    const ws3 = connect(child.url());
    await opened(ws3);
    ws3.send("again");
    assert.equal(await nextMessage(ws3), "again");
    ws3.close();
    await closed(ws3);
    st = await child.stats();
    assert.equal(st.connections, 1);
    const r = await child.stop();
    assert.equal(r.code, 0, `graceful stop exit ${JSON.stringify(r)} ${child.stderr}`);
  } finally {
    await child.kill();
  }
});

test("proxy forwards, mute keeps TCP open and forwards nothing, unmute", async () => {
  const srv = await startServer({ pong: true });
  const proxy = await startProxy({ port: srv.port });
  try {
    const ws = connect(proxy.url("/p"));
    await opened(ws);
    ws.send("ping");
    assert.equal(await nextMessage(ws), "pong");
    proxy.mute();
    ws.send("ping");
    assert.equal(await eventWithin(ws, "message", 500), null);
    assert.equal(ws.readyState, WebSocket.OPEN);
    assert.equal(srv.messages.length, 1, "server saw nothing while muted");
    // A new connection while muted hangs in the handshake.
    const hung = connect(proxy.url("/hung"));
    assert.equal(await eventWithin(hung, "open", 400), null);
    // The client abandons (terminate): the server side must not learn of it while muted.
    ws.terminate();
    await sleep(200);
    assert.equal(srv.live, 1);
    proxy.unmute();
    await srv.waitFor((s) => s.live === 0, { timeout: 2000, label: "held close delivered on unmute" });
    hung.terminate();
    const ws2 = connect(proxy.url());
    await opened(ws2);
    ws2.send("ping");
    assert.equal(await nextMessage(ws2), "pong");
    ws2.close();
    await closed(ws2);
  } finally {
    await proxy.stop();
    await srv.stop();
  }
});

test("raw TCP: refused port really refuses", async () => {
  const srv = await startServer();
  const port = srv.port;
  await srv.stop();
  await assert.rejects(
    new Promise((resolve, reject) => {
      const s = net.connect({ port, host: "127.0.0.1" });
      s.on("connect", () => {
        s.destroy();
        resolve();
      });
      s.on("error", reject);
    }),
    /ECONNREFUSED/,
  );
});
