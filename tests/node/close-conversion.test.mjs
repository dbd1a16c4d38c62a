// close(code, reason) and reconnect(code, reason) convert their arguments as WebSocket.close
// does (WebIDL: code is a [Clamp] unsigned short, reason a USVString): ToNumber throws a
// TypeError for a BigInt or a Symbol, ToString for a Symbol. Found by the property layer
// (tests/properties/).
import test from "node:test";
import assert from "node:assert/strict";
import { loadLifeline, WS, guardResources } from "../support/client.mjs";

guardResources("close-conversion.test.mjs");

test("a BigInt or Symbol code, or a Symbol reason, is a TypeError, and changes nothing", async () => {
  const { LifelineSocket } = await loadLifeline();
  const wrong = [];
  for (const method of ["close", "reconnect"]) {
    for (const [code, reason, label] of [[4000n, undefined, "4000n"], [Symbol("code"), undefined, "Symbol()"], [4000, Symbol("reason"), "4000, Symbol()"]]) {
      const sock = new LifelineSocket("ws://127.0.0.1:9/", undefined, { WebSocket: WS, startClosed: true });
      try {
        let error = null;
        try {
          sock[method](code, reason);
        } catch (e) {
          error = e;
        }
        if (!(error instanceof TypeError)) wrong.push(`${method}(${label}): ${error ? error.name : "no error"}, state ${sock.state}`);
      } finally {
        sock.close();
      }
    }
  }
  assert.deepEqual(wrong, [], "each call throws a TypeError");
});
