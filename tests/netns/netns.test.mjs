// Kernel-level network faults: real TCP on 127.0.0.1 inside a private network namespace, and
// nftables rules that make packets vanish (no RST, no FIN, no ICMP: the network just stops
// carrying them). The client is the packed package (tests/support/pack.mjs) with `ws` as its
// WebSocket; the server is tests/support/server.mjs, in this process.
//
// Run through scripts/netns-test.sh (it makes the namespace, or prints one line and skips
// where it cannot); see tests/netns/README.md. Outside such a namespace every test here skips:
// no rule is ever added to a machine's own network.
//
// Measured figures are printed; the assertions are the behavioural bounds of docs/design.md and
// README.md with generous margins, never speed targets.
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, guardResources } from "../support/client.mjs";
import { installPacked } from "../support/pack.mjs";
import { ms, now, sleep, runNode, withTimeout } from "../support/helpers.mjs";
import * as net from "./nft.mjs";

const INSIDE = net.insideNamespace();
const skip = INSIDE ? false : "not inside the private network namespace of scripts/netns-test.sh";

const HEARTBEAT = Object.freeze({ interval: 500, timeout: 500 });
const SLACK = 500; // ms of margin on every bound
const CONNECT_TIMEOUT = 1000;
const BACKOFF = Object.freeze({ initialDelay: 100, maxDelay: 400 });
const DETECTION_BOUND = HEARTBEAT.interval + HEARTBEAT.timeout + SLACK;
// Once the network is whole again: the attempt under way may be one whose SYN vanished (cut
// at connectionTimeout), then at most one backoff delay, then an attempt that succeeds.
const RECOVERY_BOUND = CONNECT_TIMEOUT + BACKOFF.maxDelay + SLACK;

const round = (x) => Math.round(x);
const figure = (line) => console.log(`  netns: ${line}`);

if (INSIDE) {
  guardResources("netns.test.mjs");
  before(() => net.setup());
  after(() => net.teardown());
}

/** Messages the server received on connection `conn`, heartbeat pings left out. */
const receivedOn = (server, conn) =>
  server.received.filter((r) => r.conn === conn && r.data !== "ping").map((r) => r.data);

// ---------------------------------------------------------------------------------------
// 1. An established connection goes into a blackhole.

