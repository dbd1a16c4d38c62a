// Where synchronous WebAssembly compilation is refused (Chromium on the main thread until
// 2023, old Android WebViews: modules over 4 KB), the package compiles asynchronously: the
// constructor still returns at once, and sends and listeners made meanwhile work in order
// (tests/support/fixtures/async-compile.mjs, in a child process so that the module's
// loading starts from nothing).
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.mjs";
import { installPacked } from "../support/pack.mjs";
import { ms, runNode } from "../support/helpers.mjs";

const FIXTURE = fileURLToPath(new URL("../support/fixtures/async-compile.mjs", import.meta.url));

let script;
let scratch;
before(async () => {
  const info = await installPacked();
  scratch = fs.mkdtempSync(path.join(info.dir, `async-${process.pid}-`));
  script = path.join(scratch, "async-compile.mjs");
  fs.copyFileSync(FIXTURE, script);
});
after(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test("synchronous compilation refused: compiled asynchronously, sends and listeners made meanwhile work in order", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    const r = await runNode([script, server.url("/async")], { cwd: scratch });
    const line = r.stdout.trim().split("\n").at(-1);
    const seen = JSON.parse(line);
    assert.ok(seen.refused.module + seen.refused.instance >= 1, `the synchronous path was tried and refused: ${line}`);
    assert.equal(seen.stateAtOnce, "connecting");
    assert.equal(seen.queuedAtOnce, 2);
    assert.equal(seen.timedOut, undefined, line);
    const a = seen.order.filter((e) => e.startsWith("a:"));
    assert.deepEqual(a, ["a:open", "a:a1", "a:a2"], "a's open, then its messages in order");
    assert.ok(seen.order.includes("b:b1"), line);
    assert.deepEqual(seen.states, ["open", "open"]);
    assert.deepEqual(server.messages.slice().sort(), ["a1", "a2", "b1"]);
  } finally {
    await server.stop();
  }
});
