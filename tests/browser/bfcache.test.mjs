// Back/forward cache in a real browser: navigate to a page on a second origin, then
// page.goBack().
//
// What headless Chromium 156 does: Playwright's chromium.launch() passes
// --disable-back-forward-cache, so these tests run a Chromium started without it (see
// browser.mjs); there the cache works on http://127.0.0.1 pages: going back restores the
// page with `resume`, `visibilitychange` (visible) and `pageshow` with persisted=true, in
// that order, and without a `load` event (so goBack waits for "commit"). A page with an
// open WebSocket is admitted too, but Chromium closes that socket on restore (the server
// gets 1001 "going away", the page `error` + `close` 1006), right AFTER pageshow.
// When a page is not restored from the cache (persisted=false), the test says why
// (Page.backForwardCacheNotUsed) and falls back to synthetic PageTransitionEvents.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { ENGINES, withPage, limit, sleep, r } from "./browser.mjs";

const isOpen = (e) => e.type === "ll-open" || e.type === "ll-reconnect";

/**
 * Navigates `page` to the second origin and back. Resolves with { persisted, reasons,
 * resume, pageshow } (`resume` / `pageshow`: the restored page's log entries).
 */
async function awayAndBack(context, site, page, log, { whileAway = async () => {} } = {}) {
  // Chromium says why a page was not restored from the cache (CDP); the WebDriver engines do not.
  const cdp = context.webdriver ? null : await context.newCDPSession(page);
  const reasons = [];
  cdp?.on("Page.backForwardCacheNotUsed", (e) =>
    reasons.push(...(e.notRestoredExplanations ?? []).map((x) => `${x.type}:${x.reason}`)),
  );
  await cdp?.send("Page.enable");
  await page.goto(site.url("/pages/away.html", 1), { timeout: limit(15000) });
  await whileAway();
  const from = log.mark();
  // A page restored from the cache fires no `load`: wait for the commit, then for pageshow.
  await page.goBack({ waitUntil: "commit", timeout: limit(15000) });
  const pageshow = await log.waitFor("pageshow", { from, label: "pageshow after goBack" });
  const resume = log.all("resume", from)[0];
  await cdp?.detach().catch(() => {});
  return { persisted: pageshow.persisted, reasons, pageshow, resume, from };
}