test("1. blackhole: heartbeat detects a connection whose packets all vanish, and reconnects once they flow", { skip, timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true, pong: true });
  try {
    const { sock, rec } = await makeSocket(server.url("/blackhole"), {
      heartbeat: HEARTBEAT,
      connectionTimeout: CONNECT_TIMEOUT,
      backoff: BACKOFF,
    });
    await rec.waitFor("open");
    await rec.waitFor("heartbeat", 2, { timeout: ms(5000), label: "two heartbeats before the fault" });
    sock.send("before");
    await rec.until(() => rec.events("message").some((e) => e.data === "before"), { label: "echo before" });

    net.rules(...net.blackhole(server.port));
    const tFault = now();
    // Handed to a socket that still says open: it has left the client, and the contract does
    // not promise it (README, "What cannot be promised"). Its fate is reported, not asserted.
    sock.send("into-the-blackhole");

    const close = await rec.waitFor("close", 1, { timeout: ms(DETECTION_BOUND + 5000), label: "close after the blackhole" });
    const detection = rec.entries("close")[0].t - tFault;
    assert.match(close.reason, /heartbeat|pong/i, `the close reason names the heartbeat: ${JSON.stringify(close.reason)}`);
    assert.equal(close.wasClean, false);
    assert.equal(close.willReconnect, true);

    // Sent while down: queued, and the contract says they go out first, in order, on the
    // next connection.
    const queued = ["q1", "q2", "q3", "q4", "q5"];
    for (const m of queued) sock.send(m);
    assert.equal(sock.stats.queued, queued.length, "sent while down: queued");

    // The blackhole stays a while: attempts go out, their SYNs vanish, each is cut after
    // connectionTimeout.
    await rec.until(() => rec.events("error").some((e) => e.cause === "connection-timeout"), {
      timeout: ms(CONNECT_TIMEOUT + BACKOFF.maxDelay + 3000),
      label: "an attempt cut by connectionTimeout during the blackhole",
    });
    assert.equal(rec.count("reconnect"), 0, "no reconnect while the blackhole lasts");
    assert.equal(server.connections, 1, "no new connection reached the server");

    net.clear();
    const tLift = now();
    const re = await rec.waitFor("reconnect", 1, { timeout: ms(RECOVERY_BOUND + 5000), label: "reconnect after the blackhole" });
    const recovery = rec.entries("reconnect")[0].t - tLift;
    const timeouts = rec.events("error").filter((e) => e.cause === "connection-timeout").length;

    const conn = server.connections;
    assert.equal(conn, 2, "one new connection");
    await server.waitFor(() => receivedOn(server, conn).length >= queued.length, { timeout: ms(5000), label: "queued messages" });
    assert.deepEqual(receivedOn(server, conn).slice(0, queued.length), queued, "queued messages first, in order");
    const lost = server.messages.includes("into-the-blackhole") ? "delivered" : "lost with the connection";

    figure(
      `blackhole: detected in ${round(detection)} ms (bound ${DETECTION_BOUND}: interval ${HEARTBEAT.interval} + ` +
        `timeout ${HEARTBEAT.timeout} + ${SLACK}); ${timeouts} attempt(s) cut by connectionTimeout ${CONNECT_TIMEOUT} ms ` +
        `while it lasted; recovered ${round(recovery)} ms after the rules went (bound ${RECOVERY_BOUND}), ` +
        `downtime ${round(re.downtimeMs)} ms, attempt ${re.attempt}; ${queued.length}/${queued.length} queued ` +
        `messages delivered first, in order; the message sent into the blackhole: ${lost}`,
    );
    assert.ok(detection <= DETECTION_BOUND, `detection took ${round(detection)} ms > ${DETECTION_BOUND}`);
    assert.ok(recovery <= RECOVERY_BOUND, `recovery took ${round(recovery)} ms > ${RECOVERY_BOUND}`);
    assert.equal(rec.count("close"), 1, "exactly one close for the dead connection");
    assert.equal(rec.count("open"), 1);

    // The new connection works, heartbeats included.
    const beats = rec.count("heartbeat");
    await rec.waitFor("heartbeat", beats + 1, { timeout: ms(5000), label: "heartbeat after the reconnect" });
    sock.send("after");
    await rec.until(() => rec.events("message").some((e) => e.data === "after"), { label: "echo after" });
  } finally {
    net.clear();
    await closeSockets();
    await server.stop();
  }
});

// ---------------------------------------------------------------------------------------
// 2. Random loss while messages flow.

const EARLY = 100; // sent before the connection is open: queued
const PACED = 1000; // then BATCH every TICK ms: the echo latency
const BATCH = 10;
const TICK = 10;
const BURST = 2000; // then all at once, 1 KB each: the throughput
const N = EARLY + PACED + BURST;
const LOSS = 10; // percent of the port's packets dropped, each direction
const PAD = "x".repeat(1024);

/**
 * Send N numbered messages, `m<i>` (burst ones padded to 1 KB): EARLY before open (queued),
 * PACED at a steady pace, then BURST at once; wait for every echo. Returns what was sent,
 * received and measured.
 */
