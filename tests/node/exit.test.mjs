// "After close() nothing is left: no timer, no listener, no socket, and a Node process exits by
// itself" (docs/design.md, Architecture). A child process imports the packed package, connects,
// calls close(), and must end on its own — it has no process.exit().
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.mjs";
import { startProxy } from "../support/proxy.mjs";
import { installPacked } from "../support/pack.mjs";
import { ms, runNode, resourceBaseline, assertNoLeakedResources } from "../support/helpers.mjs";

const FIXTURE = fileURLToPath(new URL("../support/fixtures/close-exits.mjs", import.meta.url));
const EXIT_BOUND = 3000; // ms from close() to the process's exit

let baseline;
let script;
let scratch;
before(async () => {
  const info = await installPacked();
  // The child script lives in the scratch project so that its bare imports resolve to the
  // installed tarball, as in a user's project.
  scratch = fs.mkdtempSync(path.join(info.dir, `exit-${process.pid}-`));
  script = path.join(scratch, "close-exits.mjs");
  fs.copyFileSync(FIXTURE, script);
  baseline = resourceBaseline();
});
after(async () => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  await assertNoLeakedResources(baseline, { label: "exit.test.mjs" });
});

function closeCalledAt(stdout) {
  const m = stdout.match(/^CLOSE_CALLED (\d+)/m);
  assert.ok(m, `the child never called close():\n${stdout}`);
  return Number(m[1]);
}

function checkExit(r, label) {
  assert.equal(r.code, 0, `${label}: exit code ${r.code} signal ${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.equal(r.stderr.trim(), "", `${label}: nothing on stderr`);
  const lag = r.exitedAt - closeCalledAt(r.stdout);
  console.log(`  ${label}: exited ${lag} ms after close() (whole run ${r.ms} ms)`);
  assert.ok(lag <= EXIT_BOUND, `${label}: exited ${lag} ms after close(), more than ${EXIT_BOUND}`);
  return lag;
}

test("close() after an exchange lets the process exit by itself", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true, pong: true });
  try {
    const r = await runNode([script, "echo", server.url("/exit")], { cwd: scratch, timeout: ms(15000) });
    checkExit(r, "echo");
    assert.match(r.stdout, /^OPEN$/m);
    assert.match(r.stdout, /^MESSAGE hello$/m);
    assert.match(r.stdout, /^CLOSE 1000 false /m, "one final close event, willReconnect false");
    assert.equal(r.stdout.match(/^CLOSE /gm).length, 1, "exactly one close event");
    await server.waitFor((s) => s.live === 0, { label: "server saw the client go" });
    assert.deepEqual(server.messages, ["hello"]);
  } finally {
    await server.stop();
  }
});

test("close() while retrying against a refusing port lets the process exit", { timeout: ms(30000) }, async () => {
  const server = await startServer();
  const port = server.port;
  await server.stop(); // nothing listens there now
  const r = await runNode([script, "refused", `ws://127.0.0.1:${port}/`], { cwd: scratch, timeout: ms(15000) });
  checkExit(r, "refused");
  assert.match(r.stdout, /^ERROR 2$/m);
});

test("a socket that was never opened (startClosed) does not hold the process", { timeout: ms(30000) }, async () => {
  const r = await runNode([script, "idle", "ws://127.0.0.1:9/"], { cwd: scratch, timeout: ms(15000) });
  checkExit(r, "idle");
  assert.doesNotMatch(r.stdout, /^OPEN$/m);
});

test("close() after a dead (half-open) connection lets the process exit", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true, pong: true });
  const proxy = await startProxy({ port: server.port });
  try {
    // The parent mutes the proxy once the child is open; the child's heartbeat (300 + 300 ms)
    // finds the connection dead, and the child calls close() from that close event. The
    // abandoned socket's closing handshake can never complete through the muted proxy.
    const r = await runNode([script, "dead", proxy.url("/dead")], {
      cwd: scratch,
      timeout: ms(10000),
      onLine: (line) => {
        if (line === "OPEN") proxy.mute();
      },
    });
    assert.match(r.stdout, /^CLOSE \d+ true .*(heartbeat|pong)/im, "a close for the dead connection");
    checkExit(r, "dead");
  } finally {
    await proxy.stop();
    await server.stop();
  }
});

test("close() on a dead network is bounded by closeTimeout (3 s by default), not by a 30 s handshake", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  const proxy = await startProxy({ port: server.port });
  try {
    // The closing handshake cannot complete through the muted proxy: no close frame back,
    // no FIN. The client gives up on it after closeTimeout and the process ends.
    const r = await runNode([script, "close-muted", proxy.url("/close-muted")], {
      cwd: scratch,
      timeout: ms(15000),
      onLine: (line) => {
        if (line === "OPEN") proxy.mute();
      },
    });
    const calledAt = closeCalledAt(r.stdout);
    assert.match(r.stdout, /^CLOSE 1006 false "closing handshake timed out"$/m, r.stdout);
    const lived = r.exitedAt - calledAt;
    console.log(`close() on a muted connection: the process ended ${lived} ms later`);
    assert.ok(lived < 3000 + 1500, `ended ${lived} ms after close()`);
    assert.ok(lived >= 2900, `not before closeTimeout (${lived} ms)`);
  } finally {
    await proxy.stop();
    await server.stop();
  }
});
