// The server starts the closing handshake and never finishes it (it sends its close frame,
// then neither answers nor closes TCP): the platform socket is CLOSING at once, with no event
// until the end. state and readyState stop saying "open" as soon as the platform socket left
// OPEN; what is sent from then on is queued for the next connection, none of it handed to
// the closing socket; the handshake is given up after closeTimeout.
import test from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { createHash } from "node:crypto";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms, sleep } from "../support/helpers.mjs";

guardResources("server-close.test.mjs");

/** A WebSocket server on 127.0.0.1 that accepts, sends a close frame (1001) after `after` ms, and then holds the TCP connection open and silent. */
async function closingServer({ after = 100 } = {}) {
  const sockets = new Set();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", (request) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(request.toString())?.[1];
      const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      setTimeout(() => socket.destroyed || socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe9])), after);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: (path) => `ws://127.0.0.1:${server.address().port}${path}`,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

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