async function lossRun(loss) {
  const server = await startServer({ echo: true, pong: true });
  const port = server.port;
  try {
    if (loss) {
      // In the input chain: the sender's TCP believes these packets sent, and has to find
      // them missing and retransmit them, as on a real network (see nft.mjs).
      const chain = "in";
      net.rules(
        { chain, name: "to-server", rule: `tcp dport ${port} counter` },
        { chain, name: "to-client", rule: `tcp sport ${port} counter` },
        { chain, name: "dropped-to-server", rule: `tcp dport ${port} numgen random mod 100 < ${loss} counter drop` },
        { chain, name: "dropped-to-client", rule: `tcp sport ${port} numgen random mod 100 < ${loss} counter drop` },
      );
    }
    const retrans0 = net.retransmittedSegments();
    const { sock, rec } = await makeSocket(server.url(`/loss-${loss}`), {
      // Generous: under loss a pong may wait for TCP retransmissions (200 ms, 400 ms, ...).
      heartbeat: { interval: 1000, timeout: 3000 },
      connectionTimeout: 5000,
      backoff: BACKOFF,
      queue: { maxMessages: N },
    });
    const sentAt = new Array(N);
    const echoAt = new Array(N);
    const echoes = [];
    // The recorder's own listener runs before this one: waits on echoes are woken here.
    let wake = () => {};
    sock.addEventListener("message", (e) => {
      const text = String(e.data);
      const space = text.indexOf(" ");
      const i = Number(text.slice(1, space < 0 ? undefined : space));
      echoes.push(i);
      echoAt[i] ??= now();
      wake();
    });
    sock.addEventListener("close", () => wake());
    /** Until `count` echoes came back, or a connection was lost. */
    const echoed = (count, label) =>
      withTimeout(
        new Promise((resolve) => {
          wake = () => {
            if (echoes.length >= count || rec.count("close") > 0) resolve();
          };
          wake();
        }),
        ms(30000),
        `${label}: ${count} echoes (have ${echoes.length})`,
      );
    let next = 0;
    const send = (pad = false) => {
      sentAt[next] = now();
      sock.send(pad ? `m${next} ${PAD}` : `m${next}`);
      next++;
    };
    const t0 = now();
    while (next < EARLY) send();
    const queuedAtStart = sock.stats.queued;
    await rec.waitFor("open", 1, { timeout: ms(10000) });
    const tOpen = now();
    await echoed(EARLY, "queued");
    // Paced: BATCH messages every TICK ms (when the socket is not open they are queued).
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        for (let k = 0; k < BATCH && next < EARLY + PACED; k++) send();
        if (next >= EARLY + PACED) {
          clearInterval(timer);
          resolve();
        }
      }, TICK);
    });
    await echoed(EARLY + PACED, "paced");
    // The burst.
    const tBurst = now();
    while (next < N) send(true);
    // Every echo, unless a connection died on the way (then what it carried may be lost).
    await echoed(N, "burst");
    const tDone = now();
    if (rec.count("close") > 0) {
      await rec.waitFor("reconnect", 1, { timeout: ms(10000) });
      await sleep(2000); // what was queued meanwhile is flushed
    }
    const latencies = [];
    for (let i = EARLY; i < EARLY + PACED; i++) if (echoAt[i] !== undefined) latencies.push(echoAt[i] - sentAt[i]);
    latencies.sort((a, b) => a - b);
    const pct = (p) => round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]);
    return {
      loss,
      received: server.messages.filter((m) => m !== "ping").map((m) => m.split(" ")[0]),
      echoes,
      closes: rec.count("close"),
      queuedAtStart,
      openMs: round(tOpen - t0),
      burstMs: round(tDone - tBurst),
      p50: pct(50),
      p99: pct(99),
      max: round(latencies.at(-1)),
      retransmitted: net.retransmittedSegments() - retrans0,
      counters: loss ? net.counters() : null,
    };
  } finally {
    net.clear();
    await closeSockets();
    await server.stop();
  }
}

test(`2. ${LOSS} % random loss: every message arrives once, in order; what loss costs`, { skip, timeout: ms(90000) }, async () => {
  const base = await lossRun(0);
  const lossy = await lossRun(LOSS);
  const expected = Array.from({ length: N }, (_, i) => `m${i}`);
  for (const r of [base, lossy]) {
    const c = r.counters;
    const drops = c
      ? `; dropped ${c["dropped-to-server"]}/${c["to-server"]} packets to the server and ` +
        `${c["dropped-to-client"]}/${c["to-client"]} to the client`
      : "";
    figure(
      `loss ${r.loss} %: ${r.received.length}/${N} messages at the server, ${r.echoes.length}/${N} echoes back, ` +
        `${r.closes} connection(s) lost; open after ${r.openMs} ms with ${r.queuedAtStart} queued; ` +
        `paced echo latency p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms; ` +
        `burst of ${BURST} x 1 KB echoed in ${r.burstMs} ms (${round((BURST / r.burstMs) * 1000)} msg/s); ` +
        `${r.retransmitted} TCP segments retransmitted${drops}`,
    );
  }
  assert.equal(base.queuedAtStart, EARLY, "sent before open: queued");
  assert.equal(lossy.queuedAtStart, EARLY, "sent before open: queued");
  assert.deepEqual(base.received, expected, "no loss: every message once, in order");
  assert.ok(lossy.counters["dropped-to-server"] + lossy.counters["dropped-to-client"] > 0, "the rule did drop packets");
  assert.ok(lossy.retransmitted > 0, "TCP retransmitted");
  if (lossy.closes === 0) {
    // One connection: TCP repairs the loss; nothing may go missing, be repeated or reordered.
    assert.deepEqual(lossy.received, expected, `${LOSS} % loss: every message once, in order`);
    assert.deepEqual(lossy.echoes, expected.map((_, i) => i), "every echo once, in order");
  } else {
    // A connection died on the way (the heartbeat gave up on it): what it carried may be
    // lost, but what arrived is in order, with no repeats, and the queued messages arrived.
    const nums = lossy.received.map((m) => Number(m.slice(1)));
    assert.ok(nums.every((x, i) => i === 0 || x > nums[i - 1]), "in order, no repeats");
    for (let i = 0; i < EARLY; i++) assert.ok(lossy.received.includes(`m${i}`), `queued m${i} arrived`);
  }
});

