// esbuild, one command line (two entry points, --bundle --minify --format=esm): a module
// page and a module Web Worker (`new Worker(new URL("./worker.js", import.meta.url))`,
// left as it is and built as the second entry), in headless Chromium.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { checkVisit, install, limit, nonAscii, prepare, serveStatic, visit, withChromium } from "./harness.mjs";

const TEST_TIMEOUT = limit(240000); // a bound for the whole test; every wait inside has its own

let srv;
before(async () => {
  console.log(`consumers: ${(await install()).timing}`);
  srv = await startServer({ echo: true });
});
after(() => srv?.stop());

test("esbuild --bundle: the page and its worker connect, reconnect and close", { timeout: TEST_TIMEOUT }, async () => {
  const c = await prepare("esbuild");
  let site;
  try {
    const build = await c.run("build");
    const js = c.files("dist");
    console.log(`esbuild build: ${build.ms} ms, ${js.length} scripts`);
    assert.deepEqual(js.map((f) => f.slice(c.dir.length + 1)).sort(), ["dist/main.js", "dist/worker.js"]);
    assert.doesNotMatch(build.output, /warning|error/i, "no warnings");
    assert.deepEqual(nonAscii(js), [], "the built scripts are ASCII");
    site = await serveStatic(c.dir);
    await withChromium(async (browser) => {
      checkVisit(await visit(browser, site.url(`/?ws=${encodeURIComponent(srv.url("/esbuild"))}`), srv), "esbuild");
    });
  } finally {
    await site?.stop();
    c.remove();
  }
});
