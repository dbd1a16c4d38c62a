// send() of a buffer that was transferred away (detached), or of a view of one: WebSocket.send
// takes it and sends an empty binary message (a detached buffer holds no bytes); send() must
// do the same "the same way in every state" (docs/design.md, rule 6). Found by
// the property layer (tests/properties/).
import test from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { ms } from "../support/helpers.mjs";

guardResources("send-detached.test.mjs");

/** A buffer transferred away, or (`view`) a Uint8Array or a DataView of one. */
function detached(view = false) {
  const buffer = new Uint8Array([1, 2, 3]).buffer;
  const data = view == "dataview" ? new DataView(buffer, 1) : view ? new Uint8Array(buffer, 1) : buffer;
  structuredClone(buffer, { transfer: [buffer] });
  return data;
}

test("a detached ArrayBuffer, and a view (typed array or DataView) of one, are sent as empty binary messages, open or not", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: false });
  try {
    const { sock, rec } = await makeSocket(server.url("/detached"), { startClosed: true });
    const refused = [];
    const send = (data, label) => {
      try {
        sock.send(data);
      } catch (error) {
        refused.push(`${label}: ${error.name}: ${error.message}`);
      }
    };
    send(detached(), "queued ArrayBuffer");
    send(detached(true), "queued Uint8Array");
    send(detached("dataview"), "queued DataView"); // its byteLength throws once detached
    sock.reconnect();
    await rec.waitFor("open");
    send(detached(), "open ArrayBuffer");
    send(detached(true), "open Uint8Array");
    send(detached("dataview"), "open DataView");
    assert.deepEqual(refused, [], "no send() threw");
    await server.waitFor((s) => s.received.length === 6, { timeout: ms(5000), label: "six messages" });
    assert.deepEqual(server.received.map((r) => [r.isBinary, r.data.length]), Array(6).fill([true, 0]));
  } finally {
    await closeSockets();
    await server.stop();
  }
});
