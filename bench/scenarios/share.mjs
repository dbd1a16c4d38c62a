// share (issue 18): N = 1, 4 and 8 pages of one headless Chromium profile, each with a
// LifelineSocket on one server, with `share` and without. The pages are the browser tests'
// fixture (tests/browser/pages/share.html, the repository's dist/ as `npm run bench` built
// it), driven by playwright-core over CDP (tests/browser/browser.mjs).
//   connections   server connections with every page open
//   restart       the server drops every connection and refuses new ones for 300 ms: the
//                 handshakes it answers from then until every page is back
//   heap          JS heap used per page (CDP Runtime.getHeapUsage after a GC), median of the pages
//   delay         MESSAGES messages pushed at a steady pace (PACE per 10 ms), each stamped with
//                 the server's clock: its delay to the page's listener (both clocks are
//                 performance.timeOrigin + now()), median and p95, leader against followers
//   burst         BURST messages written at once: first to last in each page, as messages/s
// Measurements, not tests; about a minute.

import { launch } from "../../tests/browser/browser.mjs";
import { startSite } from "../../tests/browser/http-server.mjs";
import { startLog } from "../../tests/browser/share-log.mjs";
import { startServer } from "../../tests/support/server.mjs";
import { median, num, quantile, sleep, table } from "../lib.mjs";

const SIZES = [1, 4, 8];
const MESSAGES = 1000;
const PACE = 10;
const BURST = 4000;
const stamp = () => performance.timeOrigin + performance.now();

async function until(predicate, label, timeout = 20000) {
  const end = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`bench share: timed out waiting for ${label}`);
    await sleep(20);
  }
}

async function measure(b, site, n, share) {
  const srv = await startServer({ echo: false });
  const log = await startLog();
  const pages = [];
  try {
    const id = (i) => `${share ? "s" : "a"}${n}-${i}`;
    for (let i = 0; i < n; i++) {
      const page = await b.context.newPage();
      const key = share ? `&key=bench${n}` : "";
      await page.goto(site.url(`/pages/share.html?ws=${encodeURIComponent(srv.url("/bench"))}${key}&id=${id(i)}&log=${encodeURIComponent(log.url)}`));
      pages.push(page);
    }
    const ids = pages.map((_, i) => id(i));
    await until(() => ids.every((p) => log.of(p, "open").length == 1), "every page open");
    const connections = srv.upgrades.length;
    const roles = await Promise.all(pages.map((p) => p.evaluate(() => share.stats.share ?? "own")));

    // Delay at a steady pace, then a burst.
    const counts = () => Promise.all(pages.map((p) => p.evaluate(() => share.count())));
    const take = () => Promise.all(pages.map((p) => p.evaluate(() => share.bench())));
    await take();
    for (let i = 0; i < MESSAGES; i += PACE) {
      for (let j = 0; j < PACE; j++) srv.broadcast(`b:${stamp()}:${i + j}`);
      await sleep(10);
    }
    await until(async () => (await counts()).every((c) => c >= MESSAGES), "the paced messages in every page");
    const paced = await take();
    for (let i = 0; i < BURST; i++) srv.broadcast(`b:${stamp()}:${i}`);
    await until(async () => (await counts()).every((c) => c >= BURST), "the burst in every page", 30000);
    const burst = await take();

    // Heap per page.
    const heap = [];
    for (const page of pages) {
      const cdp = await b.context.newCDPSession(page);
      await cdp.send("HeapProfiler.collectGarbage");
      heap.push((await cdp.send("Runtime.getHeapUsage")).usedSize);
      await cdp.detach();
    }

    // The server restarts.
    await srv.refuse();
    await sleep(300);
    const resumedAt = Date.now();
    srv.resume();
    await until(() => ids.every((p) => log.of(p, "reconnect").length >= 1), "every page back");
    await sleep(200);
    const handshakes = srv.upgrades.filter((u) => u.t >= resumedAt).length;

    const byRole = (role, list, f) => list.filter((_, i) => roles[i] == role).flatMap(f);
    return { n, share, roles, connections, handshakes, heap, paced, burst, byRole };
  } finally {
    for (const p of pages) await p.close().catch(() => {});
    await log.stop();
    await srv.stop();
  }
}

export async function run(ctx) {
  const site = await startSite();
  const b = await launch({ extraArgs: ["--disable-background-timer-throttling"] });
  const rows = [];
  const raw = [];
  try {
    for (const n of SIZES)
      for (const share of [false, true]) {
        const r = await measure(b, site, n, share);
        const role = (name) => ({
          delays: r.byRole(name, r.paced, (x) => x.delays),
          rates: r.byRole(name, r.burst, (x) => [(x.n / (x.last - x.first)) * 1000]),
        });
        const lead = share ? role("leader") : role("own");
        const follow = share ? role("follower") : { delays: [], rates: [] };
        const d = (x) => (x.length ? `${num(median(x), 2)} / ${num(quantile(x, 0.95), 2)}` : "–");
        const rate = (x) => (x.length ? num(median(x)) : "–");
        rows.push([
          `${n} page${n > 1 ? "s" : ""}, ${share ? "share" : "no share"}`,
          num(r.connections),
          num(r.handshakes),
          num(median(r.heap) / 1024, 0) + " KB",
          d(lead.delays),
          d(follow.delays),
          rate(lead.rates),
          rate(follow.rates),
        ]);
        raw.push({ n, share, connections: r.connections, handshakes: r.handshakes, heap: r.heap, roles: r.roles, lead, follow });
        ctx.log(`  share: ${n} pages, ${share ? "share" : "no share"}: ${r.connections} connections, ${r.handshakes} handshakes after the restart`);
      }
  } finally {
    await b.close();
    await site.stop();
  }
  const markdown = table(
    [
      "pages",
      "server connections",
      "handshakes after a restart",
      "JS heap per page (median)",
      "delay, ms: leader (or own socket), median / p95",
      "delay, ms: followers",
      `burst of ${num(BURST)}: messages/s, leader (or own)`,
      "followers",
    ],
    rows,
    ["l", "r", "r", "r", "r", "r", "r", "r"],
  );
  ctx.log(markdown);
  return { runs: raw, markdown };
}
