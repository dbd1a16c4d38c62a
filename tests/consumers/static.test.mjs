// No build step: the installed package's files served as they are. A page with an import
// map ("lifeline-ws" to node_modules/lifeline-ws/dist/lifeline-ws.mjs) and
// <script type="module">, and a plain module Web Worker importing the file by its path (no
// import maps in workers), in headless Chromium, Firefox ESR and WebKitGTK (the last two over
// W3C WebDriver, with the console capture injected first in the page: harness.mjs).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../support/server.mjs";
import { selectedEngines } from "../support/webdriver.mjs";
import {
  CONSOLE_CAPTURE,
  checkVisit,
  install,
  limit,
  prepare,
  serveStatic,
  visit,
  visitWebDriver,
  withChromium,
} from "./harness.mjs";

const TEST_TIMEOUT = limit(240000); // a bound for the whole test; every wait inside has its own

let srv;
before(async () => {
  console.log(`consumers: ${(await install()).timing}`);
  srv = await startServer({ echo: true });
});
after(() => srv?.stop());

for (const engine of selectedEngines()) {
  test(`${engine}: <script type="module"> with an import map, no bundler: the page and its worker connect, reconnect and close`, { timeout: TEST_TIMEOUT }, async () => {
    const c = await prepare("static");
    let site;
    try {
      // The project's node_modules, as `npm install` leaves it (the shared install's).
      fs.symlinkSync(path.join(c.install.pkg, "node_modules"), path.join(c.dir, "node_modules"));
      const url = (site) => site.url(`/?ws=${encodeURIComponent(srv.url(`/static-${engine}`))}`);
      if (engine === "chromium") {
        site = await serveStatic(c.dir);
        await withChromium(async (browser) => {
          checkVisit(await visit(browser, url(site), srv), "static page (chromium)");
        });
      } else {
        site = await serveStatic(c.dir, { inject: CONSOLE_CAPTURE });
        const result = await visitWebDriver(engine, url(site), srv);
        checkVisit(result, `static page (${result.browser})`);
      }
      const served = site.requests.filter(([status]) => status === 200).map(([, p]) => p);
      assert.ok(served.includes("/node_modules/lifeline-ws/dist/lifeline-ws.mjs"), `served: ${served.join(" ")}`);
      assert.ok(!served.some((p) => p.endsWith(".wasm")), "no .wasm asked for");
      const failed = site.requests.filter(([status]) => status >= 400);
      assert.deepEqual(failed, [], "no request failed");
    } finally {
      await site?.stop();
      c.remove();
    }
  });
}
