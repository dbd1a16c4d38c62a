// A JS exception thrown while converting an argument (a throwing toString or valueOf, a
// Proxy or a getter as options) reaches the user as their own error, 100,000 times over, and
// leaves every socket working: no wasm frame is ever on the stack when user code runs
// (tests/browser/pages/hostile.mjs holds the rounds; tests/browser/hostile.test.mjs runs
// them in Chromium).
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources, loadLifeline, WS } from "../support/client.mjs";
import { ms } from "../support/helpers.mjs";
import { hostileRounds } from "../browser/pages/hostile.mjs";

guardResources("hostile.test.mjs");

test("throwing conversions, 100,000 rounds: the user's own error each time; an open socket keeps working", { timeout: ms(120000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const { LifelineSocket } = await loadLifeline();
    const { sock, rec } = await makeSocket(server.url("/bystander"));
    await rec.waitFor("open");
    const result = hostileRounds(LifelineSocket, server.url("/hostile"), { WebSocket: WS }, 100_000);
    assert.equal(result.wrong, null, result.wrong);
    assert.equal(result.calls, 900_000);
    assert.equal(result.state, "closed");

    // The bystander still echoes, and a new socket still connects.
    sock.send("still alive");
    await rec.until(() => rec.events("message").some((e) => e.data === "still alive"), { label: "the echo" });
    const fresh = await makeSocket(server.url("/fresh"));
    await fresh.rec.waitFor("open");
    fresh.sock.send("fresh");
    await fresh.rec.until(() => fresh.rec.events("message").some((e) => e.data === "fresh"), { label: "the fresh echo" });
  } finally {
    await closeSockets();
    await server.stop();
  }
});
