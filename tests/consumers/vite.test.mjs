// Vite 7 with no vite.config: `vite build` (a page and a module Web Worker made with
// `new Worker(new URL("./worker.js", import.meta.url), { type: "module" })`), served as
// static files; and the dev server (`vite`), whose dependency pre-bundling must take the
// package as it is. Both loaded in headless Chromium, talking to a local WebSocket server.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { startServer } from "../support/server.mjs";
import { checkVisit, install, limit, nonAscii, prepare, serveStatic, visit, withChromium } from "./harness.mjs";

const TEST_TIMEOUT = limit(240000); // a bound for the whole test; every wait inside has its own

let srv;
before(async () => {
  console.log(`consumers: ${(await install()).timing}`);
  srv = await startServer({ echo: true });
});
after(() => srv?.stop());

test("vite build: the built page and its worker connect, reconnect and close", { timeout: TEST_TIMEOUT }, async () => {
  const c = await prepare("vite");
  let site;
  try {
    const build = await c.run("build");
    const js = c.files("dist");
    console.log(`vite build: ${build.ms} ms, ${js.length} scripts`);
    assert.ok(js.some((f) => /worker/.test(f)), "a worker chunk");
    assert.deepEqual(c.files("dist", [".wasm"]), [], "no .wasm file to serve");
    assert.deepEqual(nonAscii(js), [], "the built scripts are ASCII (no page encoding can garble the wasm)");
    site = await serveStatic(`${c.dir}/dist`);
    await withChromium(async (browser) => {
      checkVisit(await visit(browser, site.url(`/?ws=${encodeURIComponent(srv.url("/vite-build"))}`), srv), "vite build");
    });
  } finally {
    await site?.stop();
    c.remove();
  }
});

/** A free port on 127.0.0.1 (the dev server is told to take exactly that one). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

test("vite (dev server): the page and its worker connect, reconnect and close", { timeout: TEST_TIMEOUT }, async () => {
  const c = await prepare("vite");
  const cleanups = [];
  let child;
  let output = "";
  try {
    const port = await freePort();
    const t0 = performance.now();
    child = spawn("sh", ["-c", `vite --host 127.0.0.1 --port ${port} --strictPort`], {
      cwd: c.dir,
      env: c.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group (vite and its esbuild service), ended below
    });
    // Should this process end before `finally` runs, the dev server goes with it.
    const killGroup = () => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    };
    process.once("exit", killGroup);
    cleanups.push(() => process.off("exit", killGroup));
    let timer;
    await new Promise((resolve, reject) => {
      const onData = (d) => {
        output += d;
        // Vite colours its banner when CI is set (picocolors): compare the text without ANSI codes.
        const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
        if (/ready in/.test(plain) && plain.includes(`127.0.0.1:${port}`)) resolve();
      };
      child.stdout.setEncoding("utf8").on("data", onData);
      child.stderr.setEncoding("utf8").on("data", onData);
      child.once("exit", (code) => reject(new Error(`vite exited (${code}) before it was ready:\n${output}`)));
      timer = setTimeout(() => reject(new Error(`vite was not ready within ${limit(30000)} ms:\n${output}`)), limit(30000));
    }).finally(() => clearTimeout(timer));
    console.log(`vite dev server: ready in ${Math.round(performance.now() - t0)} ms`);
    await withChromium(async (browser) => {
      const url = `http://127.0.0.1:${port}/?ws=${encodeURIComponent(srv.url("/vite-dev"))}`;
      checkVisit(await visit(browser, url, srv), "vite dev");
    });
    assert.doesNotMatch(output, /error/i, `the dev server reported no error:\n${output}`);
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      const kill = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, limit(5000));
      await exited;
      clearTimeout(kill);
    }
    for (const f of cleanups) f();
    c.remove();
  }
});
