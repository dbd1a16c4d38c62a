// Events tell the socket as it is when they are delivered: a listener that sees the socket
// "waiting" or "connecting" (no close() called, no final close or giveup told yet) can send(),
// and the message is queued; InvalidStateError comes only after close(), or once the socket
// is closed for good and says so. Here the socket ends for good (shouldReconnect says no, or
// the last attempt times out) while events from before that are still being delivered. Found by
// the property layer (tests/properties/).
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms } from "../support/helpers.mjs";

guardResources("event-order.test.mjs");

/** Adds a listener of `type` that sends, and records what the send did and the state it saw. */
function sendingListener(sock, type) {
  const seen = [];
  sock.addEventListener(type, (event) => {
    let outcome = "queued";
    try {
      sock.send(`sent in ${type}`);
    } catch (error) {
      outcome = error.name;
    }
    seen.push(`${type}${event.state ? ` ${event.state}` : ""} (state ${sock.state}): ${outcome}`);
  });
  return seen;
}

test("a statechange listener that sees 'waiting' can send (shouldReconnect answering no)", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const { sock, rec } = await makeSocket(server.url("/decide"), { shouldReconnect: () => false });
    await rec.waitFor("open");
    const seen = sendingListener(sock, "statechange");
    await server.closeAll(4000);
    await rec.waitFor("close");
    assert.equal(seen[0], "statechange waiting (state waiting): queued");
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("an error listener that sees 'connecting' can send (the last attempt timing out)", { timeout: ms(30000) }, async () => {
  const server = await startServer({ handshakeDelay: 1000 }); // every handshake hangs
  try {
    const { sock, rec } = await makeSocket(server.url("/hung"), { connectionTimeout: 100, backoff: { maxRetries: 0 } });
    const seen = sendingListener(sock, "error");
    await rec.waitFor("giveup");
    assert.equal(seen[0], "error (state connecting): queued");
  } finally {
    await closeSockets();
    await server.stop();
  }
});