// ---------------------------------------------------------------------------------------
// 3. SYNs vanish: the server cannot be reached at all.

test("3. dropped SYNs: each attempt is cut at connectionTimeout, backoff is respected, recovery when lifted", { skip, timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true, pong: true });
  const CT = 700; // below the kernel's first SYN retransmission (1 s): one SYN per attempt
  const backoff = { initialDelay: 200, maxDelay: 800, factor: 2 };
  const OUTAGE = 3500;
  try {
    net.rules({ name: "syn", rule: `tcp dport ${server.port} tcp flags & (syn|ack) == syn counter drop` });
    const tFault = now();
    const { sock, rec } = await makeSocket(server.url("/syn"), { connectionTimeout: CT, backoff });
    // The first attempt starts in the constructor (its statechange comes before any listener).
    const starts = [tFault];
    sock.addEventListener("statechange", () => {
      if (sock.state === "connecting") starts.push(now());
    });
    await sleep(OUTAGE); // the outage: only the attempts' timeouts may happen
    const attempts = starts.length;
    const syns = net.counters().syn;
    assert.equal(server.upgrades.length, 0, "nothing reached the server");
    net.clear();
    const tLift = now();
    await rec.waitFor("open", 1, { timeout: ms(CT + backoff.maxDelay + SLACK + 5000), label: "open after the SYNs flow" });
    const recovery = rec.entries("open")[0].t - tLift;

    const errors = rec.entries("error");
    const retries = rec.entries("reconnecting");
    const cut = [];
    const waits = [];
    for (let i = 0; i < errors.length && i < starts.length; i++) {
      if (errors[i].t > tLift) break;
      assert.equal(errors[i].ev.cause, "connection-timeout", `attempt ${i + 1} ends by connectionTimeout`);
      cut.push(round(errors[i].t - starts[i]));
      const r = retries[i];
      if (r && starts[i + 1] !== undefined) {
        const ceiling = Math.min(backoff.maxDelay, backoff.initialDelay * backoff.factor ** (r.ev.attempt - 1));
        waits.push({ attempt: r.ev.attempt, delayMs: r.ev.delayMs, waited: round(starts[i + 1] - r.t), ceiling });
      }
    }
    figure(
      `dropped SYNs: ${attempts} attempts in ${OUTAGE} ms, each cut after ${cut.join(", ")} ms ` +
        `(connectionTimeout ${CT}); backoff delay drawn / waited / ceiling: ` +
        `${waits.map((w) => `attempt ${w.attempt}: ${w.delayMs}/${w.waited}/${w.ceiling}`).join(", ")} ms; ` +
        `${syns} SYNs dropped; open ${round(recovery)} ms after the rule went ` +
        `(bound ${CT + backoff.maxDelay + SLACK})`,
    );
    assert.ok(attempts >= 3, `at least 3 attempts in ${OUTAGE} ms (${attempts})`);
    for (const c of cut) assert.ok(c >= CT - 20 && c <= CT + SLACK, `an attempt cut after ${c} ms, not ~${CT}`);
    for (const w of waits) {
      assert.ok(w.delayMs >= 0 && w.delayMs <= w.ceiling, `delay ${w.delayMs} within [0, ${w.ceiling}] for attempt ${w.attempt}`);
      assert.ok(w.waited >= w.delayMs - 20, `waited ${w.waited} ms, less than the ${w.delayMs} ms drawn`);
      assert.ok(w.waited <= w.delayMs + SLACK, `waited ${w.waited} ms, far more than the ${w.delayMs} ms drawn`);
    }
    assert.deepEqual(retries.map((r) => r.ev.attempt).slice(0, waits.length), waits.map((_, i) => i + 1), "attempts counted 1, 2, 3, ...");
    // An abandoned attempt's socket is gone: the kernel sends no SYN retransmission for it.
    assert.ok(syns <= attempts, `${syns} SYNs for ${attempts} attempts: an abandoned attempt kept retrying`);
    assert.ok(recovery <= CT + backoff.maxDelay + SLACK, `open ${round(recovery)} ms after the rule went`);
    assert.equal(rec.count("reconnect"), 0, "a first connection is `open`, not `reconnect`");
    sock.send("through");
    await rec.until(() => rec.events("message").some((e) => e.data === "through"), { label: "echo" });
  } finally {
    net.clear();
    await closeSockets();
    await server.stop();
  }
});

