// The built package in a module Web Worker (pages/worker.mjs imports /dist/lifeline-ws.mjs):
// no `document`, no page lifecycle; it must connect, reconnect after a drop and run its
// heartbeat there. The worker posts every event to the page, which hands it to the test.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { ENGINES, withPage, limit, r } from "./browser.mjs";

for (const engine of ENGINES) {
  test(`${engine}: Web Worker: loads, connects, reconnects after a server drop, heartbeat pongs arrive, close() ends it`, async () => {
    const srv = await startServer({ pong: true });
    try {
      await withPage(
        async ({ page, log }) => {
          const ready = await log.waitFor((e) => e.type === "w-ready" || e.type === "worker-error", {
            label: "the worker to load the package",
          });
          assert.equal(ready.type, "w-ready", `the worker failed: ${ready.data}`);
          console.log(
            `worker: ${ready.scope}, document ${ready.hasDocument ? "present" : "absent"}, ` +
              `window ${ready.hasWindow ? "present" : "absent"}, navigator.onLine ${ready.onLine}`,
          );
          assert.equal(ready.hasDocument, false);

          await page.evaluate(
            (url) =>
              workerHost.start(url, {
                heartbeat: { interval: 300, timeout: 2000 },
                backoff: { initialDelay: 100, jitter: "none" },
              }),
            srv.url("/worker"),
          );
          const started = await log.waitFor((e) => e.type === "w-started" || e.type === "w-exception");
          assert.equal(started.type, "w-started", `new LifelineSocket threw in the worker: ${started.data}`);
          const open = await log.waitFor("w-ll-open", { label: "open in the worker" });
          const beat = await log.waitFor("w-ll-heartbeat", { timeout: limit(5000), label: "a heartbeat in the worker" });
          assert.ok(srv.messages.includes("ping"), "the worker's ping reached the server");

          const from = log.mark();
          srv.terminateAll();
          const close = await log.waitFor("w-ll-close", { from, label: "close in the worker" });
          const again = await log.waitFor("w-ll-reconnect", { from, timeout: limit(5000), label: "reconnect in the worker" });
          const beat2 = await log.waitFor("w-ll-heartbeat", { from, timeout: limit(5000), label: "a heartbeat after the reconnect" });
          await srv.waitFor((s) => s.connections === 2 && s.live === 1, { label: "the second connection" });

          const from2 = log.mark();
          await page.evaluate(() => workerHost.close());
          const final = await log.waitFor("w-ll-close", { from: from2, label: "the final close in the worker" });
          await srv.waitFor((s) => s.live === 0, { label: "the server to see the worker's close" });

          console.log(
            `worker: open ${r(open.wt)} ms after the worker started; heartbeat rtt ${r(beat.rttMs)} ms; ` +
              `after the drop: close ${close.code} (willReconnect ${close.willReconnect}, ${close.delayMs} ms), ` +
              `reconnect #${again.attempt} after ${r(again.downtimeMs)} ms down, heartbeat rtt ${r(beat2.rttMs)} ms; ` +
              `close(): final close willReconnect ${final.willReconnect}, server saw ${srv.upgrades[1].closeCode}`,
          );
          assert.equal(close.willReconnect, true);
          assert.equal(again.attempt, 1);
          assert.equal(final.willReconnect, false);
          assert.equal(log.all("worker-error").length, 0);
          assert.equal(log.all("w-exception").length, 0);
        },
        { fixture: "/pages/worker.html", engine },
      );
    } finally {
      await srv.stop();
    }
  });
}
