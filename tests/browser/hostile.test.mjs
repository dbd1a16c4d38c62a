// The hostile conversions of tests/browser/pages/hostile.mjs in each engine: 100,000 rounds of
// throwing toString/valueOf, Proxies and getters; each call throws the user's own error, and
// the page's open socket keeps working (tests/node/hostile.test.mjs does the same in Node).

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { ENGINES, withPage } from "./browser.mjs";

for (const engine of ENGINES) {
  test(`${engine}: throwing conversions, 100,000 rounds: the user's own error each time; an open socket keeps working`, async () => {
    const srv = await startServer({ echo: true });
    try {
      await withPage(async ({ page, log }) => {
        await page.evaluate((url) => harness.start(url), srv.url("/bystander"));
        await log.waitFor("ll-open");
        const result = await page.evaluate(async (url) => {
          const { LifelineSocket } = await import("/dist/lifeline-ws.mjs");
          const { hostileRounds } = await import("/pages/hostile.mjs");
          return hostileRounds(LifelineSocket, url, {}, 100_000);
        }, srv.url("/hostile"));
        assert.equal(result.wrong, null, result.wrong);
        assert.equal(result.calls, 900_000);
        const from = log.mark();
        await page.evaluate(() => harness.send("still alive"));
        await log.waitFor((e) => e.type === "ll-message" && e.data === "still alive", { from });
      }, { engine });
    } finally {
      await srv.stop();
    }
  });
}