// ---------------------------------------------------------------------------------------
// 4. One direction only.

for (const [direction, rule, what] of [
  ["server→client", (p) => `tcp sport ${p} drop`, "pings reach the server, its pongs (and ACKs) vanish"],
  ["client→server", (p) => `tcp dport ${p} drop`, "the pings vanish"],
]) {
  test(`4. one-way loss (${direction} dropped): ${what}; the heartbeat detects it`, { skip, timeout: ms(30000) }, async () => {
    const server = await startServer({ echo: true, pong: true });
    try {
      const { rec } = await makeSocket(server.url("/one-way"), {
        heartbeat: HEARTBEAT,
        connectionTimeout: CONNECT_TIMEOUT,
        backoff: BACKOFF,
      });
      await rec.waitFor("open");
      await rec.waitFor("heartbeat", 2, { timeout: ms(5000), label: "two heartbeats before the fault" });
      const pingsBefore = server.received.filter((r) => r.conn === 1 && r.data === "ping").length;
      net.rules(rule(server.port));
      const tFault = now();
      const close = await rec.waitFor("close", 1, { timeout: ms(DETECTION_BOUND + 5000), label: "close after one-way loss" });
      const detection = rec.entries("close")[0].t - tFault;
      const pingsDuring = server.received.filter((r) => r.conn === 1 && r.data === "ping").length - pingsBefore;
      net.clear();
      const tLift = now();
      await rec.waitFor("reconnect", 1, { timeout: ms(RECOVERY_BOUND + 5000), label: "reconnect after one-way loss" });
      const recovery = rec.entries("reconnect")[0].t - tLift;
      figure(
        `one-way ${direction}: detected in ${round(detection)} ms (bound ${DETECTION_BOUND}); ${pingsDuring} ping(s) ` +
          `reached the server meanwhile; reconnected ${round(recovery)} ms after the rule went`,
      );
      assert.match(close.reason, /heartbeat|pong/i, JSON.stringify(close.reason));
      assert.equal(close.willReconnect, true);
      assert.ok(detection <= DETECTION_BOUND, `detection took ${round(detection)} ms > ${DETECTION_BOUND}`);
      if (direction === "server→client") assert.ok(pingsDuring >= 1, "the pings did reach the server (one-way)");
      else assert.equal(pingsDuring, 0, "no ping reached the server");
      assert.ok(recovery <= RECOVERY_BOUND, `recovery took ${round(recovery)} ms > ${RECOVERY_BOUND}`);
      assert.equal(rec.count("close"), 1);
    } finally {
      net.clear();
      await closeSockets();
      await server.stop();
    }
  });
}

// ---------------------------------------------------------------------------------------
// 5. close() while the network is a blackhole, in a Node process of its own.

const FIXTURE = fileURLToPath(new URL("../support/fixtures/close-exits.mjs", import.meta.url));
const CONNECTING_FIXTURE = fileURLToPath(new URL("./fixtures/close-connecting.mjs", import.meta.url));
const CLOSE_TIMEOUT = 3000; // the default closeTimeout (README, Options)

