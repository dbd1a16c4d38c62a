// The basics in every engine (Chromium, Firefox ESR, WebKitGTK): the page's LifelineSocket
// against the fault server — an echo, a server close (4000) and the reconnection after it,
// and a mute server (pings unanswered) detected by the heartbeat and replaced.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { ENGINES, withPage, limit, r } from "./browser.mjs";

const isOpen = (e) => e.type === "ll-open" || e.type === "ll-reconnect";
const message = (data) => (e) => e.type === "ll-message" && e.data === data;

for (const engine of ENGINES) {
  test(`${engine}: echo, a server close 4000 and the reconnection after it, close() for good`, async () => {
    const srv = await startServer({ echo: true });
    try {
      await withPage(async ({ page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 100, jitter: "none" } }),
          srv.url("/basics"),
        );
        const open = await log.waitFor("ll-open");
        await page.evaluate(() => harness.send("hello"));
        const echo = await log.waitFor(message("hello"), { label: "the echo of hello" });

        let from = log.mark();
        await srv.closeAll(4000, "bye");
        const close = await log.waitFor("ll-close", { from });
        assert.equal(close.code, 4000);
        assert.equal(close.reason, "bye");
        assert.equal(close.wasClean, true);
        assert.equal(close.willReconnect, true);
        assert.equal(close.delayMs, 100);
        const again = await log.waitFor("ll-reconnect", { from, timeout: limit(5000), label: "the reconnection" });
        assert.equal(again.attempt, 1);
        await page.evaluate(() => harness.send("again"));
        await log.waitFor(message("again"), { from, label: "the echo of again" });
        assert.deepEqual(srv.messages, ["hello", "again"]);

        from = log.mark();
        await page.evaluate(() => harness.close());
        const final = await log.waitFor("ll-close", { from, label: "the final close" });
        assert.equal(final.willReconnect, false);
        await srv.waitFor((s) => s.live === 0, { label: "the server to see the close" });
        assert.equal(await page.evaluate(() => harness.state()), "closed");
        console.log(
          `${engine}: open at ${r(open.t)} ms (page clock), echo in ${r(echo.t - open.t)} ms; ` +
            `close 4000 → reconnect #${again.attempt} after ${r(again.downtimeMs)} ms down (backoff 100); ` +
            `final close, server saw ${srv.upgrades[1].closeCode}`,
        );
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  test(`${engine}: a mute server (pings unanswered) is detected by the heartbeat and the connection replaced`, async () => {
    const srv = await startServer({ echo: false, pong: true });
    try {
      await withPage(async ({ page, log }) => {
        await page.evaluate(
          (url) =>
            harness.start(url, {
              heartbeat: { interval: 300, timeout: 700 },
              backoff: { initialDelay: 100, jitter: "none" },
            }),
          srv.url("/mute"),
        );
        await log.waitFor("ll-open");
        await log.waitFor("ll-heartbeat", { timeout: limit(3000), label: "a heartbeat while the server answers" });

        const from = log.mark();
        srv.set({ mute: true });
        const mutedAt = await page.evaluate(() => performance.now());
        const close = await log.waitFor("ll-close", { from, timeout: limit(5000), label: "the dead connection's close" });
        srv.set({ mute: false });
        const detectMs = close.t - mutedAt;
        assert.equal(close.code, 1006);
        assert.equal(close.willReconnect, true);
        // At most one interval to the next ping, then the pong timeout (plus timer slack).
        assert.ok(detectMs >= 600 && detectMs < 2500, `detected ${r(detectMs)} ms after the mute`);
        const again = await log.waitFor(isOpen, { from, timeout: limit(5000), label: "the new connection" });
        await log.waitFor("ll-heartbeat", { from: log.entries.indexOf(again), timeout: limit(3000), label: "a heartbeat on the new connection" });
        await srv.waitFor((s) => s.connections === 2 && s.live === 1, { label: "one live connection at the server" });
        console.log(
          `mute detected after ${r(detectMs)} ms (interval 300 + timeout 700, reason "${close.reason}"); ` +
            `connected again ${r(again.t - close.t)} ms later`,
        );
      }, { engine });
    } finally {
      await srv.stop();
    }
  });
}
