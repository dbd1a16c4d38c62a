// Frozen pages, held JavaScript and late timers in a real browser.
//
// What headless Chromium 156 does (focus emulation off, see browser.mjs):
// - CDP Page.setWebLifecycleState {state: "frozen"} hides the page (visibilitychange hidden),
//   fires `freeze` and holds every task (timers, socket events); {state: "active"} fires
//   `resume` and runs them. The page stays hidden afterwards.
// - Every WebSocket open across such a freeze is closed by Chromium itself at resume: the
//   server receives close 1001 ("going away") from the browser, the page gets `error` and
//   `close` 1006, right after `resume` was dispatched. (Seen with raw CDP too, without
//   Playwright; freeze length does not matter, 100 ms is enough.) So a CDP freeze cannot
//   show "no reconnect against a healthy server": the platform reconnects it.
// - To hold the page's JavaScript while its socket stays up (what a long task, a throttled
//   CPU or a sleeping device look like to the page: nothing runs, then everything is late),
//   the tests below block the page's main thread in a loop until a given time. Events that
//   happen meanwhile (the page becoming visible) are queued and dispatched when it ends,
//   before the overdue timer runs.
//
// Chromium runs here with --disable-background-timer-throttling (as Playwright does):
// otherwise an overdue timer in a hidden page waits for the next whole-second wake-up,
// adding up to 1 s of noise to each figure.
//
// The server answers pings after 150 ms (healthy, not instant), so a pong is never already
// there when the client decides.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { ENGINES, withPage, hidePage, freezePage, resumePage, limit, sleep, r } from "./browser.mjs";

const EXTRA_ARGS = ["--disable-background-timer-throttling"];
// CDP freezes and pages held by a script that blocks the main thread: Chromium only (the
// WebDriver engines have no freeze, and their page log is read by scripts the hold blocks).
const CHROMIUM_ONLY = ENGINES.includes("chromium") ? {} : { skip: "Chromium only (LIFELINE_BROWSERS)" };
const NOT_FROZEN =
  "this browser does not freeze the page (Page.setWebLifecycleState is a no-op, e.g. under chromium.launch()'s focus emulation)";

/** A server that answers "ping" with "pong" after `delay` ms (while not muted). */
async function slowPongServer(delay) {
  const srv = await startServer({ echo: false, pong: false });
  const sockets = new Map();
  const timers = new Set();
  srv.on("connection", (conn, _url, ws) => sockets.set(conn, ws));
  srv.on("message", (data, isBinary, conn) => {
    if (isBinary || data !== "ping" || srv.settings.mute) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const ws = sockets.get(conn);
      if (ws && ws.readyState === 1) ws.send("pong");
    }, delay);
    timers.add(timer);
  });
  const stop = srv.stop.bind(srv);
  srv.stop = async () => {
    for (const t of timers) clearTimeout(t);
    await stop();
  };
  return srv;
}

const pingsAtServer = (srv, fromAt, toAt = Infinity) =>
  srv.received.filter((m) => m.data === "ping" && m.t >= fromAt && m.t < toAt);

const isPing = (e) => e.type === "send" && e.data === "ping";

/**
 * Blocks the page's main thread until Date.now() >= untilAt. Resolves once the block has
 * begun (the page logged "hold") with { ended }: a promise of Date.now() when it ends.
 */
async function holdPage(page, log, untilAt) {
  const from = log.mark();
  const ended = page.evaluate((until) => {
    harness.record("hold", { until });
    while (Date.now() < until);
    return Date.now();
  }, untilAt);
  ended.catch(() => {});
  await log.waitFor("hold", { from, label: "the page to start holding" });
  return { ended };
}

