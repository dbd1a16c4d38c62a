// The status page of `npm run demo` (examples/browser/), in headless Chromium against the
// demo server: it connects, shows heartbeat RTTs, and its fault buttons lead to the events
// the library promises — a dropped connection is followed by a reconnect, a muted one is
// closed for "heartbeat timeout" and then reconnected. Prints the measured figures and saves
// a screenshot to tests/demo/output/status-page.png.
//
//   node --test tests/demo/
//
// Builds dist/lifeline-ws.mjs first when it is missing (`npm run build`, with the PATH of
// scripts/env.sh for the wasm tools).
import test, { before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { BASE_ARGS, CHROMIUM as CHROMIUM_PATH } from "../browser/browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = join(ROOT, "dist", "lifeline-ws.mjs");
const OUTPUT = join(ROOT, "tests", "demo", "output");
const SCREENSHOT = join(OUTPUT, "status-page.png");
// The same Chromium and flags as the lifecycle suite (tests/browser/browser.mjs).
const CHROMIUM = { executablePath: CHROMIUM_PATH, headless: true, args: BASE_ARGS };
// The page's options: heartbeat interval 1000 + timeout 1000, backoff from 200 ms.
const DETECTION_BOUND = 2000 + 1500; // interval + timeout, plus slack for a busy 2-core machine
const WAIT = 15_000; // every wait for an event of the page

function ensureBuilt() {
  if (existsSync(DIST)) return;
  console.log("# dist/lifeline-ws.mjs is missing: npm run build");
  const r = spawnSync("bash", ["-c", ". scripts/env.sh && npm run --silent build"], {
    cwd: ROOT,
    stdio: "inherit",
    timeout: 20 * 60_000,
  });
  assert.equal(r.status, 0, `npm run build failed (status ${r.status}${r.error ? `, ${r.error.message}` : ""})`);
  assert.ok(existsSync(DIST), "npm run build did not write dist/lifeline-ws.mjs");
}

/** Clicks a button of the page and returns the log entry of the fault it asked for. */
async function clickFault(page, name, label) {
  const before = await lastSeq(page);
  await page.getByRole("button", { name: label }).click();
  return waitForEntry(page, { type: "fault", after: before, text: `/fault/${name}`, what: `the ${name} fault` });
}

/** The sequence number of the newest log entry (0 when the log is empty). */
function lastSeq(page) {
  return page.evaluate(() => Number(document.querySelector("#log li")?.dataset.seq ?? 0));
}

/**
 * Waits (bounded) for a log entry `[data-type=type]` newer than sequence number `after`
 * whose text contains `text`; returns { seq, t, text, data } of the oldest such entry
 * (`t` is the page's Date.now() when it was logged, `data` the entry's data-* attributes).
 */
async function waitForEntry(page, { type, after = 0, text = "", what = type, timeout = WAIT }) {
  const handle = await page
    .waitForFunction(
      ({ type, after, text }) => {
        const hits = [...document.querySelectorAll(`#log li[data-type="${type}"]`)]
          .filter((li) => Number(li.dataset.seq) > after && li.textContent.includes(text))
          .map((li) => ({ seq: Number(li.dataset.seq), t: Number(li.dataset.t), text: li.textContent, data: { ...li.dataset } }));
        return hits.at(-1) ?? false; // the log is newest first
      },
      { type, after, text },
      { timeout, polling: 50 },
    )
    .catch(async (err) => {
      const log = await page.locator("#log").innerText().catch(() => "(no log)");
      throw new Error(`no ${what} within ${timeout} ms (${err.message.split("\n")[0]})\nevent log:\n${log}`);
    });
  return handle.jsonValue();
}

/** Waits (bounded) until the page has drawn `n` more heartbeats than `since`. */
async function waitForHeartbeats(page, since, n, what) {
  await page
    .waitForFunction(
      ({ since, n }) => Number(document.getElementById("sparkline").dataset.total ?? 0) >= since + n,
      { since, n },
      { timeout: WAIT, polling: 50 },
    )
    .catch((err) => {
      throw new Error(`no ${what} within ${WAIT} ms (${err.message.split("\n")[0]})`);
    });
}

const heartbeatsSoFar = (page) =>
  page.evaluate(() => Number(document.getElementById("sparkline").dataset.total ?? 0));

// A build from nothing (cargo, wasm-pack) takes minutes: not counted in the test's timeout.
before(ensureBuilt, { timeout: 20 * 60_000 });

test("the demo status page shows the connection and recovers from drop and mute", { timeout: 120_000 }, async () => {
  const { startDemo } = await import("../../examples/demo-server.mjs");
  const serverLog = [];
  const demo = await startDemo({ schedule: false, log: (...args) => serverLog.push(args.join(" ")) });
  let userDataDir;
  let context;
  const problems = []; // page errors, console errors, requests that leave the demo server
  try {
    userDataDir = mkdtempSync(join(tmpdir(), "lifeline-demo-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      ...CHROMIUM,
      viewport: { width: 1280, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      // Chromium logs every failed WebSocket attempt ("WebSocket connection to … failed"):
      // expected while the server is down; anything else is the page's own error.
      if (msg.type() === "error" && !/^WebSocket connection to .* failed/.test(msg.text()))
        problems.push(`console error: ${msg.text()}`);
    });
    const origin = new URL(demo.httpUrl).origin;
    page.on("request", (req) => {
      const url = req.url();
      if (!url.startsWith(origin) && !url.startsWith("ws://127.0.0.1") && !url.startsWith("data:"))
        problems.push(`external request: ${url}`);
    });

    // 1. It connects, and heartbeats come back with an RTT.
    await page.goto(demo.httpUrl, { timeout: WAIT });
    await page.locator('#state[data-state="open"]').waitFor({ timeout: WAIT });
    await waitForEntry(page, { type: "open", what: "open event" });
    await waitForHeartbeats(page, 0, 1, "first heartbeat");
    const firstRtt = Number(await page.locator("#rtt-last").getAttribute("data-rtt"));
    assert.ok(Number.isFinite(firstRtt) && firstRtt >= 0, `first RTT shown: ${firstRtt}`);
    assert.equal(await page.locator("#state").textContent(), "open");
    assert.equal(await page.locator("#ws-url").textContent(), demo.wsUrl);

    // 2. drop: the server closes the connection; the page shows a close and then a reconnect.
    const drop = await clickFault(page, "drop", /^drop/i);
    const dropClose = await waitForEntry(page, { type: "close", after: drop.seq, what: "close after drop" });
    const dropReconnect = await waitForEntry(page, { type: "reconnect", after: dropClose.seq, what: "reconnect after drop" });
    await page.locator('#state[data-state="open"]').waitFor({ timeout: WAIT });
    let hb = await heartbeatsSoFar(page);
    await waitForHeartbeats(page, hb, 2, "heartbeats after the drop");

    // 3. mute: the connection stays open and says nothing; only the heartbeat notices.
    const mute = await clickFault(page, "mute", /^mute/i);
    await page.locator('#btn-mute[data-on="true"]').waitFor({ timeout: WAIT }); // toggled: "unmute"
    assert.equal(await page.locator("#btn-mute").textContent(), "unmute");
    const muteClose = await waitForEntry(page, {
      type: "close",
      after: mute.seq,
      text: "heartbeat timeout",
      what: "close for heartbeat timeout after mute",
    });
    assert.match(muteClose.data.reason, /heartbeat timeout/);
    assert.equal(muteClose.data.willReconnect, "true");
    const unmute = await clickFault(page, "unmute", /^unmute/i);
    await page.locator('#btn-mute[data-on="false"]').waitFor({ timeout: WAIT }); // back to "mute"
    const muteReconnect = await waitForEntry(page, {
      type: "reconnect",
      after: muteClose.seq,
      what: "reconnect after the heartbeat timeout",
    });
    await page.locator('#state[data-state="open"]').waitFor({ timeout: WAIT });
    // A few healthy heartbeats after the gap, so the screenshot shows the sparkline's break.
    hb = await heartbeatsSoFar(page);
    await waitForHeartbeats(page, hb, 3, "heartbeats after unmute");

    const counters = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll(".counters dd")].map((dd) => [dd.id.replace(/^c-/, ""), dd.textContent]),
      ),
    );
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const dropDetection = dropClose.t - drop.t;
    const dropRecovery = dropReconnect.t - drop.t;
    const muteDetection = muteClose.t - mute.t;
    const muteRecovery = muteReconnect.t - muteClose.t;
    console.log(
      [
        `first heartbeat RTT: ${firstRtt.toFixed(1)} ms`,
        `drop: click -> close ${dropDetection} ms, click -> reconnect ${dropRecovery} ms (reconnect event: downtimeMs ${dropReconnect.data.downtimeMs}, attempt ${dropReconnect.data.attempt})`,
        `mute: click -> close "heartbeat timeout" ${muteDetection} ms (bound ${DETECTION_BOUND} ms: interval 1000 + timeout 1000 + slack)`,
        `      close -> reconnect ${muteRecovery} ms, mute click -> reconnect ${muteReconnect.t - mute.t} ms (unmute clicked ${unmute.t - muteClose.t} ms after the close)`,
        `counters: ${Object.entries(counters).map(([k, v]) => `${k} ${v}`).join(", ")}`,
        `screenshot: ${SCREENSHOT}`,
      ].join("\n"),
    );

    assert.ok(dropRecovery >= 0 && dropRecovery <= WAIT, `reconnect ${dropRecovery} ms after drop`);
    assert.ok(muteDetection <= DETECTION_BOUND, `heartbeat timeout detected ${muteDetection} ms after mute`);
    assert.ok(Number(counters.connections) >= 3, `connections counter ${counters.connections}`);
    assert.ok(Number(counters.reconnects) >= 2, `reconnects counter ${counters.reconnects}`);
    assert.ok(Number(counters.sent) > 0 && Number(counters.received) > 0, "messages sent and echoed");
    assert.notEqual(counters.detection, "–", "a detection time is shown");
    assert.deepEqual(problems, [], "no page errors, console errors or external requests");
  } catch (err) {
    // What the page and the server said, to tell a broken page from a broken server.
    if (problems.length) err.message += `\npage problems:\n  ${problems.join("\n  ")}`;
    if (serverLog.length) err.message += `\ndemo server log:\n  ${serverLog.join("\n  ")}`;
    throw err;
  } finally {
    await context?.close().catch(() => {});
    await demo.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  }
});
