// `share` in Node. Node has no Web Locks: each LifelineSocket with `share` connects on its
// own, says so in stats, and throws nothing. With an in-process stand-in for navigator.locks
// (tests/support/fake-locks.mjs) and Node's own BroadcastChannel, the views of one process
// share one connection as tabs do: the rules of a shared connection, tested without a
// browser (tests/browser/share.test.mjs does it across real pages).
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources, loadLifeline, loadShare, WS } from "../support/client.mjs";
import { installPacked } from "../support/pack.mjs";
import { FakeLocks } from "../support/fake-locks.mjs";
import { EventRecorder, ms, sleep } from "../support/helpers.mjs";

guardResources("share.test.mjs");

/** Runs `fn` with a fake navigator.locks installed on globalThis. */
async function withLocks(fn) {
  const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  const locks = new FakeLocks();
  Object.defineProperty(globalThis, "navigator", { value: { locks }, configurable: true, writable: true });
  try {
    return await fn(locks);
  } finally {
    await closeSockets();
    if (had) Object.defineProperty(globalThis, "navigator", had);
    else delete globalThis.navigator;
  }
}

const data = (rec) => rec.events("message").map((e) => e.data);
const fromConn = (srv, conn) => srv.received.filter((m) => m.conn === conn).map((m) => m.data);

test("without Web Locks (Node): each socket with share connects on its own, and stats says so", { timeout: ms(20000) }, async () => {
  assert.equal(globalThis.navigator?.locks, undefined, "Node has no navigator.locks");
  const srv = await startServer({ echo: false });
  try {
    const a = await makeSocket(srv.url("/alone"), { share: "k" });
    const b = await makeSocket(srv.url("/alone"), { share: true });
    await a.rec.waitFor("open");
    await b.rec.waitFor("open");
    assert.equal(srv.connections, 2);
    assert.equal(a.sock.stats.share, "unavailable");
    assert.equal(b.sock.stats.share, "unavailable");
    const plain = await makeSocket(srv.url("/alone"));
    assert.equal("share" in plain.sock.stats, false, "no share field without the option");
  } finally {
    await closeSockets();
    await srv.stop();
  }
});

test("an opaque origin (a sandboxed iframe, file:) connects on its own, even with Web Locks", { timeout: ms(20000) }, async () => {
  const srv = await startServer({ echo: false });
  try {
    await withLocks(async () => {
      globalThis.origin = "null";
      try {
        const a = await makeSocket(srv.url("/opaque"), { share: "k" });
        const b = await makeSocket(srv.url("/opaque"), { share: "k" });
        await a.rec.waitFor("open");
        await b.rec.waitFor("open");
        assert.equal(srv.connections, 2);
        assert.equal(a.sock.stats.share, "unavailable");
      } finally {
        delete globalThis.origin;
      }
    });
  } finally {
    await srv.stop();
  }
});

test("share comes with the entry lifeline-ws/share: the main entry refuses it, naming the entry; the share entry's class extends the main one's, in ESM and CommonJS", async () => {
  const main = await loadLifeline();
  const shared = await loadShare();
  const options = { WebSocket: WS, startClosed: true };
  for (const share of ["k", true])
    assert.throws(() => new main.LifelineSocket("ws://127.0.0.1:1/", undefined, { ...options, share }), {
      name: "TypeError",
      message: 'share needs the share entry: import { LifelineSocket } from "lifeline-ws/share"',
    });
  // share: false is no sharing, in either entry; the options are still checked first.
  assert.equal(new main.LifelineSocket("ws://127.0.0.1:1/", undefined, { ...options, share: false }).stats.share, undefined);
  assert.throws(() => new main.LifelineSocket("ws://127.0.0.1:1/", undefined, { ...options, share: 3 }), { message: "share must be a string or true, got 3" });
  const s = new shared.LifelineSocket("ws://127.0.0.1:1/", undefined, { ...options, share: "k" });
  assert.ok(s instanceof main.LifelineSocket, "a subclass of the main entry's class: one module, one wasm");
  assert.equal(s.stats.share, "unavailable");
  assert.equal(shared.LifelineSocket.OPEN, 1);
  s.close();
  // CommonJS: require("lifeline-ws/share") gives a subclass of require("lifeline-ws")'s class.
  const info = await installPacked();
  const cjs = info.require("lifeline-ws/share");
  assert.equal(Object.getPrototypeOf(cjs.LifelineSocket), info.require("lifeline-ws").LifelineSocket);
  const c = new cjs.LifelineSocket("ws://127.0.0.1:1/", undefined, { ...options, share: "k" });
  assert.equal(c.stats.share, "unavailable");
  c.close();
});

