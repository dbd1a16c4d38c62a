// The send queue: messages sent while the server is down arrive, in order, when it returns.
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms } from "../support/helpers.mjs";

guardResources("queue.test.mjs");

const N = 100;

test("100 messages sent while the server refuses arrive in order after it returns", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const { sock, rec } = await makeSocket(server.url("/queue"), { backoff: { initialDelay: 50, maxDelay: 200 } });
    await rec.waitFor("open");
    sock.send("before");
    await server.waitFor((s) => s.messages.includes("before"), { label: "message before the outage" });

    await server.refuse(); // connections dropped, new ones refused
    await rec.waitFor("close", 1, { label: "close when the server goes away" });
    // At least one attempt is refused while we are down.
    await rec.waitFor("error", 1, { timeout: ms(5000), label: "a refused attempt" });
    assert.notEqual(sock.state, "open");

    const sent = [];
    for (let i = 0; i < N; i++) {
      const m = `q${String(i).padStart(3, "0")}`;
      sock.send(m);
      sent.push(m);
    }
    assert.equal(sock.stats.queued, N, "stats.queued counts the waiting messages");
    // Let more attempts fail while the messages wait.
    const errorsSoFar = rec.count("error");
    await rec.waitFor("error", errorsSoFar + 1, { timeout: ms(5000), label: "another refused attempt" });
    assert.equal(server.connections, 1);

    await server.resume();
    await rec.waitFor("reconnect", 1, { timeout: ms(10000), label: "reconnect after resume" });
    await server.waitFor((s) => s.received.filter((r) => r.conn === 2).length >= N, {
      timeout: ms(10000),
      label: `${N} queued messages at the server`,
    });
    const got = server.received.filter((r) => r.conn === 2).map((r) => r.data);
    assert.deepEqual(got, sent, "the server got the queued messages, in order, once each");
    assert.equal(sock.stats.queued, 0, "the queue is empty after the flush");
    // And the echoes come back in order too.
    await rec.until(() => rec.events("message").filter((e) => e.data.startsWith("q")).length >= N, {
      label: "echoes of the queued messages",
    });
    assert.deepEqual(
      rec.events("message").map((e) => e.data).filter((d) => d.startsWith("q")),
      sent,
    );
    // A message sent now goes straight out after the flushed ones.
    sock.send("after");
    await server.waitFor((s) => s.messages.at(-1) === "after", { label: "message after the flush" });
    assert.equal(server.messages.length, N + 2);
  } finally {
    await closeSockets();
    await server.stop();
  }
});
