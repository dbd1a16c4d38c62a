// Offline / online in a real browser (Playwright's network emulation: context.setOffline()).
//
// What Chromium 156 does with it: `offline` / `online` fire on window and navigator.onLine
// follows; new connections fail; an already open WebSocket is NOT closed by going offline
// (it stays open and a server-side close still reaches the page). So each test drops the
// server side of the connection while offline, which is what a real network change does.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { ENGINES, withPage, limit, sleep, r } from "./browser.mjs";

for (const engine of ENGINES) {
  test(`${engine}: offline: no attempts are made while offline (a short backoff would have made many)`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 200, maxDelay: 200, jitter: "none" } }),
          srv.url("/offline"),
        );
        await log.waitFor("ll-open");

        let from = log.mark();
        await context.setOffline(true);
        await log.waitFor("offline", { from });
        await sleep(100); // let a lost close reach the page if emulation were to cut the socket
        const survived = srv.live === 1 && !log.all("ll-close").length;
        // Does traffic still flow on the old socket? (Informational.)
        from = log.mark();
        await page.evaluate(() => harness.send("still-there?"));
        const echoed = await log.within((e) => e.type === "ll-message" && e.data === "still-there?", limit(1000), { from });
        console.log(
          `${context.offlineMethod ?? "context.setOffline(true)"}: existing WebSocket ${survived ? "survives (still open on both ends)" : "was closed"}` +
            `; traffic on it ${echoed ? "still flows" : "does not flow"}`,
        );

        from = log.mark();
        const upgradesBefore = srv.upgrades.length;
        srv.terminateAll(); // the network change took the connection down
        const close = await log.waitFor("ll-close", { from });
        assert.equal(close.willReconnect, true);
        assert.equal(close.delayMs, null, "no attempt is scheduled while offline");

        const statsBefore = await page.evaluate(() => harness.stats().attempts);
        const windowMs = 2000; // 10 attempts at 200 ms each, were attempts not paused
        await sleep(windowMs);
        const attempts = log.all("ws", from);
        const errors = log.all("ll-error", from);
        console.log(
          `offline window ${windowMs} ms with a 200 ms backoff: ${attempts.length} attempts, ` +
            `${errors.length} errors, ${srv.upgrades.length - upgradesBefore} upgrade requests at the server`,
        );
        assert.equal(attempts.length, 0, "no WebSocket may be constructed while offline");
        assert.equal(errors.length, 0);
        assert.equal(srv.upgrades.length, upgradesBefore);
        assert.equal(await page.evaluate(() => harness.stats().attempts), statsBefore, "no retry was spent");

        from = log.mark();
        await context.setOffline(false);
        const online = await log.waitFor("online", { from });
        const open = await log.waitFor((e) => e.type === "ll-open" || e.type === "ll-reconnect", { from });
        console.log(`reconnect after online: ${r(open.t - online.t)} ms`);
        await srv.waitFor((s) => s.live === 1, { timeout: limit(5000), label: "the reconnection" });
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  test(`${engine}: online: the client reconnects at once, not at the end of its 5 s backoff`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 5000, jitter: "none" } }),
          srv.url("/online"),
        );
        await log.waitFor("ll-open");

        let from = log.mark();
        await context.setOffline(true);
        await log.waitFor("offline", { from });
        srv.terminateAll();
        const close = await log.waitFor("ll-close", { from });
        assert.equal(close.delayMs, null);
        await sleep(500); // offline for a while

        from = log.mark();
        const upgradesBefore = srv.upgrades.length;
        await context.setOffline(false);
        const online = await log.waitFor("online", { from });
        const open = await log.waitFor((e) => e.type === "ll-open" || e.type === "ll-reconnect", {
          from,
          timeout: limit(4000), // the backoff alone would take 5000 ms
          label: "reconnect after online",
        });
        const delay = open.t - online.t;
        console.log(`reconnect after online: ${r(delay)} ms (backoff would have waited 5000 ms)`);
        assert.ok(delay < 2000, `reconnected ${r(delay)} ms after online; expected at once`);
        assert.equal(log.all("ws", from).length, 1, "exactly one attempt after online");
        await srv.waitFor((s) => s.upgrades.length === upgradesBefore + 1 && s.live === 1, {
          timeout: limit(5000),
          label: "one new connection",
        });
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  // Regression test for a library bug this test found (fixed): Driver::start() feeds Input::Offline before Input::Start;
  // the pump() after it sees the machine still "closed" with nothing scheduled and drops the
  // lifecycle listeners, so the `online` event never reaches the core and the client waits
  // for good.
  test(`${engine}: offline at start (navigator.onLine false): waits without attempting, connects on online`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ context, page, log }) => {
        let from = log.mark();
        await context.setOffline(true);
        await log.waitFor("offline", { from });
        from = log.mark();
        const state = await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 5000, jitter: "none" } }),
          srv.url("/start-offline"),
        );
        assert.equal(state, "waiting", "starts waiting for the network");
        await sleep(1000);
        assert.equal(log.all("ws", from).length, 0, "no attempt while offline");
        assert.equal(srv.upgrades.length, 0);

        from = log.mark();
        await context.setOffline(false);
        const online = await log.waitFor("online", { from });
        const open = await log.waitFor("ll-open", { from, timeout: limit(2500), label: "open after online" });
        console.log(`first connection after online (started offline): ${r(open.t - online.t)} ms`);
        assert.ok(open.t - online.t < 2000);
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  // Regression test for a library bug this test found (fixed): the lifecycle listeners are dropped when the client
  // closes for good (close(), giveup) and reconnect() adds them again, but nothing tells the
  // core what changed meanwhile: it still believes it is online, so reconnect() while
  // offline makes attempts (and spends retries) although navigator.onLine is false.
  // Steps: open, close(), setOffline(true), reconnect() with backoff 200 ms. Expected: no
  // attempt until `online` (as for a client that saw the `offline` event). Actual: an attempt
  // at once, then one every 200 ms, each an `error`.
  test(`${engine}: reconnect() after close() while offline: waits for the network instead of attempting`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 200, maxDelay: 200, jitter: "none" } }),
          srv.url("/reconnect-offline"),
        );
        await log.waitFor("ll-open");
        let from = log.mark();
        await page.evaluate(() => harness.close());
        await log.waitFor((e) => e.type === "ll-close" && e.willReconnect === false, { from });
        await context.setOffline(true);
        await log.waitFor("offline", { from });

        from = log.mark();
        await page.evaluate(() => harness.socket.reconnect());
        await sleep(1000);
        const attempts = log.all("ws", from).length;
        console.log(`reconnect() while offline: ${attempts} attempts in 1000 ms (backoff 200 ms)`);
        assert.equal(attempts, 0, "no attempt while offline");

        from = log.mark();
        await context.setOffline(false);
        await log.waitFor((e) => e.type === "ll-open" || e.type === "ll-reconnect", {
          from,
          timeout: limit(2500),
          label: "connected after online",
        });
      }, { engine });
    } finally {
      await srv.stop();
    }
  });
}
