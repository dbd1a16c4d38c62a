// Problem 4's retry budget and the user's controls: maxRetries ends in `giveup`, after which
// reconnect() starts over at attempt 1; shouldReconnect() can say no; reconnect() on an open
// socket drops it and connects now.
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms, sleep } from "../support/helpers.mjs";

guardResources("control.test.mjs");

test("maxRetries ends in giveup; reconnect() then starts again at attempt 1", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const { sock, rec } = await makeSocket(server.url("/giveup"), {
      backoff: { initialDelay: 50, maxDelay: 100, maxRetries: 3 },
    });
    await rec.waitFor("open");
    await server.refuse();
    const giveup = await rec.waitFor("giveup", 1, { timeout: ms(10000), label: "giveup" });
    assert.equal(typeof giveup.attempts, "number");
    const attempts = rec.events("reconnecting").map((e) => e.attempt);
    assert.deepEqual(attempts, [1, 2, 3], "three retries were scheduled, numbered from 1");
    assert.equal(sock.state, "closed", "nothing more is scheduled after giveup");
    assert.equal(rec.count("close"), 1, "one close for the one disconnection");
    await sleep(ms(400));
    assert.equal(rec.count("reconnecting"), 3, "no attempt after giveup");

    // The socket stays usable: reconnect() starts over, at attempt 1.
    await server.resume();
    sock.reconnect();
    await rec.waitFor("reconnect", 1, { timeout: ms(10000), label: "connected again after reconnect()" });
    const re = rec.events("reconnect")[0];
    assert.equal(re.attempt, 1, "the retry budget starts over");
    sock.send("back");
    await server.waitFor((s) => s.messages.includes("back"), { label: "message after reconnect()" });
    assert.equal(rec.count("open"), 1);
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("shouldReconnect returning false ends the socket with one final close", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const seen = [];
    const { sock, rec } = await makeSocket(server.url("/should"), {
      shouldReconnect: (ev) => {
        seen.push(ev.code);
        return ev.code !== 4001;
      },
    });
    await rec.waitFor("open");
    await server.closeAll(4000, "retry please");
    await rec.waitFor("reconnect", 1, { label: "reconnect after 4000" });
    await server.closeAll(4001, "go away");
    const close = await rec.waitFor("close", 2, { label: "close after 4001" });
    assert.equal(close.code, 4001);
    assert.equal(close.willReconnect, false);
    assert.equal(close.delayMs, null, "no delay when nothing is scheduled");
    await sleep(ms(400));
    assert.equal(rec.count("reconnect"), 1, "no reconnection after shouldReconnect said no");
    assert.equal(rec.count("close"), 2);
    assert.deepEqual(seen, [4000, 4001]);
    assert.equal(sock.state, "closed");
    assert.equal(server.connections, 2);
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("reconnect() on an open socket: one close, one reconnect, one live connection", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const { sock, rec } = await makeSocket(server.url("/again"));
    await rec.waitFor("open");
    sock.reconnect(4002, "switching");
    await rec.waitFor("reconnect", 1, { label: "reconnect after reconnect()" });
    await server.waitFor((s) => s.live === 1 && s.connections === 2, { label: "old connection gone, new one up" });
    const first = server.upgrades[0];
    assert.equal(first.closeCode, 4002, "the old socket was closed with the given code");
    await sleep(ms(200));
    assert.equal(rec.count("close"), 1);
    assert.equal(rec.count("reconnect"), 1);
    assert.equal(rec.count("open"), 1);
    assert.equal(sock.state, "open");
  } finally {
    await closeSockets();
    await server.stop();
  }
});
