// Rule 3 (docs/design.md): dead connections are noticed. A TCP proxy goes mute — both TCP
// connections stay open, nothing is forwarded, no FIN, no RST — and the client must notice
// within heartbeat interval + timeout, say so in the close event, and reconnect.
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { startProxy } from "../support/proxy.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms, now } from "../support/helpers.mjs";

guardResources("heartbeat.test.mjs");

const INTERVAL = 500;
const TIMEOUT = 500;
const SLACK = 1500;

test("a muted (half-open) connection is detected within interval + timeout", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true, pong: true });
  const proxy = await startProxy({ port: server.port });
  try {
    const { sock, rec } = await makeSocket(proxy.url("/hb"), {
      heartbeat: { interval: INTERVAL, timeout: TIMEOUT },
      connectionTimeout: 3000,
    });
    await rec.waitFor("open");
    // A healthy connection survives several heartbeats; pongs are not delivered as messages.
    const hb = await rec.waitFor("heartbeat", 2, { timeout: ms(5000), label: "two heartbeats" });
    assert.equal(typeof hb.rttMs, "number", "heartbeat event has rttMs");
    assert.ok(hb.rttMs >= 0 && hb.rttMs < TIMEOUT, `rttMs ${hb.rttMs}`);
    assert.equal(rec.count("close"), 0, "no close while pongs arrive");
    assert.equal(rec.events("message").filter((e) => e.data === "pong").length, 0, "pongs are not messages");
    assert.equal(typeof sock.stats.lastRttMs, "number", "stats.lastRttMs after a heartbeat");
    assert.ok(server.messages.filter((m) => m === "ping").length >= 2, "the server saw the pings");

    proxy.mute();
    const tMute = now();
    const close = await rec.waitFor("close", 1, {
      timeout: ms(INTERVAL + TIMEOUT + SLACK + 3000),
      label: "close after mute",
    });
    const detection = rec.entries("close")[0].t - tMute;
    console.log(
      `  dead connection detected ${Math.round(detection)} ms after mute ` +
        `(interval ${INTERVAL} + timeout ${TIMEOUT}; bound ${INTERVAL + TIMEOUT + SLACK}); ` +
        `close code ${close.code} reason ${JSON.stringify(close.reason)} wasClean ${close.wasClean}`,
    );
    assert.ok(
      detection <= INTERVAL + TIMEOUT + SLACK,
      `detection took ${Math.round(detection)} ms > ${INTERVAL + TIMEOUT + SLACK}`,
    );
    assert.match(close.reason, /heartbeat|pong/i, "the close reason says the heartbeat failed");
    assert.equal(close.willReconnect, true);
    assert.equal(close.wasClean, false, "an abandoned socket did not close cleanly");

    // The network comes back: the client reconnects through the proxy.
    proxy.unmute();
    const re = await rec.waitFor("reconnect", 1, { timeout: ms(10000), label: "reconnect after unmute" });
    assert.ok(re.attempt >= 1);
    assert.equal(rec.count("open"), 1);
    assert.equal(rec.count("close"), 1, "exactly one close for the dead connection");
    // Heartbeats run again on the new connection.
    const before = rec.count("heartbeat");
    await rec.waitFor("heartbeat", before + 1, { timeout: ms(5000), label: "heartbeat after reconnect" });
    sock.send("still here");
    await rec.until(() => rec.events("message").some((e) => e.data === "still here"), { label: "echo" });
    console.log(`  events: ${rec.describe()}`);
  } finally {
    await closeSockets();
    await proxy.stop();
    await server.stop();
  }
});

test("server pings: silence past interval + timeout is death; pings are answered", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true, serverPingEvery: 200 });
  const proxy = await startProxy({ port: server.port });
  try {
    const { rec } = await makeSocket(proxy.url("/server-ping"), {
      heartbeat: { interval: 400, timeout: 400, serverPing: { ping: "ping", reply: "pong" } },
      connectionTimeout: 3000,
    });
    await rec.waitFor("open");
    // The client answers the server's pings, and they are not delivered as messages.
    await server.waitFor((s) => s.messages.filter((m) => m === "pong").length >= 2, {
      timeout: ms(5000),
      label: "two replies to server pings",
    });
    assert.equal(rec.events("message").filter((e) => e.data === "ping").length, 0, "server pings are not messages");
    assert.equal(rec.count("close"), 0);
    proxy.mute();
    const tMute = now();
    const close = await rec.waitFor("close", 1, { timeout: ms(800 + SLACK + 3000), label: "close after mute" });
    const detection = rec.entries("close")[0].t - tMute;
    console.log(`  server-ping silence detected ${Math.round(detection)} ms after mute (bound ${800 + SLACK})`);
    assert.ok(detection <= 800 + SLACK, `detection took ${Math.round(detection)} ms`);
    assert.equal(close.willReconnect, true);
    proxy.unmute();
    await rec.waitFor("reconnect", 1, { timeout: ms(10000) });
  } finally {
    await closeSockets();
    await proxy.stop();
    await server.stop();
  }
});