test("share: a string or true; true needs a URL, not a provider", async () => {
  const { LifelineSocket } = await loadShare();
  assert.throws(() => new LifelineSocket("ws://127.0.0.1:1/", undefined, { WebSocket: WS, share: 3, startClosed: true }), {
    name: "TypeError",
    message: "share must be a string or true, got 3",
  });
  await withLocks(async () => {
    assert.throws(() => new LifelineSocket(() => "ws://127.0.0.1:1/", undefined, { WebSocket: WS, share: true, startClosed: true }), {
      name: "TypeError",
      message: "share must be a string key with a URL provider, got true",
    });
  });
});

test("views of one key share one connection: messages once and in order, sends in order, a follower's close() closes its view only", { timeout: ms(30000) }, async () => {
  const srv = await startServer({ echo: false });
  try {
    await withLocks(async () => {
      const views = [];
      for (let i = 0; i < 3; i++) views.push(await makeSocket(srv.url("/share"), { share: "k" }, ["chat"]));
      for (const { rec } of views) await rec.waitFor("open");
      assert.equal(srv.connections, 1);
      assert.deepEqual(views.map((v) => v.sock.protocol), ["chat", "chat", "chat"], "the protocol the server chose, in every view");
      assert.deepEqual(views.map((v) => v.sock.stats.share), ["leader", "follower", "follower"]);
      assert.ok(views.every((v) => v.sock.stats.connectedSince > 0), "stats of the shared connection in every view");

      for (let i = 0; i < 20; i++) srv.broadcast(`m${i}`);
      for (const { rec } of views) await rec.until(() => rec.count("message") >= 20, { label: "20 messages" });
      views.forEach((v, p) => {
        for (let i = 0; i < 5; i++) v.sock.send(`${p}:${i}`);
      });
      await srv.waitFor((s) => s.received.length >= 15, { label: "15 sends" });
      await sleep(50);
      const expected = Array.from({ length: 20 }, (_, i) => `m${i}`);
      for (const { rec } of views) assert.deepEqual(data(rec), expected);
      for (let p = 0; p < 3; p++)
        assert.deepEqual(srv.messages.filter((m) => m.startsWith(`${p}:`)), [0, 1, 2, 3, 4].map((i) => `${p}:${i}`));
      assert.equal(srv.messages.length, 15);
      for (const { sock } of views) assert.equal(sock.stats.queued, 0, "every send acknowledged");

      // A follower's close(): its view ends as a socket closed by its user; the rest go on.
      const f = views[2];
      f.sock.close(4001, "bye");
      assert.equal(f.sock.state, "closed");
      assert.deepEqual(f.rec.sequence(), ["open", "close"]);
      assert.equal(f.rec.events("close")[0].code, 4001);
      assert.throws(() => f.sock.send("late"), { name: "InvalidStateError" });
      srv.broadcast("after");
      await views[1].rec.until(() => data(views[1].rec).includes("after"), { label: "a message after" });
      await sleep(50);
      assert.equal(data(f.rec).includes("after"), false, "a closed view hears nothing");
      assert.equal(srv.connections, 1);
      assert.equal(srv.live ?? srv.clients.size, 1);
    });
  } finally {
    await srv.stop();
  }
});

test("the leader's close(): another view leads, with one new connection; sends made meanwhile arrive once, in order; the last close() ends the connection", { timeout: ms(30000) }, async () => {
  const srv = await startServer({ echo: false });
  try {
    await withLocks(async () => {
      const views = [];
      for (let i = 0; i < 3; i++) views.push(await makeSocket(srv.url("/takeover"), { share: "k" }));
      for (const { rec } of views) await rec.waitFor("open");
      views[0].sock.close();
      views[1].sock.send("a1");
      views[2].sock.send("a2");
      views[1].sock.send("b1");
      for (const v of views.slice(1)) await v.rec.waitFor("reconnect");
      await srv.waitFor((s) => s.received.length >= 3, { label: "the sends made during the takeover" });
      await sleep(50);
      assert.equal(srv.connections, 2);
      assert.deepEqual(fromConn(srv, 2).filter((d) => d.endsWith("1")), ["a1", "b1"]);
      assert.deepEqual(fromConn(srv, 2).sort(), ["a1", "a2", "b1"]);
      assert.equal(views[1].sock.stats.share, "leader");
      for (const v of views.slice(1)) {
        assert.deepEqual(v.rec.sequence(), ["open", "close", "reconnect"]);
        assert.equal(v.rec.events("close")[0].willReconnect, true);
      }
      // The last views close: so does the connection, with the last one's code.
      views[2].sock.close();
      await sleep(50);
      assert.equal(srv.clients.size, 1);
      views[1].sock.close(4002, "done");
      await srv.waitFor((s) => s.clients.size === 0, { label: "the connection closed" });
      assert.equal(srv.upgrades.at(-1).closeCode, 4002);
    });
  } finally {
    await srv.stop();
  }
});

