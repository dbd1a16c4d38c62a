// A handshake that hangs is cut after connectionTimeout (an `error`, then a retry), and the
// stale socket's late completion produces no event and no second live connection: "every
// socket has a generation, and events from old generations are dropped" (docs/design.md, rules 2 and 4).
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, loadLifeline, WS } from "../support/client.mjs";
import { ms, now, sleep, resourceBaseline, assertNoLeakedResources } from "../support/helpers.mjs";

let baseline;
const uncaught = [];
const onUncaught = (err) => uncaught.push(err);
before(async () => {
  await loadLifeline();
  baseline = resourceBaseline();
});
after(async () => {
  await closeSockets();
  await assertNoLeakedResources(baseline, { label: "slow-handshake.test.mjs" });
});

const CONNECTION_TIMEOUT = 500;
const SLOW = 1500; // the first handshake is answered this late

test("a handshake slower than connectionTimeout is abandoned and retried; its late completion is ignored", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true, handshakeDelay: SLOW, handshakeDelayCount: 1 });
  // An abandoned socket must not blow up the process (e.g. an unheard `error` of the ws client).
  process.on("uncaughtException", onUncaught);
  try {
    const t0 = now();
    const { sock, rec } = await makeSocket(server.url("/slow"), {
      connectionTimeout: CONNECTION_TIMEOUT,
      backoff: { initialDelay: 50, maxDelay: 100 },
    });
    const err = await rec.waitFor("error", 1, { timeout: ms(5000), label: "error for the hung handshake" });
    const tErr = rec.entries("error")[0].t - t0;
    console.log(
      `  hung handshake cut after ${Math.round(tErr)} ms (connectionTimeout ${CONNECTION_TIMEOUT}), ` +
        `error event cause ${JSON.stringify(err.cause)}`,
    );
    assert.ok(tErr >= CONNECTION_TIMEOUT - 50, `cut too early: ${Math.round(tErr)} ms`);
    assert.ok(tErr <= CONNECTION_TIMEOUT + ms(1000), `cut too late: ${Math.round(tErr)} ms`);
    assert.ok(err, "an error event");

    // The retry is answered at once and is the first connection: `open`.
    await rec.waitFor("open", 1, { timeout: ms(5000), label: "open on the retry" });
    const tOpen = rec.entries("open")[0].t - t0;
    assert.ok(tOpen < SLOW, `opened by the retry (${Math.round(tOpen)} ms), not by the slow handshake`);
    assert.equal(server.upgrades.length, 2);

    // Wait until the slow handshake has been dealt with, then a little longer for stray events.
    await server.waitFor((s) => s.upgrades[0].state !== "pending", {
      timeout: ms(SLOW + 5000),
      label: "the slow handshake to finish or be aborted",
    });
    const first = server.upgrades[0];
    await server.waitFor((s) => s.upgrades[0].state === "aborted" || s.upgrades[0].state === "closed", {
      timeout: ms(5000),
      label: "the stale socket closed by the client",
    });
    await sleep(ms(500));
    console.log(
      `  the stale handshake ended as "${first.state}"` +
        (first.closeCode ? ` (close code ${first.closeCode})` : "") +
        `; events: ${rec.describe()}`,
    );

    assert.equal(server.live, 1, "the server holds exactly one live connection");
    assert.equal(rec.count("open"), 1, "open once");
    assert.equal(rec.count("reconnect"), 0, "the late handshake is not a reconnect");
    assert.equal(rec.count("close"), 0, "the stale socket produces no close");
    assert.equal(rec.count("error"), 1, "exactly one error (the timeout), nothing from the stale socket");
    assert.equal(sock.state, "open");
    assert.equal(sock.readyState, 1);

    // The one live connection works, and only it: one echo, not two.
    sock.send("one");
    await rec.until(() => rec.events("message").some((e) => e.data === "one"), { label: "echo" });
    await sleep(ms(200));
    assert.equal(rec.events("message").filter((e) => e.data === "one").length, 1);
    assert.deepEqual(server.messages, ["one"]);
    assert.deepEqual(uncaught.map(String), [], "no uncaught exception");
  } finally {
    process.off("uncaughtException", onUncaught);
    await closeSockets();
    await server.stop();
  }
});

// A platform whose close() cannot abort a handshake in flight: the close the client asks for
// takes effect only once the handshake completed. So the stale socket really does open, late,
// and fires its `open` (and later `close`) — the client must turn none of that into an event,
// and its close request must still end that socket.
class LateCloseWebSocket extends WS {
  close(code, reason) {
    if (this.readyState === WS.CONNECTING) {
      this.once("open", () => super.close(code, reason));
      return;
    }
    super.close(code, reason);
  }
  terminate() {
    if (this.readyState === WS.CONNECTING) {
      this.once("open", () => super.terminate());
      return;
    }
    super.terminate();
  }
}

test("a stale socket that completes its handshake late is ignored and closed by the client", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true, handshakeDelay: SLOW, handshakeDelayCount: 1 });
  process.on("uncaughtException", onUncaught);
  try {
    const { sock, rec } = await makeSocket(server.url("/late"), {
      WebSocket: LateCloseWebSocket,
      connectionTimeout: CONNECTION_TIMEOUT,
      backoff: { initialDelay: 50, maxDelay: 100 },
    });
    await rec.waitFor("error", 1, { timeout: ms(5000), label: "error for the hung handshake" });
    await rec.waitFor("open", 1, { timeout: ms(5000), label: "open on the retry" });
    const retryConn = server.upgrades[1].conn;
    assert.equal(server.upgrades[1].state, "connected");
    // The slow handshake completes at the server, then the client must close that socket.
    await server.waitFor((s) => s.upgrades[0].state === "connected" || s.upgrades[0].state === "closed", {
      timeout: ms(SLOW + 5000),
      label: "the late handshake to complete",
    });
    await server.waitFor((s) => s.upgrades[0].state === "closed", {
      timeout: ms(5000),
      label: "the late socket to be closed from the client side",
    });
    await sleep(ms(500));
    console.log(
      `  late socket: completed at the server, closed by the client with code ${server.upgrades[0].closeCode}; ` +
        `events: ${rec.describe()}`,
    );
    assert.equal(server.live, 1, "the server holds exactly one live connection");
    assert.equal(rec.count("open"), 1, "the late open is not an event");
    assert.equal(rec.count("reconnect"), 0);
    assert.equal(rec.count("close"), 0, "the stale socket's close is not an event");
    assert.equal(rec.count("error"), 1);
    assert.equal(sock.state, "open");
    sock.send("only once");
    await server.waitFor((s) => s.messages.includes("only once"), { label: "message at the server" });
    await rec.until(() => rec.events("message").some((e) => e.data === "only once"), { label: "echo" });
    await sleep(ms(200));
    const got = server.received.filter((r) => r.data === "only once");
    assert.equal(got.length, 1, "sent once");
    assert.equal(got[0].conn, retryConn, "on the live connection, not the stale one");
    assert.equal(rec.events("message").length, 1, "one message event");
    assert.deepEqual(uncaught.map(String), [], "no uncaught exception");
  } finally {
    process.off("uncaughtException", onUncaught);
    await closeSockets();
    await server.stop();
  }
});