test("chromium: freeze/resume (CDP): timers are held, the client probes at once on resume and gives no heartbeat verdict; Chromium drops the socket itself", CHROMIUM_ONLY, async (t) => {
  const srv = await slowPongServer(150);
  try {
    await withPage(
      async ({ context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { heartbeat: { interval: 1000, timeout: 500 } }),
          srv.url("/frozen"),
        );
        await log.waitFor("ll-open");
        await log.waitFor("ll-heartbeat", { timeout: limit(5000), label: "a first heartbeat" });

        const frozen = await freezePage(context, page, log);
        if (!frozen) return t.skip(NOT_FROZEN);
        const freezeMs = 2000; // > interval + timeout
        await sleep(freezeMs);
        const from = log.mark();
        const resumeAt = await resumePage(frozen.cdp);
        const resume = await log.waitFor("resume", { from });
        const probe = await log.waitFor(isPing, { from, timeout: limit(3000), label: "the probe after resume" });
        const open = await log.waitFor((e) => e.type === "ll-reconnect" || e.type === "ll-open", {
          from,
          timeout: limit(8000),
          label: "the reconnection after Chromium dropped the socket",
        });
        const closes = log.all("ll-close", from);
        const held = pingsAtServer(srv, frozen.at + 100, resumeAt);
        const probeArrived = srv.received.some((m) => m.data === "ping" && m.conn === 1 && m.t >= resumeAt);
        console.log(
          `frozen ${freezeMs} ms (interval 1000 + timeout 500): ${held.length} pings while frozen; ` +
            `probe sent ${r(probe.t - resume.t)} ms after resume (${probeArrived ? "reached" : "did not reach"} the server); ` +
            `closes after resume: ${closes.map((c) => `${c.code} "${c.reason}"`).join(", ") || "none"}; ` +
            `server saw close ${srv.upgrades[0].closeCode}; connected again ${r(open.t - resume.t)} ms after resume`,
        );
        assert.equal(held.length, 0, "the freeze held the heartbeat timer");
        assert.ok(probe.t - resume.t < 100, `probe ${r(probe.t - resume.t)} ms after resume`);
        assert.ok(
          !closes.some((c) => /heartbeat/.test(c.reason)),
          "the late timer must not be read as a dead server",
        );
        // What Chromium 156 does on resume (documented above): if this starts failing,
        // Chromium keeps sockets across a freeze now and the test can assert no reconnect.
        assert.equal(srv.upgrades[0].closeCode, 1001, "Chromium closed the socket (going away) on resume");
      },
      { extraArgs: EXTRA_ARGS },
    );
  } finally {
    await srv.stop();
  }
});

test("chromium: late timer (page held 3 s past a heartbeat, then visible) against a healthy server: probe, no verdict, no reconnect", CHROMIUM_ONLY, async () => {
  const srv = await slowPongServer(150);
  try {
    await withPage(
      async ({ context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { heartbeat: { interval: 1000, timeout: 500 } }),
          srv.url("/held"),
        );
        await log.waitFor("ll-open");
        const hidden = await hidePage(context, page, log);
        console.log(`visibility driven by: ${hidden.method}`);
        const beat = await log.waitFor("ll-heartbeat", { from: log.mark(), timeout: limit(5000) });
        const ping = log.all((e) => isPing(e) && e.t <= beat.t).at(-1);
        // Next ping due at ping + 1000 (its pong by ping + 1500). Nothing runs until ping +
        // 3000; the page becomes visible meanwhile, so its visibilitychange comes first and
        // probes with a pong deadline (ping + 1500) handled 1.5 s late.
        const holdUntil = ping.at + 3000;
        const held = await holdPage(page, log, holdUntil);
        await sleep(holdUntil - 300 - Date.now()); // the page becomes visible while held
        const from = log.mark();
        const visible = hidden.show();
        const endedAt = await held.ended;
        await visible;
        const probe = await log.waitFor(isPing, { from, timeout: limit(3000), label: "the probe" });
        const after = await log.waitFor("ll-heartbeat", { from, timeout: limit(3000), label: "the probe's pong" });
        await sleep(800); // a verdict would come within the timeout (500 ms)
        const closes = log.all("ll-close");
        console.log(
          `held ${r(endedAt - beat.at)} ms (interval 1000 + timeout 500): probe ${r(probe.at - endedAt)} ms after the page ran again, ` +
            `pong after ${r(after.rttMs)} ms; closes: ${closes.length}; server connections: ${srv.connections}`,
        );
        assert.equal(pingsAtServer(srv, beat.at + 50, endedAt).length, 0, "nothing ran while held");
        assert.equal(closes.length, 0, `no close: ${closes.map((c) => c.reason).join(", ")}`);
        assert.equal(srv.connections, 1);
        assert.equal(srv.upgrades.length, 1);
      },
      { extraArgs: EXTRA_ARGS },
    );
  } finally {
    await srv.stop();
  }
});

