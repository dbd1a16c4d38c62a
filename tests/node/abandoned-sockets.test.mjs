// "After close() nothing is left: no timer, no listener, no socket" (docs/design.md) — including
// the platform sockets the client let go of before: reconnect() on a connection that will
// never finish a closing handshake (the server started one and went silent, or the network
// went half-open) must not leave that socket, and its platform's own closing timer (30 s in
// the `ws` package), behind once close() has completed. Found by the property layer
// (tests/properties/).
import test from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { createHash } from "node:crypto";
import { startServer } from "../support/server.mjs";
import { startProxy } from "../support/proxy.mjs";
import { makeSocket, closeSockets, guardResources, WS } from "../support/client.mjs";
import { ms, sleep } from "../support/helpers.mjs";

guardResources("abandoned-sockets.test.mjs");

const CLOSE_TIMEOUT = 200;

/** The `ws` constructor, remembering every socket it made. */
function recording() {
  const made = [];
  return {
    made,
    WebSocket: class extends WS {
      constructor(...args) {
        super(...args);
        made.push(this);
      }
    },
  };
}

/** A server that accepts, sends a close frame after `after` ms, then reads and answers nothing (as tests/node/server-close.test.mjs's). */
async function closingServer({ after = 50 } = {}) {
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

async function closeAndCheck(sock, made) {
  sock.close();
  const t0 = Date.now();
  while (sock.state !== "closed" && Date.now() - t0 < CLOSE_TIMEOUT + ms(2000)) await sleep(10);
  assert.equal(sock.state, "closed", "close() completed");
  await sleep(CLOSE_TIMEOUT + ms(500));
  assert.deepEqual(
    made.map((ws) => ws.readyState),
    made.map(() => WS.CLOSED),
    "every platform socket is closed once close() has completed (and closeTimeout has passed again)",
  );
}

test("reconnect() while the server's closing handshake hangs, then close(): no platform socket is left", { timeout: ms(30000) }, async () => {
  const closing = await closingServer();
  const { made, WebSocket } = recording();
  try {
    const { sock, rec } = await makeSocket(closing.url("/hang"), { WebSocket, closeTimeout: CLOSE_TIMEOUT, startClosed: false });
    await rec.waitFor("open");
    await sleep(ms(150)); // the server's close frame arrived: the platform socket is CLOSING
    assert.equal(sock.state, "closing");
    sock.reconnect();
    await closeAndCheck(sock, made);
  } finally {
    await closeSockets();
    await closing.stop();
  }
});

test("reconnect() on a half-open connection, then close(): no platform socket is left", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  const proxy = await startProxy({ port: server.port });
  const { made, WebSocket } = recording();
  try {
    const { sock, rec } = await makeSocket(proxy.url("/half-open"), { WebSocket, closeTimeout: CLOSE_TIMEOUT });
    await rec.waitFor("open");
    proxy.mute(); // nothing goes through any more, and nothing says so
    sock.reconnect(); // its closing handshake can never complete
    await closeAndCheck(sock, made);
  } finally {
    await closeSockets();
    await proxy.stop();
    await server.stop();
  }
});
