// Hidden / visible in a real browser. The page is hidden for real by bringing a second tab
// to front (see browser.mjs for why that needs Chromium without Playwright's focus
// emulation); where that does not work the harness's synthetic visibilitychange is used, and
// each test prints which one it used.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { startProxy } from "../support/proxy.mjs";
import { ENGINES, withPage, hidePage, limit, sleep, r } from "./browser.mjs";

const isOpen = (e) => e.type === "ll-open" || e.type === "ll-reconnect";

for (const engine of ENGINES) {
  test(`${engine}: visible: an open socket is probed at once; a dead one is replaced within the probe timeout, not the 30 s heartbeat`, async () => {
    const srv = await startServer({ pong: true });
    const proxy = await startProxy({ port: srv.port });
    try {
      await withPage(async ({ context, page, log }) => {
        // The first connection goes through the proxy (to be made half-open), the next ones
        // straight to the server.
        await page.evaluate(
          ([viaProxy, direct]) =>
            harness.start([viaProxy, direct], {
              heartbeat: { interval: 30000, timeout: 1000 },
              backoff: { initialDelay: 100, jitter: "none" },
            }),
          [proxy.url("/visible"), srv.url("/visible")],
        );
        await log.waitFor("ll-open");
        await srv.waitFor((s) => s.live === 1, { label: "the connection through the proxy" });

        const hidden = await hidePage(context, page, log);
        console.log(`visibility driven by: ${hidden.method}`);
        proxy.mute(); // half-open while hidden: nothing flows, nothing closes
        await sleep(300);
        assert.equal(log.all("ll-close").length, 0);

        const from = log.mark();
        const visible = await hidden.show();
        const ping = await log.waitFor((e) => e.type === "send" && e.data === "ping", {
          from,
          timeout: limit(3000),
          label: "the probe ping after visible",
        });
        const close = await log.waitFor("ll-close", { from, timeout: limit(6000), label: "the dead socket's close" });
        const open = await log.waitFor(isOpen, { from, timeout: limit(8000), label: "the reconnection" });
        const probeMs = ping.t - visible.t;
        const closeMs = close.t - visible.t;
        const reconnectMs = open.t - visible.t;
        console.log(
          `probe after visible: ${r(probeMs)} ms; dead socket dropped after ${r(closeMs)} ms ` +
            `(timeout 1000, reason "${close.reason}"); reconnected after ${r(reconnectMs)} ms (heartbeat interval 30000)`,
        );
        assert.ok(probeMs < 500, `probe ${r(probeMs)} ms after visible`);
        assert.equal(close.code, 1006);
        assert.ok(closeMs >= 900, `closed ${r(closeMs)} ms after visible: before the probe timeout`);
        assert.ok(reconnectMs < 5000, `reconnected ${r(reconnectMs)} ms after visible`);
        await srv.waitFor((s) => s.connections === 2 && s.live >= 1, { label: "the direct reconnection" });
      }, { engine });
    } finally {
      proxy.unmute();
      await proxy.stop();
      await srv.stop();
    }
  });

  test(`${engine}: closeWhenHiddenAfter: 500 closes cleanly once hidden that long, attempts nothing while hidden, reconnects at once on visible`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ context, page, log }) => {
        await page.evaluate(
          (url) =>
            harness.start(url, {
              lifecycle: { closeWhenHiddenAfter: 500 },
              backoff: { initialDelay: 5000, jitter: "none" },
            }),
          srv.url("/hidden-close"),
        );
        await log.waitFor("ll-open");
        await srv.waitFor((s) => s.live === 1);

        const from = log.mark();
        const hidden = await hidePage(context, page, log);
        console.log(`visibility driven by: ${hidden.method}`);
        const close = await log.waitFor("ll-close", { from, timeout: limit(5000), label: "the close while hidden" });
        await srv.waitFor((s) => s.upgrades[0].state === "closed", { label: "the server to see the close" });
        const closeMs = close.t - hidden.entry.t;
        console.log(
          `closed ${r(closeMs)} ms after hidden (closeWhenHiddenAfter 500); server saw code ${srv.upgrades[0].closeCode}`,
        );
        assert.equal(srv.upgrades[0].closeCode, 1000, "the server sees a clean close");
        assert.equal(close.code, 1000);
        assert.equal(close.wasClean, true);
        assert.equal(close.willReconnect, true);
        assert.equal(close.delayMs, null, "nothing scheduled while hidden");
        // Hidden timers are aligned to whole seconds in Chromium: up to ~1 s late is normal.
        assert.ok(closeMs >= 480 && closeMs < 4000, `closed ${r(closeMs)} ms after hidden`);

        const hiddenWindow = 2000; // the 5 s backoff is not what keeps it quiet: nothing is scheduled
        await sleep(hiddenWindow);
        assert.equal(log.all("ws", from).length, 0, "no attempt while hidden");
        assert.equal(srv.upgrades.length, 1);

        const from2 = log.mark();
        const visible = await hidden.show();
        const open = await log.waitFor(isOpen, { from: from2, timeout: limit(4000), label: "the reconnection on visible" });
        console.log(`reconnect after visible: ${r(open.t - visible.t)} ms (backoff 5000)`);
        assert.ok(open.t - visible.t < 2000);
        await srv.waitFor((s) => s.connections === 2 && s.live === 1, { label: "the new connection" });
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  // Regression test for a library bug this test found (fixed): Driver::start() feeds Input::Visibility{visible:false}
  // before Input::Start; the pump() after it sees the machine still "closed" with nothing
  // scheduled and drops the lifecycle listeners. A client created in a hidden page (a tab
  // opened in the background) then never hears `visibilitychange` (nor online / offline /
  // pageshow): here it parks after closeWhenHiddenAfter and never comes back.
  test(`${engine}: created while hidden: closeWhenHiddenAfter parks it, visible brings it back`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ context, page, log }) => {
        const hidden = await hidePage(context, page, log);
        console.log(`visibility driven by: ${hidden.method}`);
        const from = log.mark();
        await page.evaluate(
          (url) =>
            harness.start(url, {
              lifecycle: { closeWhenHiddenAfter: 500 },
              backoff: { initialDelay: 5000, jitter: "none" },
            }),
          srv.url("/start-hidden"),
        );
        await log.waitFor("ll-open", { from });
        const close = await log.waitFor("ll-close", { from, timeout: limit(5000), label: "the park while hidden" });
        assert.equal(close.code, 1000);
        const from2 = log.mark();
        const visible = await hidden.show();
        const open = await log.waitFor(isOpen, { from: from2, timeout: limit(2500), label: "the reconnection on visible" });
        console.log(`reconnect after visible (created hidden): ${r(open.t - visible.t)} ms`);
      }, { engine });
    } finally {
      await srv.stop();
    }
  });
}
