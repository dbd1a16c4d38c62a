// Chromium for the browser lifecycle tests, and the Node side of the page harness.
//
// Why Chromium is not started with `chromium.launch()` by default: Playwright turns on focus
// emulation (`Emulation.setFocusEmulationEnabled`) for every page it creates, and in
// Chromium that holds a capturer count on the page, which keeps it "visible" for good: in
// headless Chromium 156 under `chromium.launch()`, neither a second tab brought to front
// nor `Page.setWebLifecycleState {state: "frozen"}` changes `document.visibilityState`, the
// freeze is a no-op (timers keep running, no `freeze` / `resume` events), and
// `--disable-back-forward-cache` (a Playwright default) keeps pages out of the
// back/forward cache. So by default the tests start /usr/bin/chromium themselves (headless,
// the same flags, `--remote-debugging-port=0`) and attach playwright-core with
// `chromium.connectOverCDP(endpoint, { noDefaults: true })`, which leaves focus emulation
// off in the default context: there a second tab hides the page for real, a CDP freeze
// freezes it (visibilitychange hidden, `freeze`, timers held, `resume`), and the
// back/forward cache works (pageshow persisted=true).
//
// LIFELINE_BROWSER_LAUNCH=playwright uses `chromium.launch()` instead; the helpers below
// then fall back to synthetic events (and say so), and the freeze tests skip.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import { chromium } from "playwright-core";
import { startSite } from "./http-server.mjs";
import { selectedEngines, startWebDriver } from "../support/webdriver.mjs";

/**
 * The engines these tests run in (LIFELINE_BROWSERS=chromium,firefox,webkit; default all):
 * Chromium through playwright-core, Firefox ESR and WebKitGTK through W3C WebDriver
 * (tests/support/webdriver.mjs).
 */
export const ENGINES = selectedEngines();

export const CHROMIUM = process.env.LIFELINE_CHROMIUM || "/usr/bin/chromium";
export const BASE_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
export const LAUNCH_MODE = process.env.LIFELINE_BROWSER_LAUNCH === "playwright" ? "playwright" : "cdp";

/** Scale for the waits' limits (not for the bounds the tests assert): LIFELINE_E2E_TIME_SCALE. */
export const SCALE = Number(process.env.LIFELINE_E2E_TIME_SCALE || 1);
export const limit = (n) => Math.round(n * SCALE);

