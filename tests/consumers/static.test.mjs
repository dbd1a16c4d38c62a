// No build step: the installed package's files served as they are. A page with an import
// map ("lifeline-ws" to node_modules/lifeline-ws/dist/lifeline-ws.mjs) and
// <script type="module">, and a plain module Web Worker importing the file by its path (no
// import maps in workers), in headless Chromium.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../support/server.mjs";
import { checkVisit, install, limit, prepare, serveStatic, visit, withChromium } from "./harness.mjs";

const TEST_TIMEOUT = limit(240000); // a bound for the whole test; every wait inside has its own

let srv;
before(async () => {
  console.log(`consumers: ${(await install()).timing}`);
  srv = await startServer({ echo: true });
});
after(() => srv?.stop());

test("<script type=\"module\"> with an import map, no bundler: the page and its worker connect, reconnect and close", { timeout: TEST_TIMEOUT }, async () => {
  const c = await prepare("static");
  let site;
  try {
    // The project's node_modules, as `npm install` leaves it (the shared install's).
    fs.symlinkSync(path.join(c.install.pkg, "node_modules"), path.join(c.dir, "node_modules"));
    site = await serveStatic(c.dir);
    await withChromium(async (browser) => {
      checkVisit(await visit(browser, site.url(`/?ws=${encodeURIComponent(srv.url("/static"))}`), srv), "static page");
    });
    const served = site.requests.filter(([status]) => status === 200).map(([, p]) => p);
    assert.ok(served.includes("/node_modules/lifeline-ws/dist/lifeline-ws.mjs"), `served: ${served.join(" ")}`);
    assert.ok(!served.some((p) => p.endsWith(".wasm")), "no .wasm asked for");
  } finally {
    await site?.stop();
    c.remove();
  }
});
