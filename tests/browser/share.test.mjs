// `share`: one server connection for the pages of one browser profile, in Chromium
// (playwright-core over CDP), Firefox ESR and WebKitGTK (W3C WebDriver, one window per
// page). Every page (pages/share.html) posts its events, in order, to a log server of this
// test, so that pages in background windows are heard without polling them.
//
// Per engine, with 4 pages: one server connection; each page gets every server message
// once, in order; each page's sends arrive in order, once; the server drops the connection →
// one reconnection, seen by every page as `reconnect`; the leader's page is closed → another
// page leads (the takeover time is printed), and what the pages sent meanwhile arrives;
// Chromium: the leader's page frozen (CDP) → takeover; pages without navigator.locks →
// each connects alone, and stats says so.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { startWebDriver } from "../support/webdriver.mjs";
import { startSite } from "./http-server.mjs";
import { startLog } from "./share-log.mjs";
import { ENGINES, launch, limit, sleep, withTimeout } from "./browser.mjs";

const PAGES = 4;

/**
 * One browser profile with pages in it: { open(url) -> handle, evaluate(handle, fn, arg),
 * close(handle), freeze(handle) (Chromium; null elsewhere), quit() }.
 */
async function startBrowser(engine) {
  if (engine === "chromium") {
    const b = await launch({ extraArgs: ["--disable-background-timer-throttling"] });
    const pages = [];
    return {
      async open(url) {
        const page = await b.context.newPage();
        await page.goto(url, { timeout: limit(30000) });
        pages.push(page);
        return page;
      },
      evaluate: (page, fn, arg) => page.evaluate(fn, arg),
      close: (page) => page.close(),
      async freeze(page) {
        const cdp = await b.context.newCDPSession(page);
        await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
        return cdp;
      },
      cdp: (page) => b.context.newCDPSession(page),
      front: (page) => page.bringToFront(),
      newPage: () => b.context.newPage(),
      quit: () => b.close(),
    };
  }
  const wd = await startWebDriver(engine);
  let first = await wd.cmd("GET", "window");
  let current = first;
  // One WebDriver session drives one window at a time: commands are serialised.
  let chain = Promise.resolve();
  const serial = (f) => (chain = chain.then(f, f));
  const to = async (handle) => {
    if (current !== handle) await wd.cmd("POST", "window", { handle });
    current = handle;
  };
  return {
    open: (url) =>
      serial(async () => {
        let handle = first;
        first = null;
        if (!handle) handle = (await wd.cmd("POST", "window/new", { type: "tab" })).handle;
        await to(handle);
        await wd.navigate(url);
        return handle;
      }),
    evaluate: (handle, fn, arg) =>
      serial(async () => {
        await to(handle);
        return wd.execute(`return (${fn})(arguments[0]);`, [arg ?? null]);
      }),
    close: (handle) =>
      serial(async () => {
        await to(handle);
        await wd.cmd("DELETE", "window");
        current = null;
      }),
    freeze: null,
    quit: () => wd.close(),
  };
}

/** The page that leads now: the last entry of each live page says its role. */
/**
 * Runs `fn({ srv, site, log, b, url })` with a test server (`settings` over { echo: false }),
 * the pages' site, the log server and `engine`'s browser, and stops them all after.
 * `url(id, extra)`: the share page of view `id`, connecting to `path` on the server, `extra`
 * more of its query ("&nolocks", "&opts=…").
 */
async function withShared(engine, path, settings, fn) {
  const srv = await startServer({ echo: false, ...settings });
  const site = await startSite();
  const log = await startLog();
  let b;
  try {
    b = await startBrowser(engine);
    const url = (id, extra = "") =>
      site.url(`/pages/share.html?ws=${encodeURIComponent(srv.url(path))}&key=k&id=${id}&log=${encodeURIComponent(log.url)}${extra}`);
    return await fn({ srv, site, log, b, url });
  } finally {
    await b?.quit().catch((err) => console.error("closing the browser:", err));
    await log.stop();
    await site.stop();
    await srv.stop();
  }
}

function leaderOf(log, live) {
  const leaders = live.filter((p) => log.of(p).at(-1)?.share === "leader");
  return leaders.length === 1 ? leaders[0] : null;
}