test("a server drop: one reconnection, seen by every view; reconnect() in a follower reconnects the shared connection; a view without a reconnect listener gets open", { timeout: ms(30000) }, async () => {
  const srv = await startServer({ echo: false });
  try {
    await withLocks(async () => {
      const views = [];
      for (let i = 0; i < 2; i++) views.push(await makeSocket(srv.url("/drop"), { share: "k" }));
      const { sock: bare, rec: bareRec } = await makeSocket(srv.url("/drop"), { share: "k" });
      bareRec.dispose();
      const opens = new EventRecorder(bare, ["open", "close"]); // no reconnect listener
      for (const { rec } of views) await rec.waitFor("open");
      srv.terminateAll();
      for (const { rec } of views) await rec.waitFor("reconnect");
      assert.equal(srv.connections, 2);
      views[1].sock.reconnect();
      for (const { rec } of views) await rec.waitFor("reconnect", 2);
      assert.equal(srv.connections, 3);
      await opens.waitFor("open", 3, { label: "open three times in the view without a reconnect listener" });
      assert.deepEqual(opens.sequence(), ["open", "close", "open", "close", "open"]);
      opens.dispose();
      for (const { rec } of views) assert.deepEqual(rec.sequence(), ["open", "close", "reconnect", "close", "reconnect"]);
    });
  } finally {
    await srv.stop();
  }
});

test("sends while the server is down are queued by the leader and arrive in order; a send the leader drops comes back to its view as drop", { timeout: ms(30000) }, async () => {
  const srv = await startServer({ echo: false });
  try {
    await withLocks(async () => {
      const options = { share: "k", queue: { maxMessages: 4, overflow: "drop-oldest" } };
      const [a, b] = [await makeSocket(srv.url("/queue"), options), await makeSocket(srv.url("/queue"), options)];
      await a.rec.waitFor("open");
      await b.rec.waitFor("open");
      await srv.refuse();
      await b.rec.waitFor("close");
      for (let i = 0; i < 3; i++) b.sock.send(`b${i}`);
      await sleep(50); // b's sends reach the leader (a) over the channel, a's own at once
      for (let i = 0; i < 3; i++) a.sock.send(`a${i}`);
      await b.rec.waitFor("drop", 2);
      assert.deepEqual(b.rec.events("drop").map((e) => e.data), ["b0", "b1"], "the oldest, back to the view that sent them");
      assert.equal(a.rec.count("drop"), 0);
      assert.equal(b.sock.stats.queued, 1);
      srv.resume();
      await b.rec.waitFor("reconnect");
      await srv.waitFor((s) => s.received.length >= 4, { label: "the queued sends" });
      assert.deepEqual(srv.messages, ["b2", "a0", "a1", "a2"]);
      assert.equal(a.sock.stats.queued + b.sock.stats.queued, 0);
    });
  } finally {
    await srv.stop();
  }
});

// (reconnect() called while the close() still closes differs: a view ends its close at once.)
test("a follower's close() then reconnect(): the same events as a socket of its own", { timeout: ms(30000) }, async () => {
  const srv = await startServer({ echo: false });
  const run = async () => {
    const leader = await makeSocket(srv.url("/again"), { share: "k" });
    const { sock, rec } = await makeSocket(srv.url("/again"), { share: "k" });
    await rec.waitFor("open");
    sock.close();
    await rec.until(() => sock.state == "closed", { label: "closed" });
    sock.reconnect();
    await rec.waitFor("reconnect");
    const seen = rec.log.filter((e) => e.type != "message").map((e) => e.type + (e.ev.state ? `:${e.ev.state}` : ""));
    const share = sock.stats.share;
    const downtime = rec.events("reconnect")[0].downtimeMs;
    assert.ok(downtime >= 0 && downtime < 5000, `downtime ${downtime}`);
    await closeSockets();
    void leader;
    return { seen, share };
  };
  try {
    const alone = await run();
    const shared = await withLocks(run);
    assert.equal(alone.share, "unavailable");
    assert.equal(shared.share, "follower");
    assert.deepEqual(shared.seen, alone.seen);
  } finally {
    await srv.stop();
  }
});