for (const engine of ENGINES) {
  test(`${engine}: closeOnPageHide: leaving closes the socket (1000), the page enters the bfcache, going back reconnects at once`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ site, context, page, log }) => {
        // This run's connections only: withPage runs this once more, in a fresh browser, when
        // a WebDriver engine did not navigate, and the server has seen the first run's.
        const first = srv.upgrades.length;
        const options = {
          lifecycle: { closeOnPageHide: true },
          backoff: { initialDelay: 5000, jitter: "none" },
        };
        await page.evaluate(([url, o]) => harness.start(url, o), [srv.url("/bfcache"), options]);
        await log.waitFor("ll-open");

        let upgradesAway = 0;
        const back = await awayAndBack(context, site, page, log, {
          whileAway: async () => {
            await srv.waitFor((s) => s.upgrades[first].state === "closed", { label: "the server to see the socket closed" });
            await sleep(500);
            upgradesAway = srv.upgrades.length - first;
          },
        });
        // Firefox ESR 153 keeps a page that had an open WebSocket out of the cache even when
        // the socket is closed on pagehide, and closes it itself as it unloads the page (1001).
        if (back.persisted || engine === "chromium")
          assert.equal(srv.upgrades[first].closeCode, 1000, "closed cleanly when the page was left");
        assert.equal(upgradesAway, 1, "no attempt while in the cache");

        if (back.persisted) {
          const open = await log.waitFor(isOpen, { from: back.from, timeout: limit(3000), label: "the reconnection" });
          const start = back.resume ?? back.pageshow;
          console.log(
            `bfcache: real (pageshow persisted=${back.pageshow.persisted}); server saw close ${srv.upgrades[first].closeCode} when the page was left; ` +
              `connected again ${r(open.t - start.t)} ms after the page was restored (${back.resume ? "resume" : "pageshow"}), ` +
              `${r(open.t - back.pageshow.t)} ms after pageshow (backoff 5000)`,
          );
          assert.ok(open.t - start.t < 1000);
        } else {
          // Not restored from the cache: a fresh page. Prove the rule with synthetic events.
          console.log(
            `bfcache: refused by ${engine} (${back.reasons.join(", ") || "no reason given"}; the server saw close ` +
              `${srv.upgrades[first].closeCode} when the page was left); using synthetic PageTransitionEvents`,
          );
          await page.evaluate(([url, o]) => harness.start(url, o), [srv.url("/bfcache-synthetic"), options]);
          await log.waitFor("ll-open", { from: back.from });
          let from = log.mark();
          await page.evaluate(() => harness.firePageTransition("pagehide", true));
          const close = await log.waitFor("ll-close", { from });
          assert.equal(close.code, 1000);
          from = log.mark();
          await page.evaluate(() => harness.firePageTransition("pageshow", true));
          const show = await log.waitFor("pageshow", { from });
          const open = await log.waitFor(isOpen, { from, timeout: limit(3000) });
          console.log(`synthetic pageshow persisted=true: connected again ${r(open.t - show.t)} ms after (backoff 5000)`);
          assert.ok(open.t - show.t < 1000);
        }
        await srv.waitFor((s) => s.live === 1, { label: "the new connection" });
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  test(`${engine}: without closeOnPageHide, rule: pageshow persisted=true makes a waiting client attempt at once (synthetic PageTransitionEvents), persisted=false does not`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 5000, jitter: "none" } }),
          srv.url("/pageshow"),
        );
        await log.waitFor("ll-open");
        let from = log.mark();
        await page.evaluate(() => harness.firePageTransition("pagehide", true));
        await log.waitFor("pagehide", { from });
        assert.equal(log.all("ll-close", from).length, 0, "pagehide alone closes nothing without the option");
        srv.terminateAll(); // the server dropped it while the page was away
        const close = await log.waitFor("ll-close", { from });
        assert.equal(close.delayMs, 5000);

        from = log.mark();
        await page.evaluate(() => harness.firePageTransition("pageshow", false));
        assert.equal(await log.within("ws", 500, { from }), null, "pageshow persisted=false (a fresh load) checks nothing");

        from = log.mark();
        await page.evaluate(() => harness.firePageTransition("pageshow", true));
        const show = await log.waitFor("pageshow", { from });
        const open = await log.waitFor(isOpen, { from, timeout: limit(3000), label: "the reconnection on pageshow" });
        console.log(`synthetic pageshow persisted=true after a server drop: connected again ${r(open.t - show.t)} ms after (backoff 5000)`);
        assert.ok(open.t - show.t < 1000);
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  // Regression test for a library gap this test found (fixed by the core's RECHECK_WINDOW:
  // a drop within 1 s of the check is retried at once). Same cause as after a CDP freeze (freeze.test.mjs):
  // Chromium delivers the socket's close only after `resume` / `pageshow` have been
  // dispatched (and closes the socket on restore even when the server did not). At pageshow
  // the client still sees an open socket, probes it, and then treats the close as an
  // ordinary disconnection: it waits out its backoff. Steps: no closeOnPageHide, backoff
  // {initialDelay 5000, jitter "none"}; navigate away (the page enters the bfcache with its
  // socket open); the server drops the connection; goBack. Expected (docs/design.md rule 5:
  // "returns from the back/forward cache ... a closed one reconnects now instead of waiting
  // out its backoff"): connected again at once. Actual: close 1006 ~3 ms after pageshow,
  // `reconnecting` with delayMs 5000, connected 5 s later.
  test(`${engine}: without closeOnPageHide, real bfcache: after a server drop while away the client is connected again at once`, async (t) => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ site, context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 5000, jitter: "none" } }),
          srv.url("/bfcache-drop"),
        );
        await log.waitFor("ll-open");
        const back = await awayAndBack(context, site, page, log, {
          whileAway: async () => {
            await sleep(200);
            srv.terminateAll(); // dropped while the page sits in the cache
            await srv.waitFor((s) => s.live === 0);
          },
        });
        console.log(`bfcache: ${back.persisted ? "real (persisted=true)" : `refused (${back.reasons.join(", ")})`}`);
        if (!back.persisted && engine !== "chromium") {
          // A fresh page (Firefox: a page with an open WebSocket is not cached): nothing to
          // restore. The rule itself is covered with synthetic events above.
          t.skip(`${engine} did not keep the page in its back/forward cache (pageshow persisted=false)`);
          return;
        }
        const close = await log.waitFor("ll-close", { from: back.from, timeout: limit(3000) });
        console.log(
          `close ${close.code} ${r(close.t - back.pageshow.t)} ms after pageshow; next attempt in ${close.delayMs} ms`,
        );
        const open = await log.waitFor(isOpen, { from: back.from, timeout: limit(2000), label: "a reconnection at once" });
        console.log(`connected again ${r(open.t - back.pageshow.t)} ms after pageshow`);
        assert.ok(open.t - back.pageshow.t < 1000);
      }, { engine });
    } finally {
      await srv.stop();
    }
  });

  // Real back/forward cache in every engine: a page whose socket is already closed when the
  // user leaves is cacheable in Firefox too (an open WebSocket keeps a page out of Firefox's
  // cache; see above). The client waits out a 5 s backoff meanwhile; pageshow persisted=true
  // must make it attempt at once.
  test(`${engine}: real bfcache, a client waiting out its backoff when the page was left: pageshow persisted=true reconnects it at once`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(async ({ site, context, page, log }) => {
        await page.evaluate(
          (url) => harness.start(url, { backoff: { initialDelay: 5000, jitter: "none" } }),
          srv.url("/bfcache-waiting"),
        );
        await log.waitFor("ll-open");
        const from = log.mark();
        srv.terminateAll();
        const close = await log.waitFor("ll-close", { from });
        assert.equal(close.delayMs, 5000, "waiting out the backoff");
        const back = await awayAndBack(context, site, page, log);
        console.log(
          `bfcache: ${back.persisted ? "real (persisted=true)" : `refused (${back.reasons.join(", ") || "no reason given"})`}; ` +
            `back ${r(back.pageshow.t - close.t)} ms after the close`,
        );
        assert.equal(back.persisted, true, `${engine} restored the page from its back/forward cache; page log: ${log.describe()}`);
        const open = await log.waitFor(isOpen, { from: back.from, timeout: limit(3000), label: "the reconnection on pageshow" });
        console.log(`connected again ${r(open.t - back.pageshow.t)} ms after pageshow (backoff 5000)`);
        assert.ok(open.t - back.pageshow.t < 1000, `connected ${r(open.t - back.pageshow.t)} ms after pageshow; page log: ${log.describe()}`);
        assert.ok(open.t - close.t < 4500, `before the backoff's end; page log: ${log.describe()}`);
        await srv.waitFor((s) => s.live === 1, { label: "the new connection" });
      }, { engine });
    } finally {
      await srv.stop();
    }
  });
}