const messages = (log, page, prefix) => log.of(page, "message").map((e) => e.data).filter((d) => d?.startsWith(prefix));
const sentBy = (srv, page, tag, from = 0) => srv.received.slice(from).map((m) => m.data).filter((d) => d.startsWith(`${page}:${tag}:`));
const range = (page, tag, n) => Array.from({ length: n }, (_, i) => `${page}:${tag}:${i}`);

for (const engine of ENGINES) {
  test(`${engine}: ${PAGES} pages share one connection: every message once and in order, sends in order, one reconnect after a drop, takeover when the leader's page closes`, { timeout: limit(180000) }, async () => {
    await withShared(engine, "/share", {}, async ({ srv, site, log, b, url }) => {
      const ids = Array.from({ length: PAGES }, (_, i) => `p${i}`);
      const handles = {};
      for (const id of ids) handles[id] = await b.open(url(id));
      await log.until(() => ids.every((p) => log.of(p, "open").length === 1), "every page open");
      await log.until(() => leaderOf(log, ids), "one leader");
      assert.equal(srv.upgrades.length, 1, "one server connection for all pages");
      const roles = ids.map((p) => log.of(p).at(-1).share).sort();
      assert.deepEqual(roles, ["follower", "follower", "follower", "leader"]);

      // Server messages: every page, once, in order.
      for (let i = 0; i < 50; i++) srv.broadcast(`m${i}`);
      const expected = Array.from({ length: 50 }, (_, i) => `m${i}`);
      await log.until(() => ids.every((p) => messages(log, p, "m").length >= 50), "50 messages in every page");
      await sleep(100); // a duplicate would come within this
      for (const p of ids) assert.deepEqual(messages(log, p, "m"), expected, `${p}: every message once, in order`);

      // Sends from every page: in order per page, once.
      srv.broadcast("cmd:send:20:a");
      await srv.waitFor((s) => ids.every((p) => sentBy(s, p, "a").length >= 20), { timeout: limit(10000), label: "80 sends at the server" });
      await sleep(100);
      for (const p of ids) assert.deepEqual(sentBy(srv, p, "a"), range(p, "a", 20), `${p}'s sends in order, once`);

      // The server drops the connection: one reconnection, `reconnect` in every page.
      const before = log.entries.length;
      srv.terminateAll();
      await log.until(() => ids.every((p) => log.of(p, "reconnect").length === 1), "reconnect in every page");
      await sleep(200);
      assert.equal(srv.upgrades.length, 2, "one reconnection for all pages");
      for (const p of ids) {
        const after = log.entries.slice(before).filter((e) => e.page === p);
        assert.equal(after.filter((e) => e.type === "close").length, 1, `${p}: one close`);
        assert.equal(after.filter((e) => e.type === "open").length, 0, `${p}: no second open`);
      }

      // The leader's page closes; the others send while no page leads.
      const leader = leaderOf(log, ids);
      const live = ids.filter((p) => p !== leader);
      const upgrades = srv.upgrades.length;
      const closedAt = Date.now();
      await b.close(handles[leader]);
      await Promise.all(live.map((p) => b.evaluate(handles[p], (tag) => share.burst(tag, 10), "t")));
      await log.until(() => leaderOf(log, live), "a new leader");
      await srv.waitFor((s) => s.upgrades.length > upgrades && s.upgrades.at(-1).state === "connected", {
        timeout: limit(10000),
        label: "the new leader's connection",
      });
      const electedAt = log.entries.find((e) => e.at >= closedAt && e.share === "leader" && live.includes(e.page))?.at;
      const connectedAt = srv.upgrades.at(-1).t;
      await log.until(() => live.every((p) => log.of(p, "reconnect").length === 2), "reconnect in every remaining page");
      await srv.waitFor((s) => live.every((p) => sentBy(s, p, "t").length >= 10), { timeout: limit(10000), label: "the sends made during the takeover" });
      for (const p of live) assert.deepEqual(sentBy(srv, p, "t"), range(p, "t", 10), `${p}: the sends made during the takeover, in order, once`);
      srv.broadcast("after");
      await log.until(() => live.every((p) => messages(log, p, "after").length === 1), "a message after the takeover");
      await sleep(100);
      for (const p of live) assert.equal(messages(log, p, "after").length, 1);
      console.log(
        `${engine}: takeover after the leader's page closed: new leader ${electedAt - closedAt} ms after the close command, ` +
          `its connection at the server ${connectedAt - closedAt} ms after (${srv.upgrades.length - upgrades} new connection)`,
      );
      assert.equal(srv.upgrades.length, upgrades + 1, "one new connection for the remaining pages");
      assert.ok(electedAt - closedAt < limit(1000), `elected ${electedAt - closedAt} ms after the close`);
    });
  });

  test(`${engine}: a page, its Worker and another page share one connection`, { timeout: limit(120000) }, async () => {
    await withShared(engine, "/worker", {}, async ({ srv, site, log, b, url }) => {
      const w0 = await b.open(url("w0", "&worker"));
      await b.open(url("w1"));
      const ids = ["w0", "w0w", "w1"];
      await log.until(() => ids.every((p) => log.of(p, "open").length === 1), "the pages and the Worker open");
      assert.equal(srv.upgrades.length, 1, "one connection");
      for (let i = 0; i < 10; i++) srv.broadcast(`m${i}`);
      srv.broadcast("cmd:send:5:w");
      await log.until(() => ids.every((p) => messages(log, p, "m").length >= 10), "the messages everywhere");
      await srv.waitFor((s) => ids.every((p) => sentBy(s, p, "w").length >= 5), { label: "the sends of the pages and the Worker" });
      await sleep(100);
      const expected = Array.from({ length: 10 }, (_, i) => `m${i}`);
      for (const p of ids) assert.deepEqual(messages(log, p, "m"), expected, `${p}: once, in order`);
      for (const p of ids) assert.deepEqual(sentBy(srv, p, "w"), range(p, "w", 5), `${p}'s sends, in order, once`);
      void w0;
    });
  });

  test(`${engine}: pages without navigator.locks connect on their own, and stats says so`, { timeout: limit(120000) }, async () => {
    await withShared(engine, "/alone", {}, async ({ srv, site, log, b, url: shared }) => {
      const url = (id) => shared(id, "&nolocks");
      for (const id of ["a0", "a1"]) await b.open(url(id));
      await log.until(() => ["a0", "a1"].every((p) => log.of(p, "open").length === 1), "both pages open");
      assert.equal(srv.upgrades.length, 2, "a connection per page");
      for (const p of ["a0", "a1"]) assert.equal(log.of(p, "loaded")[0].stats.share, "unavailable");
      for (const p of ["a0", "a1"]) assert.equal(log.of(p, "open")[0].share, "unavailable");
    });
  });
}