/** A plain delay: only for "nothing may happen during this time" windows. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reject after `timeout` ms unless `promise` settles first. */
export function withTimeout(promise, timeout, label) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms: ${label}`)), timeout);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Starts Chromium. Returns { mode, browser, context, close() }: `context` is where pages
 * are opened (the default context with `noDefaults` in "cdp" mode). `extraArgs` are added to
 * the command line.
 */
export async function launch({ extraArgs = [] } = {}) {
  if (LAUNCH_MODE === "playwright") {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...BASE_ARGS, ...extraArgs],
      ignoreDefaultArgs: ["--disable-back-forward-cache"],
      timeout: limit(30000),
    });
    const context = await browser.newContext();
    return {
      mode: "playwright",
      browser,
      context,
      async close() {
        await withTimeout(browser.close(), limit(10000), "browser.close()").catch(() => {});
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "lifeline-ws-chromium-"));
  const child = spawn(
    CHROMIUM,
    ["--headless", ...BASE_ARGS, "--remote-debugging-port=0", `--user-data-dir=${dir}`, ...extraArgs, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise((resolve) => {
    child.once("exit", resolve);
    child.once("error", resolve); // not started at all
  });
  let stderr = "";
  let browser;
  const close = async () => {
    // A graceful Browser.close (the profile is flushed before the process exits), then
    // SIGTERM / SIGKILL if it does not exit in time; then the profile goes.
    if (browser) {
      try {
        const session = await withTimeout(browser.newBrowserCDPSession(), limit(5000), "a browser CDP session");
        await withTimeout(session.send("Browser.close"), limit(5000), "Browser.close").catch(() => {});
      } catch {}
    }
    if (child.exitCode === null && child.signalCode === null) {
      const term = setTimeout(() => child.kill("SIGTERM"), limit(5000));
      const kill = setTimeout(() => child.kill("SIGKILL"), limit(10000));
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    if (browser) await withTimeout(browser.close(), limit(5000), "browser.close()").catch(() => {});
    // Chromium's helper processes may still be writing to the profile for a moment.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch {}
  };
  try {
    const endpoint = await withTimeout(
      new Promise((resolve, reject) => {
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (d) => {
          if (stderr === null) return; // found: the rest is drained and dropped
          stderr += d;
          const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
          if (m) {
            stderr = null;
            resolve(m[1]);
          }
        });
        child.once("error", reject);
        exited.then((code) => reject(new Error(`chromium exited (${code}) before listening: ${stderr}`)));
      }),
      limit(30000),
      "chromium to listen for DevTools",
    );
    browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, isLocal: true, timeout: limit(30000) });
  } catch (err) {
    await close();
    throw err;
  }
  return { mode: "cdp", browser, context: browser.contexts()[0], close };
}

/**
 * The Node side of pages/harness.mjs: every entry the page logs arrives here (through the
 * `__report` binding) the moment it is logged; `waitFor` awaits one.
 */
export class PageLog extends EventEmitter {
  constructor() {
    super();
    this.entries = [];
  }

  push(entry) {
    this.entries.push(entry);
    this.emit("entry", entry);
  }

  /** Entries of `type` (string or predicate), optionally only those after index `from`. */
  all(match, from = 0) {
    const pred = typeof match === "function" ? match : (e) => e.type === match;
    return this.entries.slice(from).filter(pred);
  }

  last(match) {
    return this.all(match).at(-1);
  }

  /** Index to pass as `from` to look only at what comes next. */
  mark() {
    return this.entries.length;
  }

  /** Resolves with the first entry (at index >= from) matching, or rejects after `timeout`. */
  waitFor(match, { from = 0, timeout = limit(10000), label } = {}) {
    const pred = typeof match === "function" ? match : (e) => e.type === match;
    const found = this.entries.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onEntry = (e) => {
        if (this.entries.indexOf(e) < from || !pred(e)) return;
        cleanup();
        resolve(e);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out after ${timeout} ms waiting for ${label ?? (typeof match === "string" ? match : "entry")}; ` +
              `page log: ${this.describe()}`,
          ),
        );
      }, timeout);
      const cleanup = () => {
        clearTimeout(timer);
        this.off("entry", onEntry);
      };
      this.on("entry", onEntry);
    });
  }

  /** Resolves with the entry if one comes within `ms`, else null ("nothing may happen"). */
  async within(match, ms, { from = this.mark() } = {}) {
    try {
      return await this.waitFor(match, { from, timeout: ms });
    } catch (err) {
      if (/^timed out/.test(err.message)) return null;
      throw err;
    }
  }

  describe() {
    const t0 = this.entries[0]?.t ?? 0;
    return (
      this.entries
        .map((e) => {
          const detail =
            e.state ?? e.code ?? e.cause ?? (e.persisted !== undefined ? `persisted=${e.persisted}` : undefined) ?? e.data ?? e.attempt;
          return `${Math.round(e.t - t0)}:${e.type}${detail !== undefined ? `(${detail})` : ""}`;
        })
        .join(" ") || "(none)"
    );
  }
}

/**
 * Opens a page on `url` with its log wired up. Returns { page, log }.
 */
export async function openPage(context, url) {
  const page = await context.newPage();
  const log = new PageLog();
  await page.exposeBinding("__report", (_source, entry) => log.push(entry));
  page.on("pageerror", (err) => log.push({ type: "pageerror", t: NaN, at: Date.now(), data: String(err) }));
  await page.goto(url, { timeout: limit(30000) });
  await log.waitFor("loaded", { label: "the harness to load" });
  return { page, log };
}

/**
 * Hides `page`: for real by bringing a second tab to front (Chromium with focus emulation
 * off), else with the harness's synthetic visibilitychange (always in the WebDriver engines,
 * whose page log is read from the page itself and so needs it in front). Returns
 * { method, entry, show() }.
 */
