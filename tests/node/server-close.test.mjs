// The server starts the closing handshake and never finishes it (it sends its close frame,
// then neither answers nor closes TCP): the platform socket is CLOSING at once, with no event
// until the end. state and readyState stop saying "open" as soon as the platform socket left
// OPEN; what is sent from then on is queued for the next connection, none of it handed to
// the closing socket; the handshake is given up after closeTimeout.
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { closingServer } from "../support/closing-server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms, sleep } from "../support/helpers.mjs";

guardResources("server-close.test.mjs");

test("a server-started close that never ends: not 'open' once the socket is CLOSING; sends queued, none lost", { timeout: ms(30000) }, async () => {
  const closing = await closingServer();
  const echo = await startServer({ echo: false });
  try {
    let attempt = 0;
    const { sock, rec } = await makeSocket(() => (++attempt === 1 ? closing.url("/closing") : echo.url("/next")), {
      closeTimeout: 1000,
      backoff: { initialDelay: 50, maxDelay: 50 },
    });
    await rec.waitFor("open");
    await sleep(ms(300)); // the close frame has arrived: the platform socket is CLOSING
    assert.equal(sock.state, "closing", "not open any more");
    assert.equal(sock.readyState, 2);
    for (let i = 0; i < 100; i++) sock.send(`m${i}`);
    assert.equal(sock.stats.queued, 100, "every send was queued for the next connection");
    const close = await rec.waitFor("close", 1, { timeout: ms(5000), label: "the close after closeTimeout" });
    assert.equal(close.code, 1006);
    assert.equal(close.reason, "closing handshake timed out");
    assert.equal(close.willReconnect, true);
    await echo.waitFor((s) => s.messages.length === 100, { timeout: ms(5000), label: "the queued messages on the next connection" });
    assert.deepEqual(echo.messages, Array.from({ length: 100 }, (_, i) => `m${i}`));
  } finally {
    await closeSockets();
    await closing.stop();
    await echo.stop();
  }
});
