// Node 20 consumers, each a child process in its own project beside the installed tarball:
// ESM `import` and CommonJS `require()` with the ws package's WebSocket, and a global
// WebSocket with no option (Node 22+ style: ws assigned to globalThis.WebSocket, and Node
// 20's own with --experimental-websocket). Each must connect, get its echo, reconnect after
// the server drops it, and exit by itself after close().

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { runNode } from "../support/helpers.mjs";
import { converse, EXPECTED, install, isFinal, limit, prepare, Transcript } from "./harness.mjs";

const TEST_TIMEOUT = limit(240000); // a bound for the whole test; every wait inside has its own

const EXIT_BOUND = 3000; // ms from the final close event to the process's exit

let srv;
before(async () => {
  const inst = await install();
  console.log(`consumers: ${inst.timing}`);
  srv = await startServer({ echo: true });
});
after(() => srv?.stop());

/** Runs `node <args>` in a copy of projects/<name> and has the conversation with it. */
async function runConsumer(name, args, { nodeArgs = [] } = {}) {
  const c = await prepare(name);
  try {
    const transcript = new Transcript();
    let finalAt = null;
    const exited = runNode([...nodeArgs, ...args, srv.url(`/${name}`)], {
      cwd: c.dir,
      timeout: limit(20000),
      onLine: (line) => {
        const e = transcript.line(line);
        if (e && isFinal(e)) finalAt = Date.now();
      },
    });
    const [r, timing] = await Promise.all([
      exited,
      converse(transcript, srv, [undefined]).catch(async (err) => {
        const r = await exited.catch((e) => e);
        err.message += `\nchild: ${r.stdout ?? ""}${r.stderr ?? r.message}`;
        throw err;
      }),
    ]);
    assert.equal(r.code, 0, `exit code ${r.code} (${r.signal})\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.stderr.trim(), "", "nothing on stderr");
    assert.deepEqual(transcript.types(undefined), EXPECTED);
    const lag = r.exitedAt - finalAt;
    assert.ok(lag <= EXIT_BOUND, `exited ${lag} ms after the final close, more than ${EXIT_BOUND}`);
    console.log(
      `${name} ${[...nodeArgs, ...args].join(" ")}: echo after ${timing.firstEcho} ms, reconnected ` +
        `${timing.reconnected[undefined]} ms after the drop, exited ${lag} ms after close (run ${r.ms} ms)`,
    );
    return transcript;
  } finally {
    c.remove();
  }
}

test("Node 20, ESM: import { LifelineSocket } from \"lifeline-ws\" with { WebSocket } from ws", { timeout: TEST_TIMEOUT }, async () => {
  await runConsumer("node-esm", ["index.js"]);
});

test("Node 20, CommonJS: require(\"lifeline-ws\") with { WebSocket: require(\"ws\") }", { timeout: TEST_TIMEOUT }, async () => {
  await runConsumer("node-cjs", ["index.js"]);
});

test("a global WebSocket, no option (Node 22+ style): ws assigned to globalThis.WebSocket", { timeout: TEST_TIMEOUT }, async () => {
  const t = await runConsumer("node-global", ["index.js"]);
  assert.equal(t.entries[0].from, "ws");
});

test("a global WebSocket, no option: Node's own (node --experimental-websocket, undici)", { timeout: TEST_TIMEOUT }, async () => {
  const t = await runConsumer("node-global", ["index.js"], { nodeArgs: ["--experimental-websocket", "--no-warnings"] });
  assert.equal(t.entries[0].from, "runtime");
});