export async function hidePage(context, page, log) {
  if (context.webdriver) return hideSynthetic(page, log);
  const from = log.mark();
  const other = await context.newPage();
  await other.bringToFront();
  const seen = await log.within((e) => e.type === "visibilitychange" && e.state === "hidden", limit(3000), { from });
  if (seen) {
    return {
      method: "real (a second tab brought to front)",
      entry: seen,
      async show() {
        const from2 = log.mark();
        await page.bringToFront();
        const shown = await log.waitFor((e) => e.type === "visibilitychange" && e.state === "visible", {
          from: from2,
          label: "visibilitychange visible after bringToFront",
        });
        await other.close();
        return shown;
      },
    };
  }
  await other.close();
  await page.bringToFront();
  return hideSynthetic(page, log);
}

/** document.visibilityState / hidden overridden, visibilitychange dispatched (pages/harness.mjs). */
async function hideSynthetic(page, log) {
  const from = log.mark();
  await page.evaluate(() => harness.fakeVisibility("hidden"));
  const entry = await log.waitFor((e) => e.type === "visibilitychange" && e.state === "hidden", {
    from,
    label: "the synthetic visibilitychange hidden",
  });
  return {
    method: "synthetic (document.visibilityState overridden + visibilitychange dispatched)",
    entry,
    async show() {
      const from2 = log.mark();
      await page.evaluate(() => {
        harness.fakeVisibility("visible");
        harness.restoreVisibility();
      });
      return log.waitFor((e) => e.type === "visibilitychange" && e.state === "visible", {
        from: from2,
        label: "the synthetic visibilitychange visible",
      });
    },
  };
}

/**
 * Freezes `page` through CDP (Page.setWebLifecycleState frozen) and resolves once the page
 * reported `freeze`; null when the browser does not freeze it (the page stays active).
 * Returns { cdp, entry }.
 */
export async function freezePage(context, page, log, { cdp } = {}) {
  cdp ??= await context.newCDPSession(page);
  const from = log.mark();
  await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
  const entry = await log.within("freeze", limit(3000), { from });
  return entry ? { cdp, entry, at: entry.at } : null;
}

/** Lets a frozen page run again; resolves with Date.now() taken just before the command. */
export async function resumePage(cdp) {
  const at = Date.now();
  await cdp.send("Page.setWebLifecycleState", { state: "active" });
  return at;
}

/** Round to whole ms for printing. */
export const r = (n) => Math.round(n);

/**
 * The page in Firefox / WebKitGTK, driven over W3C WebDriver: the subset of Playwright's Page
 * that the tests use (`evaluate(fn, arg)`, `goto`, `goBack`, `bringToFront`). `evaluate`
 * runs `fn`'s source in the page with `arg` (JSON), as Playwright does, and awaits a promise.
 */
class WebDriverPage {
  constructor(wd) {
    this.wd = wd;
  }
  evaluate(fn, arg) {
    return this.wd.execute(`return (${fn})(arguments[0]);`, [arg ?? null]);
  }
  // The first load through WebDriver's Navigate; later ones (leaving the test page) from the
  // page itself, then waiting for the new document to be complete: WebKitWebDriver's
  // Navigate away from a page with an open WebSocket that enters the back/forward cache
  // sometimes never answered (1 run in ~12).
  async goto(url, { timeout = limit(30000) } = {}) {
    if (!this.loaded) {
      await this.wd.navigate(url, timeout);
      this.loaded = true;
      return;
    }
    await this.wd.execute("location.href = arguments[0];", [url]);
    const deadline = performance.now() + timeout;
    let last = "(nothing)";
    while (performance.now() < deadline) {
      try {
        const [href, state] = await this.wd.execute("return [location.href, document.readyState];", [], limit(2000));
        if (href === url && state === "complete") return;
        last = `${href} (${state})`;
      } catch (err) {
        last = err.message;
      }
      await sleep(20);
    }
    throw new Error(`navigation to ${url} not complete within ${timeout} ms; the page: ${last}`);
  }
  // history.back() from the page rather than WebDriver's Back, which waits for a load that a
  // page restored from the back/forward cache does not fire (WebKitWebDriver then hangs until
  // its timeout): like Playwright's goBack({ waitUntil: "commit" }), the caller waits for the
  // restored page's own events.
  async goBack() {
    await this.wd.execute("history.back();");
  }
  async bringToFront() {}
}