if (ENGINES.includes("chromium")) {
  test("chromium: the leader's page frozen (CDP): another page leads, nothing is delivered twice", { timeout: limit(120000) }, async () => {
    await withShared("chromium", "/frozen", {}, async ({ srv, site, log, b, url }) => {
      const ids = ["f0", "f1", "f2"];
      const pages = {};
      for (const id of ids) pages[id] = await b.open(url(id));
      await log.until(() => ids.every((p) => log.of(p, "open").length === 1), "every page open");
      await log.until(() => leaderOf(log, ids), "one leader");
      const leader = leaderOf(log, ids);
      const live = ids.filter((p) => p !== leader);
      const upgrades = srv.upgrades.length;
      const frozenAt = Date.now();
      const cdp = await b.freeze(pages[leader]);
      await log.until(() => leaderOf(log, live), "a new leader");
      await srv.waitFor((s) => s.upgrades.length > upgrades && s.upgrades.at(-1).state === "connected", {
        timeout: limit(10000),
        label: "the new leader's connection",
      });
      const electedAt = log.entries.find((e) => e.at >= frozenAt && e.share === "leader" && live.includes(e.page)).at;
      console.log(
        `chromium: takeover from a frozen leader: new leader ${electedAt - frozenAt} ms after the freeze command, ` +
          `its connection at the server ${srv.upgrades.at(-1).t - frozenAt} ms after`,
      );
      // Messages now reach every page once, the frozen one when it runs again.
      for (let i = 0; i < 10; i++) srv.broadcast(`z${i}`);
      await log.until(() => live.every((p) => messages(log, p, "z").length >= 10), "the messages in the live pages");
      await cdp.send("Page.setWebLifecycleState", { state: "active" });
      await log.until(() => messages(log, leader, "z").length >= 10, "the messages in the page that was frozen");
      await sleep(300);
      const expected = Array.from({ length: 10 }, (_, i) => `z${i}`);
      for (const p of ids) assert.deepEqual(messages(log, p, "z"), expected, `${p}: once, in order`);
      assert.equal(srv.live?.size ?? srv.clients.size, 1, "one live connection");
    });
  });
}

