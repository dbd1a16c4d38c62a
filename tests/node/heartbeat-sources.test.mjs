// The JS side of tests/cases/heartbeat.json (format in tests/cases/README.md): which pings the
// options give, as js/options.js reads them into the core's config (its Rust twin is
// lifeline_ws::core::Heartbeat::with_sources; tests/cases.rs runs the same table against it).
// Unlike the other files here, this one does not go through the packed package: the rule is in
// how the options are read, which the package does not export, and a client that must *not*
// ping could only be shown by waiting.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";

const read = (name) => fs.readFileSync(new URL(name, import.meta.url), "utf8");

// js/ is ES modules in a package without "type": "module" (esbuild bundles it): the module
// is imported from its text. It imports nothing.
const source = read("../../js/options.js");
const { readOptions } = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));

// The core's config slots (src/npm/mod.rs, `slot`).
const HEARTBEAT = 13;
const CLIENT_PING = 14;
const SERVER_PING = 16;

test("a serverPing alone turns client pings off (tests/cases/heartbeat.json)", () => {
  const { cases } = JSON.parse(read("../cases/heartbeat.json"));
  assert.ok(cases.length > 0);
  for (const { options, heartbeat } of cases) {
    const { values } = readOptions({ ...options, WebSocket: class {} });
    const label = JSON.stringify(options);
    if (heartbeat === null) {
      assert.equal(values[HEARTBEAT], 0, `${label}: heartbeat off`);
      continue;
    }
    assert.equal(values[HEARTBEAT], 1, `${label}: heartbeat on`);
    assert.equal(values[CLIENT_PING], +heartbeat.clientPing, `${label}: client pings`);
    assert.equal(values[SERVER_PING], +heartbeat.serverPing, `${label}: server pings`);
  }
});
