// webpack 5 with its defaults (no webpack.config.js: src/index.js to dist/main.js, minified
// by Terser): a page with a classic <script> and a module Web Worker made with
// `new Worker(new URL("./worker.js", import.meta.url), { type: "module" })`, in headless
// Chromium. Twice: a page with <meta charset="utf-8">, and one that declares no charset
// (served without one, so its classic scripts are read as windows-1252): Terser writes the
// strings it re-prints as raw UTF-8, which garbled the inlined wasm before it was ASCII.

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

test("webpack --mode production: the page and its worker connect, reconnect and close (with and without a declared charset)", { timeout: TEST_TIMEOUT }, async () => {
  const c = await prepare("webpack");
  let site;
  try {
    const build = await c.run("build");
    const js = c.files("dist");
    console.log(`webpack build: ${build.ms} ms, ${js.length} scripts`);
    assert.match(build.output, /compiled successfully/);
    assert.doesNotMatch(build.output, /WARNING|ERROR/, "no warnings");
    assert.deepEqual(c.files("dist", [".wasm"]), [], "no .wasm file to serve");
    assert.deepEqual(nonAscii(js), [], "the built scripts are ASCII (no page encoding can garble the wasm)");
    site = await serveStatic(c.dir);
    await withChromium(async (browser) => {
      const ws = encodeURIComponent(srv.url("/webpack"));
      const utf8 = await visit(browser, site.url(`/index.html?ws=${ws}`), srv);
      checkVisit(utf8, "webpack");
      assert.equal(utf8.charset, "UTF-8");
      const legacy = await visit(browser, site.url(`/no-charset.html?ws=${ws}`), srv);
      checkVisit(legacy, "webpack, no declared charset");
      assert.equal(legacy.charset, "windows-1252", "the page without a charset is read as windows-1252");
    });
  } finally {
    await site?.stop();
    c.remove();
  }
});
