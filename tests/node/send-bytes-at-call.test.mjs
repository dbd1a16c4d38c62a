// "every send() either throws at the call, or its bytes as they were at the call reach the
// server" (the reliability contract): also while the socket is open and the platform socket
// is still busy with an earlier message (the `ws` package reads a Blob asynchronously, and
// keeps what is sent meanwhile by reference; so it does while it compresses an earlier
// message). Found by the property layer (tests/properties/).
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms } from "../support/helpers.mjs";

guardResources("send-bytes-at-call.test.mjs");

test("an open socket sends a buffer as it was at send(), changed or transferred right after", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: false });
  try {
    const { sock, rec } = await makeSocket(server.url("/bytes"));
    await rec.waitFor("open");
    sock.send(new Blob([new Uint8Array([0])])); // the platform socket reads it asynchronously
    const view = new Uint8Array([1, 2, 3]);
    sock.send(view);
    view.fill(9); // changed after send()
    const buffer = new Uint8Array([4, 5, 6]).buffer;
    sock.send(buffer);
    structuredClone(buffer, { transfer: [buffer] }); // transferred after send()
    await server.waitFor((s) => s.received.length === 3, { timeout: ms(5000), label: "three messages" });
    assert.deepEqual(
      server.received.map((r) => [...r.data]),
      [[0], [1, 2, 3], [4, 5, 6]],
    );
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("with permessage-deflate, an open socket sends a buffer as it was at send(), changed while an earlier message is compressed", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: false, perMessageDeflate: { threshold: 0 } });
  try {
    const { sock, rec } = await makeSocket(server.url("/deflate"));
    await rec.waitFor("open");
    assert.match(sock.extensions, /permessage-deflate/);
    const views = [];
    for (let i = 0; i < 20; i++) {
      const view = new Uint8Array(4096).fill(i);
      sock.send(view); // the ws package compresses asynchronously and queues what follows
      view.fill(255); // changed after send()
      views.push(i);
    }
    await server.waitFor((s) => s.received.length === 20, { timeout: ms(5000), label: "twenty messages" });
    assert.deepEqual(
      server.received.map((r) => [r.data.length, new Set(r.data).size, r.data[0]]),
      views.map((i) => [4096, 1, i]),
    );
  } finally {
    await closeSockets();
    await server.stop();
  }
});
