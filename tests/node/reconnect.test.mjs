// Rules 1 and 2 (docs/design.md): reconnect works every time, not once; `open` fires once and
// every later connection fires `reconnect` (attempt, downtimeMs).
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { spawnServer } from "../support/server.mjs";
import { makeSocket, closeSockets, closeSocket, loadLifeline, WS } from "../support/client.mjs";
import {
  ms,
  now,
  sleep,
  waitForEvent,
  resourceBaseline,
  assertNoLeakedResources,
} from "../support/helpers.mjs";

let baseline;
before(async () => {
  await loadLifeline(); // build + pack + install outside the timed tests
  baseline = resourceBaseline();
});
after(async () => {
  await closeSockets();
  await assertNoLeakedResources(baseline, { label: "reconnect.test.mjs" });
});

// 1000, 1001, 1011, 4000 from the server, and the server process killed and restarted on
// the same port — twice over: ten disconnections.
const PLAN = [1000, 1001, 1011, 4000, "kill", 1000, 1001, 1011, 4000, "kill"];

test("ten consecutive disconnections: one close and one reconnection each", { timeout: ms(90000) }, async () => {
  let server = await spawnServer({ mode: "echo,pong" });
  const port = server.port;
  try {
    const t0 = now();
    const { sock, rec } = await makeSocket(server.url("/ten"));
    await rec.waitFor("open", 1, { label: "first open" });
    assert.equal(sock.readyState, 1, "readyState OPEN after open");
    assert.equal(sock.state, "open");

    // Messages flow on the first connection.
    sock.send("m0");
    await rec.until(() => rec.events("message").some((e) => e.data === "m0"), { label: "echo m0" });

    for (let i = 1; i <= PLAN.length; i++) {
      const what = PLAN[i - 1];
      const tCut = now();
      if (what === "kill") {
        const { signal } = await server.kill("SIGKILL");
        assert.equal(signal, "SIGKILL");
      } else {
        await server.closeAll(what, `cut ${i}`);
      }
      const close = await rec.waitFor("close", i, { label: `close #${i} (${what})` });
      const tClose = rec.entries("close")[i - 1].t;
      if (what === "kill") {
        assert.equal(close.code, 1006, `close #${i}: a killed server is code 1006`);
        assert.equal(close.wasClean, false, `close #${i}: wasClean`);
        // Same port, new process.
        server = await spawnServer({ port, mode: "echo,pong" });
        assert.equal(server.port, port);
      } else {
        assert.equal(close.code, what, `close #${i}: code`);
        assert.equal(close.reason, `cut ${i}`, `close #${i}: reason`);
        assert.equal(close.wasClean, true, `close #${i}: wasClean`);
      }
      assert.equal(close.willReconnect, true, `close #${i}: willReconnect`);
      assert.equal(typeof close.delayMs, "number", `close #${i}: delayMs is a number`);
      assert.ok(close.delayMs >= 0, `close #${i}: delayMs ${close.delayMs} >= 0`);

      const re = await rec.waitFor("reconnect", i, { timeout: ms(15000), label: `reconnect #${i}` });
      const tRe = rec.entries("reconnect")[i - 1].t;
      assert.ok(Number.isInteger(re.attempt) && re.attempt >= 1, `reconnect #${i}: attempt ${re.attempt}`);
      assert.equal(typeof re.downtimeMs, "number", `reconnect #${i}: downtimeMs is a number`);
      const seen = tRe - tClose;
      assert.ok(
        re.downtimeMs >= 0 && Math.abs(re.downtimeMs - seen) <= ms(250),
        `reconnect #${i}: downtimeMs ${re.downtimeMs} vs ${Math.round(seen)} ms between the events`,
      );
      assert.equal(sock.state, "open");
      assert.equal(sock.readyState, 1);

      // Exactly one close per disconnection so far, and the connection really works.
      assert.equal(rec.count("close"), i, `close events after disconnection #${i}`);
      sock.send(`m${i}`);
      await rec.until(() => rec.events("message").some((e) => e.data === `m${i}`), {
        label: `echo m${i}`,
      });
      console.log(
        `  disconnection #${i} (${what}): close after ${Math.round(tClose - tCut)} ms, ` +
          `reconnect #${re.attempt} after ${Math.round(seen)} ms (downtimeMs ${Math.round(re.downtimeMs)})`,
      );
    }

    // Nothing more arrives late (a second close, an extra reconnect).
    await sleep(ms(500));
    assert.equal(rec.count("open"), 1, "open exactly once");
    assert.equal(rec.count("close"), PLAN.length, "one close per disconnection");
    assert.equal(rec.count("reconnect"), PLAN.length, "one reconnect per disconnection");
    assert.equal(rec.count("giveup"), 0);
    const seq = rec.sequence(["statechange", "message", "heartbeat", "reconnecting", "error"]);
    assert.deepEqual(seq, ["open", ...PLAN.flatMap(() => ["close", "reconnect"])], `event order: ${seq.join(" ")}`);
    const st = await server.stats();
    assert.equal(st.live, 1, "the server holds exactly one live connection");
    const stats = sock.stats;
    assert.equal(stats.reconnects, PLAN.length, `stats.reconnects (${JSON.stringify(stats)})`);
    assert.equal(typeof stats.connectedSince, "number", "stats.connectedSince while open");
    assert.equal(stats.queued, 0);
    console.log(`  ten disconnections in ${Math.round(now() - t0)} ms; events: ${rec.describe()}`);
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("without a reconnect listener, every connection fires open", { timeout: ms(30000) }, async () => {
  const server = await spawnServer({ mode: "echo" });
  const { LifelineSocket } = await loadLifeline();
  let sock;
  try {
    sock = new LifelineSocket(server.url("/plain"), undefined, {
      WebSocket: WS,
      backoff: { initialDelay: 50, maxDelay: 250 },
    });
    let opens = 0;
    let closes = 0;
    sock.onopen = () => opens++;
    sock.onclose = () => closes++;
    await waitForEvent(sock, "open", { label: "first open" });
    for (let i = 1; i <= 3; i++) {
      const reopened = waitForEvent(sock, "open", { label: `open #${i + 1}` });
      await server.closeAll(4000, "again");
      await reopened;
    }
    assert.equal(opens, 4, "open for the first connection and each re-open");
    assert.equal(closes, 3);
  } finally {
    if (sock) await closeSocket(sock);
    await server.stop();
  }
});
