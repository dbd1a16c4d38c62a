// Issue #5: `npm run demo`. Runs the bounded demo (examples/node/demo.mjs --duration 25) as
// a child process: it must exit by itself with 0, its summary must show the client living
// through the faults (reconnects, a dead connection detected within the heartbeat's bound, no
// message lost), and no server process may outlive it. Then the unbounded demo, stopped by
// SIGINT, must stop everything and exit 0 with a summary.
// Builds the package first when dist/ is older than its sources (never runs bootstrap).
import test, { before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ms, runNode } from "../support/helpers.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEMO = join(ROOT, "examples", "node", "demo.mjs");
const DURATION = 25; // s
const SLACK = 1500; // ms over interval + timeout for a detection (timers, a busy machine)

function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

before(() => {
  const built = join(ROOT, "dist", "lifeline-ws.mjs");
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    // not built yet
  }
  const inputs = ["js", "src", "Cargo.toml", "Cargo.lock", "scripts/build-package.mjs"];
  const sourcesAt = Math.max(...inputs.map((p) => newestMtime(join(ROOT, p))));
  if (builtAt < sourcesAt) {
    console.log("demo.test: dist/ is missing or older than its sources: npm run build");
    execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  }
});

/** The summary block's rows, by name ("reconnects" → "6"). */
function summaryOf(stdout) {
  const at = stdout.search(/^summary: /m);
  assert.ok(at >= 0, `no summary in the output:\n${stdout}`);
  const block = stdout.slice(at);
  const rows = {};
  for (const m of block.matchAll(/^ {2}(\S.*?\S) {2,}(.*)$/gm)) rows[m[1]] = m[2];
  return { block, rows };
}

/** Process ids the demo printed for its server processes. */
function serverPids(stdout) {
  return [...stdout.matchAll(/server process (\d+)/g)].map((m) => Number(m[1]));
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

function assertServersGone(stdout) {
  const pids = serverPids(stdout);
  assert.ok(pids.length >= 1, "the demo names its server process");
  for (const pid of pids) assert.equal(alive(pid), false, `server process ${pid} outlived the demo`);
}

test(`the bounded demo (--duration ${DURATION}) survives every fault and loses nothing`, { timeout: ms(120000) }, async () => {
  const r = await runNode([DEMO, "--duration", String(DURATION), "--http-port", "0"], {
    cwd: ROOT,
    timeout: ms(90000), // 25 s + a drain of at most 10 s + start and stop
  });
  const { block, rows } = summaryOf(r.stdout);
  console.log(`demo exited ${r.code} after ${(r.ms / 1000).toFixed(1)} s:\n${block.trimEnd()}`);
  assert.equal(r.code, 0, `demo exit code ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.match(r.stdout, /^status page: http:\/\/127\.0\.0\.1:\d+$/m, "prints the status page's address");
  assert.match(r.stdout, /^demo: OK$/m);

  const reconnects = Number(rows["reconnects"]);
  assert.ok(reconnects >= 4, `reconnects ${rows["reconnects"]}, want >= 4`);

  const detection = rows["detection times"] ?? "";
  const bound = Number(/bound interval \+ timeout = (\d+) ms/.exec(detection)?.[1]);
  assert.ok(bound > 0, `detection times row names its bound: ${JSON.stringify(detection)}`);
  const times = [...detection.split("(")[0].matchAll(/(\d+) ms/g)].map((m) => Number(m[1]));
  assert.ok(times.length >= 1, `a dead connection was detected: ${JSON.stringify(detection)}`);
  assert.ok(
    times.some((t) => t <= bound + SLACK),
    `a detection within ${bound} + ${SLACK} ms; got ${times.join(", ")} ms`,
  );

  assert.equal(rows["messages lost"], "0", `messages lost: ${rows["messages lost"]}`);
  assert.ok(Number(rows["messages sent"].split(" ")[0]) >= DURATION * 3, "messages were sent throughout");
  for (const kind of ["open", "close", "reconnecting", "reconnect", "heartbeat", "dead", "flushed"]) {
    assert.match(r.stdout, new RegExp(`^t\\+ *\\d+\\.\\d{3}s  client  ${kind} `, "m"), `the timeline shows "${kind}"`);
  }
  assertServersGone(r.stdout);
});

test("without --duration the demo runs until SIGINT, then stops everything and exits 0", { timeout: ms(60000) }, async () => {
  let signalled = false;
  const r = await runNode([DEMO, "--http-port", "0"], {
    cwd: ROOT,
    timeout: ms(40000),
    // After the first fault's reconnect, as a user pressing Ctrl-C would (to this process only).
    onLine: (line, child) => {
      if (!signalled && /client {2}reconnect /.test(line)) {
        signalled = true;
        child.kill("SIGINT");
      }
    },
  });
  assert.ok(signalled, `the demo never reconnected:\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.code, 0, `exit code ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const { rows } = summaryOf(r.stdout);
  assert.ok(Number(rows["reconnects"]) >= 1);
  assert.match(r.stdout, /client {2}stop +SIGINT: stopping/);
  assertServersGone(r.stdout);
});