// Reads the page's log (harness.log, or workerHost.log on the worker fixture) from index
// `n` on. A page is told apart from the one before it (a navigation that was not a
// back/forward cache restore starts a new log) by an id the first read leaves on the page's
// own harness object (not on the script's global: Firefox runs WebDriver scripts in a
// sandbox whose globals do not always last); that read also adds listeners that log
// uncaught errors as "pageerror".
const READ_LOG = `
const [id, n] = arguments;
const h = window.harness || window.workerHost;
if (!h) return null;
if (!h.__logId) {
  h.__logId = Math.random().toString(36).slice(2);
  const fail = (data) => h.log.push({ type: "pageerror", t: performance.now(), at: Date.now(), data });
  window.addEventListener("error", (e) => fail(String(e.message)));
  window.addEventListener("unhandledrejection", (e) => fail("unhandled rejection: " + String(e.reason)));
}
const same = id === h.__logId;
return { id: h.__logId, entries: h.log.slice(same ? n : 0) };`;

/**
 * Feeds `log` from the page every `every` ms (WebDriver has no binding that would push
 * entries as Playwright's exposeBinding does). The entries keep the page's own clock (`t`),
 * so the figures the tests measure do not include the polling. Returns { stop() }.
 */
function pollLog(wd, log, every = 20) {
  let id = null;
  let n = 0;
  let stopped = false;
  let timer = null;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const tick = async () => {
    if (stopped) return done();
    try {
      const got = await wd.execute(READ_LOG, [id, n], limit(10000));
      if (got) {
        if (got.id !== id) n = 0;
        id = got.id;
        n += got.entries.length;
        for (const e of got.entries) log.push(e);
      }
      log.pollError = null;
    } catch (err) {
      log.pollError = err.message; // navigating, or the session is going away
    }
    if (stopped) return done();
    timer = setTimeout(tick, every);
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.race([finished, sleep(limit(5000))]);
    },
  };
}

/**
 * The "context" the tests get in a WebDriver engine: network changes are synthetic there
 * (navigator.onLine overridden and `offline` / `online` dispatched on window, see
 * pages/harness.mjs), since neither driver can take the page offline.
 */
function webDriverContext(engine, page) {
  return {
    engine,
    webdriver: true,
    offlineMethod: "synthetic (navigator.onLine overridden + offline/online dispatched)",
    setOffline(offline) {
      return page.evaluate((off) => harness.fakeOnline(!off), offline);
    },
  };
}

/** Opens `url` in a WebDriver engine with its log wired up. Returns { wd, page, log, poller, context }. */
async function openWebDriverPage(engine, url) {
  const wd = await startWebDriver(engine);
  try {
    const page = new WebDriverPage(wd);
    const log = new PageLog();
    await page.goto(url);
    const poller = pollLog(wd, log);
    try {
      await log.waitFor("loaded", { label: "the harness to load" });
    } catch (err) {
      await poller.stop();
      if (log.pollError) err.message += ` (last read of the page log: ${log.pollError})`;
      throw err;
    }
    return { wd, page, log, poller, context: webDriverContext(engine, page) };
  } catch (err) {
    await wd.close();
    throw err;
  }
}

/**
 * Runs `fn` with a browser (`engine`: chromium, firefox or webkit), the static site and a
 * fresh page on the fixture, and always cleans up (page, browser, driver, site) in `finally`.
 * `fn` gets { b, site, context, page, log, engine }; in the WebDriver engines `page` is a
 * WebDriverPage and `context` a webDriverContext (see above).
 */
export async function withPage(fn, { extraArgs, fixture = "/pages/lifecycle.html", engine = "chromium" } = {}) {
  let site;
  let b;
  try {
    site = await startSite();
    if (engine !== "chromium") {
      const opened = await openWebDriverPage(engine, site.url(fixture));
      b = {
        mode: "webdriver",
        browser: opened.wd.browser,
        async close() {
          await opened.poller.stop();
          await opened.wd.close();
        },
      };
      return await fn({ b, site, context: opened.context, page: opened.page, log: opened.log, engine });
    }
    b = await launch({ extraArgs });
    const { page, log } = await openPage(b.context, site.url(fixture));
    return await fn({ b, site, context: b.context, page, log, engine });
  } finally {
    if (b) await b.close().catch((err) => console.error("closing the browser:", err));
    if (site) await site.stop();
  }
}