// Regression test for a library bug this test found (fixed): probe() counts a ping that was due but never sent ("its
// timer not handled yet") as sent at its due time: the probe's pong deadline becomes
// next_at + timeout. When the page could not run (frozen, throttled, a long task) and the
// check (visible, resume, online, pageshow) comes before the overdue timer, that deadline
// is already past; if by less than LATE_AFTER (1 s), the timer that fires next is "not
// late" and the client declares the healthy server dead 1 ms after sending the probe.
// Steps: heartbeat {interval 1000, timeout 500}, server answering pings in 150 ms; page
// hidden; right after a heartbeat the page's JS is held until 2000 ms after that ping;
// the page becomes visible meanwhile. Expected: probe, pong, no close (as with a 3000 ms
// hold). Actual: probe sent, then close 1006 "heartbeat timeout" 1 ms later, reconnect.
test("chromium: late timer (page held 2 s past a heartbeat, then visible; probe deadline < 1 s overdue): still no verdict before the probe's pong", CHROMIUM_ONLY, async () => {
  const srv = await slowPongServer(150);
  try {
    await withPage(
      async ({ context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { heartbeat: { interval: 1000, timeout: 500 } }),
          srv.url("/held-short"),
        );
        await log.waitFor("ll-open");
        const hidden = await hidePage(context, page, log);
        const beat = await log.waitFor("ll-heartbeat", { from: log.mark(), timeout: limit(5000) });
        const ping = log.all((e) => isPing(e) && e.t <= beat.t).at(-1);
        const holdUntil = ping.at + 2000; // the probe's deadline (ping + 1500) 0.5 s overdue
        const held = await holdPage(page, log, holdUntil);
        await sleep(holdUntil - 300 - Date.now()); // the page becomes visible while held
        const from = log.mark();
        const visible = hidden.show();
        const endedAt = await held.ended;
        await visible;
        const outcome = await Promise.race([
          log.waitFor("ll-heartbeat", { from, timeout: limit(3000) }).then((e) => ({ kind: "heartbeat", e })),
          log.waitFor("ll-close", { from, timeout: limit(3000) }).then((e) => ({ kind: "close", e })),
        ]);
        await sleep(600);
        const closes = log.all("ll-close", from);
        console.log(
          `held ${r(endedAt - beat.at)} ms, ran again ${r(endedAt - ping.at)} ms after the last ping: first outcome ` +
            (outcome.kind === "close"
              ? `close ${outcome.e.code} "${outcome.e.reason}" ${r(outcome.e.at - endedAt)} ms after the page ran again`
              : `heartbeat (rtt ${r(outcome.e.rttMs)} ms)`) +
            `; server connections: ${srv.connections}`,
        );
        assert.equal(closes.length, 0, `no close; got ${closes.map((c) => `${c.code} "${c.reason}"`).join(", ")}`);
        assert.equal(srv.connections, 1);
      },
      { extraArgs: EXTRA_ARGS },
    );
  } finally {
    await srv.stop();
  }
});

test("chromium: sleep: a pong deadline handled 1.6 s late leads to a probe right after the page runs again, not a verdict (resume/visible probes off)", CHROMIUM_ONLY, async () => {
  const srv = await startServer({ pong: true });
  try {
    await withPage(
      async ({ page, log }) => {
        // probeOnVisible: false: no lifecycle event probes; only the late-timer rule can.
        await page.evaluate(
          (url) =>
            harness.start(url, {
              heartbeat: { interval: 500, timeout: 400 },
              lifecycle: { probeOnVisible: false },
            }),
          srv.url("/sleep"),
        );
        await log.waitFor("ll-open");
        await log.waitFor("ll-heartbeat", { timeout: limit(5000), label: "a first heartbeat" });

        // One ping goes unanswered, and the device "sleeps" before its pong deadline.
        srv.set({ mute: true });
        const from0 = log.mark();
        const ping = await log.waitFor(isPing, { from: from0, timeout: limit(3000), label: "the next ping" });
        const holdUntil = ping.at + 2000; // deadline ping + 400, handled ~1.6 s late
        const held = await holdPage(page, log, holdUntil);
        await srv.waitFor((s) => pingsAtServer(s, ping.at - 5).length === 1, { label: "the muted ping at the server" });
        srv.set({ mute: false }); // healthy again while the page sleeps
        const endedAt = await held.ended;
        const [probe] = await srv.waitFor((s) => pingsAtServer(s, endedAt).length && pingsAtServer(s, endedAt), {
          timeout: limit(5000),
          label: "the probe after the sleep",
        });
        const beat = await log.waitFor("ll-heartbeat", { from: from0, timeout: limit(3000), label: "the probe's pong" });
        await sleep(700); // a verdict would come within the 400 ms timeout
        const closes = log.all("ll-close");
        console.log(
          `slept ${r(endedAt - ping.at)} ms with a ping outstanding (its deadline handled ${r(endedAt - ping.at - 400)} ms late): ` +
            `probe reached the server ${r(probe.t - endedAt)} ms after the page ran again; pong rtt ${r(beat.rttMs)} ms; ` +
            `closes: ${closes.length}; server connections: ${srv.connections}`,
        );
        assert.ok(probe.t - endedAt < 500, `probe ${r(probe.t - endedAt)} ms after the sleep`);
        assert.equal(closes.length, 0, `no close: ${closes.map((c) => c.reason).join(", ")}`);
        assert.equal(srv.connections, 1);
      },
      { extraArgs: EXTRA_ARGS },
    );
  } finally {
    await srv.stop();
  }
});