test("5. close() during a blackhole: the closing handshake ends at closeTimeout and the process exits by itself; so does a hanging connect", { skip, timeout: ms(60000) }, async () => {
  const info = await installPacked();
  // In the scratch project, so that its bare imports resolve to the installed tarball.
  const scratch = fs.mkdtempSync(path.join(info.dir, `netns-${process.pid}-`));
  const script = path.join(scratch, "close-exits.mjs");
  fs.copyFileSync(FIXTURE, script);
  const connecting = path.join(scratch, "close-connecting.mjs");
  fs.copyFileSync(CONNECTING_FIXTURE, connecting);
  const server = await startServer({ echo: true, pong: true });
  try {
    // a) No heartbeat: the child calls close() 300 ms after OPEN; the parent blackholes the
    //    port as soon as it reads OPEN. No close frame comes back, no FIN: only closeTimeout
    //    ends the handshake.
    let tFault = null;
    const a = await runNode([script, "close-muted", server.url("/close-blackhole")], {
      cwd: scratch,
      timeout: ms(15000),
      onLine: (line) => {
        if (line === "OPEN" && tFault === null) {
          net.rules(...net.blackhole(server.port));
          tFault = Date.now();
        }
      },
    });
    net.clear();
    const calledAt = Number(a.stdout.match(/^CLOSE_CALLED (\d+)/m)?.[1]);
    assert.ok(tFault !== null && calledAt > tFault, `close() after the blackhole began:\n${a.stdout}`);
    const lived = a.exitedAt - calledAt;
    figure(`close() in a blackhole (closeTimeout ${CLOSE_TIMEOUT}): the process ended ${lived} ms after close()`);
    assert.equal(a.code, 0, `exit code ${a.code} signal ${a.signal}\nstdout:\n${a.stdout}\nstderr:\n${a.stderr}`);
    assert.equal(a.stderr.trim(), "", "nothing on stderr");
    assert.match(a.stdout, /^CLOSE 1006 false "closing handshake timed out"$/m, a.stdout);
    assert.equal(a.stdout.match(/^CLOSE /gm).length, 1, "exactly one close event");
    assert.ok(lived >= CLOSE_TIMEOUT - 100, `ended ${lived} ms after close(), before closeTimeout`);
    assert.ok(lived <= CLOSE_TIMEOUT + 1500, `ended ${lived} ms after close(), long after closeTimeout`);

    // b) With a heartbeat (300 + 300 ms): it finds the connection dead, and the child calls
    //    close() from that close event, while the next attempt's SYNs vanish.
    tFault = null;
    const b = await runNode([script, "dead", server.url("/dead-blackhole")], {
      cwd: scratch,
      timeout: ms(15000),
      onLine: (line) => {
        if (line === "OPEN" && tFault === null) {
          net.rules(...net.blackhole(server.port));
          tFault = Date.now();
        }
      },
    });
    net.clear();
    const calledB = Number(b.stdout.match(/^CLOSE_CALLED (\d+)/m)?.[1]);
    const livedB = b.exitedAt - calledB;
    figure(
      `heartbeat in a blackhole: dead after ${calledB - tFault} ms (bound 300 + 300 + ${SLACK}), ` +
        `then close(): the process ended ${livedB} ms later`,
    );
    assert.equal(b.code, 0, `exit code ${b.code} signal ${b.signal}\nstdout:\n${b.stdout}\nstderr:\n${b.stderr}`);
    assert.equal(b.stderr.trim(), "", "nothing on stderr");
    assert.match(b.stdout, /^CLOSE \d+ true .*(heartbeat|pong)/im, "a close for the dead connection");
    assert.ok(calledB - tFault <= 300 + 300 + SLACK, `detected ${calledB - tFault} ms after the blackhole began`);
    assert.ok(livedB <= 1500, `ended ${livedB} ms after close()`);

    // c) Every SYN vanishes from the start: close() while the first attempt hangs in its TCP
    //    handshake (connectionTimeout 5 s) ends it at once.
    const upgrades = server.upgrades.length;
    net.rules(`tcp dport ${server.port} tcp flags & (syn|ack) == syn drop`);
    const c = await runNode([connecting, server.url("/close-connecting")], { cwd: scratch, timeout: ms(15000) });
    net.clear();
    const calledC = c.stdout.match(/^CLOSE_CALLED (\d+) (\w+)/m);
    assert.ok(calledC, `the child never called close():\n${c.stdout}\n${c.stderr}`);
    const livedC = c.exitedAt - Number(calledC[1]);
    figure(`close() during a hanging connect (SYNs dropped): the process ended ${livedC} ms later`);
    assert.equal(c.code, 0, `exit code ${c.code} signal ${c.signal}\nstdout:\n${c.stdout}\nstderr:\n${c.stderr}`);
    assert.equal(c.stderr.trim(), "", "nothing on stderr");
    assert.equal(calledC[2], "connecting", "close() came while the attempt hung");
    assert.doesNotMatch(c.stdout, /^OPEN$/m);
    assert.ok(livedC <= 1500, `ended ${livedC} ms after close()`);
    assert.equal(server.upgrades.length, upgrades, "the hanging attempt never reached the server");
  } finally {
    net.clear();
    fs.rmSync(scratch, { recursive: true, force: true });
    await server.stop();
  }
});
