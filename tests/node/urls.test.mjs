// The JS side of tests/cases/urls.json (format in tests/cases/README.md): WebSocket's URL
// rules as the npm package's LifelineSocket applies them at construction (js/lifeline-ws.js,
// resolveUrl). Its Rust twin is Socket::connect (src/api/socket.rs), run against the same
// table by tests/rust_api/urls.rs.
import test, { after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { guardResources, loadLifeline, WS } from "../support/client.mjs";

const { cases } = JSON.parse(fs.readFileSync(new URL("../cases/urls.json", import.meta.url), "utf8"));

guardResources("urls.test.mjs");

// Which rule refused a URL, from the words of its SyntaxError.
const RULES = {
  parse: /does not parse as a URL/,
  scheme: /scheme must be ws:, wss:, http: or https:/,
  fragment: /must not have a fragment/,
};

after(() => {
  delete globalThis.location;
});

test("URLs follow the shared table (tests/cases/urls.json)", async () => {
  const { LifelineSocket } = await loadLifeline();
  assert.ok(cases.length > 0);
  for (const { url, base, href, error, hidden = [], shown = [] } of cases) {
    const label = JSON.stringify(url) + (base ? ` against ${base}` : "");
    // The page the URL is relative to: location.href, as in a browser (Node has none).
    if (base === undefined) delete globalThis.location;
    else globalThis.location = { href: base };
    let socket, thrown;
    try {
      socket = new LifelineSocket(url, undefined, { WebSocket: WS, startClosed: true });
    } catch (e) {
      thrown = e;
    }
    if (href !== undefined) {
      assert.equal(thrown, undefined, `${label}: refused: ${thrown?.message}`);
      assert.equal(socket.url, href, label);
      socket.close();
      continue;
    }
    socket?.close();
    assert.ok(thrown, `${label}: accepted as ${socket?.url}, expected the ${error} rule to refuse it`);
    assert.equal(thrown.name, "SyntaxError", `${label}: ${thrown.name}: ${thrown.message}`);
    assert.match(thrown.message, RULES[error], label);
    for (const part of hidden) assert.ok(!thrown.message.includes(part), `${label}: ${JSON.stringify(thrown.message)} shows ${part}`);
    for (const part of shown) assert.ok(thrown.message.includes(part), `${label}: ${JSON.stringify(thrown.message)} lacks ${part}`);
  }
});