if (ENGINES.includes("chromium")) {
  test("chromium: closeWhenHiddenAfter: a hidden leader keeps the connection while another page is visible, parks it when every page is hidden, and a follower made visible brings it back", { timeout: limit(120000) }, async () => {
    await withShared("chromium", "/hidden", {}, async ({ srv, site, log, b, url: shared }) => {
      const opts = encodeURIComponent(JSON.stringify({ lifecycle: { closeWhenHiddenAfter: 300 } }));
      const url = (id) => shared(id, `&opts=${opts}`);
      const p0 = await b.open(url("h0"));
      await log.until(() => log.of("h0", "open").length === 1 && leaderOf(log, ["h0"]), "the first page open, leading");
      const p1 = await b.open(url("h1"));
      await b.front(p1);
      await log.until(() => log.of("h1", "open").length === 1, "the second page open");
      await log.until(() => log.of("h0", "visibilitychange").length >= 1, "the leader's page hidden");
      await sleep(1000); // closeWhenHiddenAfter (300 ms) would have parked it by now
      assert.equal(log.of("h0", "close").length + log.of("h1", "close").length, 0, "no close while a page is visible");
      assert.equal(srv.clients.size, 1);
      assert.equal(srv.upgrades.length, 1);

      // Every page hidden: the connection is parked after 300 ms.
      const other = await b.newPage();
      await other.bringToFront();
      const hiddenAt = Date.now();
      await log.until(() => ["h0", "h1"].every((p) => log.of(p, "close").length === 1), "the connection parked");
      await srv.waitFor((s) => s.clients.size === 0, { label: "the server's connection closed" });
      console.log(`chromium: every page hidden: the shared connection parked ${log.of("h0", "close")[0].at - hiddenAt} ms later`);

      // The follower's page visible again: the leader (still hidden) connects.
      await b.front(p1);
      await log.until(() => ["h0", "h1"].every((p) => log.of(p, "reconnect").length === 1), "reconnect in both pages");
      assert.equal(srv.upgrades.length, 2);
      void p0;
    });
  });
}

if (ENGINES.includes("chromium")) {
  test("chromium: a leader whose main thread is held (no freeze event) stops acknowledging; a follower takes the lock over, and no page gets a message twice", { timeout: limit(120000) }, async () => {
    await withShared("chromium", "/held", {}, async ({ srv, site, log, b, url }) => {
      const ids = ["s0", "s1", "s2"];
      const pages = {};
      for (const id of ids) pages[id] = await b.open(url(id));
      await log.until(() => ids.every((p) => log.of(p, "open").length === 1) && leaderOf(log, ids), "every page open, one leader");
      const leader = leaderOf(log, ids);
      const live = ids.filter((p) => p !== leader);
      const heldFor = 5000;
      const heldAt = Date.now();
      const held = pages[leader].evaluate((ms) => {
        const end = Date.now() + ms;
        while (Date.now() < end);
      }, heldFor);
      held.catch(() => {});
      await sleep(100);
      await b.evaluate(pages[live[0]], (tag) => share.burst(tag, 3), "h");
      await log.until(() => leaderOf(log, live), "a follower leading", limit(heldFor));
      const electedAt = log.entries.find((e) => e.at >= heldAt && e.share === "leader" && live.includes(e.page)).at;
      await srv.waitFor((s) => s.upgrades.length === 2 && s.upgrades[1].state === "connected", { label: "the new connection" });
      console.log(`chromium: a leader held: a follower took over ${electedAt - heldAt - 100} ms after its unacknowledged send`);
      for (let i = 0; i < 10; i++) srv.broadcast(`w${i}`); // to both connections while the old one lasts
      await log.until(() => live.every((p) => messages(log, p, "w").length >= 10), "the messages in the live pages");
      await held;
      await log.until(() => messages(log, leader, "w").length >= 10, "the messages in the page that was held", limit(10000));
      await srv.waitFor((s) => s.clients.size === 1, { label: "the old leader's connection closed" });
      await sleep(300);
      const expected = Array.from({ length: 10 }, (_, i) => `w${i}`);
      for (const p of ids) assert.deepEqual(messages(log, p, "w"), expected, `${p}: once, in order`);
      assert.deepEqual([...new Set(sentBy(srv, live[0], "h"))], range(live[0], "h", 3), "the sends arrive (at least once: the held leader may have sent them too)");
      assert.equal(log.of(leader).at(-1).share, "follower");
    });
  });
}

if (ENGINES.includes("chromium")) {
  test("chromium: a follower's page made visible makes the hidden leader probe the shared connection", { timeout: limit(120000) }, async () => {
    await withShared("chromium", "/probe", { pong: true }, async ({ srv, site, log, b, url: shared }) => {
      // Pings every 30 s: a ping within the test is a probe.
      const opts = encodeURIComponent(JSON.stringify({ heartbeat: { interval: 30000, timeout: 5000 } }));
      const url = (id) => shared(id, `&opts=${opts}`);
      await b.open(url("v0"));
      await log.until(() => log.of("v0", "open").length === 1 && leaderOf(log, ["v0"]), "the first page open, leading");
      const p1 = await b.open(url("v1"));
      await log.until(() => log.of("v1", "open").length === 1, "the second page open");
      const other = await b.newPage();
      await other.bringToFront();
      await log.until(() => log.of("v1", "visibilitychange").length >= 1, "the follower's page hidden");
      await sleep(300);
      const pings = () => srv.received.filter((m) => m.data === "ping").length;
      const before = pings();
      const shownAt = Date.now();
      await b.front(p1);
      await srv.waitFor(() => pings() > before, { timeout: limit(3000), label: "the leader's probe" });
      const probe = srv.received.filter((m) => m.data === "ping").at(-1);
      console.log(`chromium: a follower made visible: the leader's probe reached the server ${probe.t - shownAt} ms after bringToFront`);
      await log.until(() => log.of("v1", "heartbeat").length >= 1, "the probe's answer as a heartbeat in the follower");
      assert.equal(srv.upgrades.length, 1);
    });
  });
}

if (ENGINES.includes("chromium")) {
  for (const how of ["navigates away", "crashes"]) {
    test(`chromium: the leader's page ${how}: another page leads, with one new connection, and nothing is delivered twice`, { timeout: limit(120000) }, async () => {
      await withShared("chromium", "/gone", {}, async ({ srv, site, log, b, url }) => {
        const ids = ["g0", "g1", "g2"];
        const pages = {};
        for (const id of ids) pages[id] = await b.open(url(id));
        await log.until(() => ids.every((p) => log.of(p, "open").length === 1) && leaderOf(log, ids), "every page open, one leader");
        const leader = leaderOf(log, ids);
        const live = ids.filter((p) => p !== leader);
        const at = Date.now();
        if (how === "crashes") {
          const cdp = await b.cdp(pages[leader]);
          cdp.send("Page.crash").catch(() => {}); // answers never: the page is gone
        } else await pages[leader].goto(site.url("/pages/away.html"));
        await log.until(() => leaderOf(log, live), "a new leader");
        await srv.waitFor((s) => s.upgrades.length === 2 && s.upgrades[1].state === "connected", { label: "the new connection" });
        const electedAt = log.entries.find((e) => e.at >= at && e.share === "leader" && live.includes(e.page)).at;
        console.log(`chromium: the leader's page ${how}: new leader ${electedAt - at} ms later, its connection at the server ${srv.upgrades[1].t - at} ms`);
        for (let i = 0; i < 10; i++) srv.broadcast(`n${i}`);
        await log.until(() => live.every((p) => messages(log, p, "n").length >= 10), "the messages in the live pages");
        await sleep(200);
        const expected = Array.from({ length: 10 }, (_, i) => `n${i}`);
        for (const p of live) assert.deepEqual(messages(log, p, "n"), expected, `${p}: once, in order`);
        for (const p of live) assert.equal(log.of(p, "reconnect").length, 1, `${p}: one reconnect`);
        assert.equal(srv.clients.size, 1);
      });
    });
  }
}
