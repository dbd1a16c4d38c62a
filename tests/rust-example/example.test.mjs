// examples/rust (a Rust/wasm page with no framework, on lifeline-ws's Rust API) built with
// wasm-pack, served from 127.0.0.1 and loaded in headless Chromium: it connects, says hello,
// gets its echo, lives through a server drop and a dead (mute) connection, and its event
// stream ends after close(). The page shows it all; this test reads the page.
//
//   node --test tests/rust-example/     (npm test runs it in layer 6)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, extname, join, normalize, sep } from "node:path";
import { startServer } from "../support/server.mjs";
import { launch, limit, withTimeout, ROOT_DIR } from "./support.mjs";

const EXAMPLE = join(ROOT_DIR, "examples", "rust");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm" };

let site, server, browser, page;
const pageErrors = [];

before(async () => {
  // The example as its README says to build it (wasm-pack and wasm-opt from the project's env).
  const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin");
  const PATH = [join(ROOT_DIR, "node_modules", ".bin"), cargoBin, process.env.PATH].join(delimiter);
  execFileSync("wasm-pack", ["build", "--release", "--target", "web", "--out-dir", "pkg", EXAMPLE], {
    cwd: ROOT_DIR,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PATH },
    timeout: 10 * 60 * 1000,
  });
  site = createServer(async (req, res) => {
    const path = normalize(new URL(req.url, "http://x").pathname.replace(/^\/$/, "/index.html"));
    const file = join(EXAMPLE, path);
    if (!file.startsWith(EXAMPLE + sep) || !(path === "/index.html" || path.startsWith("/pkg/"))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  server = await startServer({ echo: true, pong: true });
  browser = await launch();
  page = await browser.context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
  const ws = encodeURIComponent(server.url("/"));
  await page.goto(`http://127.0.0.1:${site.address().port}/?ws=${ws}`, { timeout: limit(30000) });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
});

const text = (id) => page.locator("#" + id).textContent();
const log = () => page.locator("#log li").allTextContents();

/** Waits until the page satisfies `check` (polled), or fails with the page's log. */
async function until(label, check, timeout = 10000) {
  const deadline = Date.now() + limit(timeout);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`${label}: not within ${timeout} ms; log: ${(await log()).join(" | ")}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test("the Rust example connects, says hello and gets its echo", async () => {
  await until("open", async () => (await text("state")) === "open");
  await until("echo of hello 1", async () => (await log()).includes("message: hello 1"));
  assert.equal(await text("messages"), "1");
  await until("a heartbeat RTT", async () => (await text("rtt")).endsWith(" ms"));
  assert.deepEqual(server.messages.filter((m) => m !== "ping"), ["hello 1"]);
});

test("it reconnects after the server drops the connection", async () => {
  await server.closeAll(4000, "drop");
  await until("reconnect", async () => (await text("reconnects")) === "1");
  const lines = await log();
  assert.ok(lines.includes("close 4000 drop"), lines.join(" | "));
  await until("echo of hello 2", async () => (await log()).includes("message: hello 2"));
});

test("it notices a dead connection within interval + timeout, and replaces it", async () => {
  server.set({ pong: false, echo: false, mute: true });
  const muted = Date.now();
  await until("heartbeat timeout", async () => (await log()).some((l) => l.startsWith("close 1006 heartbeat timeout")), 6000);
  const detected = Date.now() - muted;
  console.log(`# dead connection detected after ${detected} ms (heartbeat 1000 + 1000)`);
  server.set({ pong: true, echo: true, mute: false });
  await until("second reconnect", async () => (await text("reconnects")) === "2", 8000);
});

test("after close() the event stream ends, and nothing is left running", async () => {
  await withTimeout(page.evaluate(() => window.app.close()), limit(5000), "app.close()");
  await until("stream ended", async () => (await text("state")) === "ended");
  const lines = await log();
  assert.ok(lines.includes("close 1000  (for good)"), lines.join(" | "));
  assert.equal(lines.at(-1), "the event stream ended");
  await server.waitFor(() => server.live === 0, { timeout: limit(5000), label: "server sees the close" });
  assert.deepEqual(pageErrors, []);
});

test("dropping the App (its Socket) closes the connection with 1000", async () => {
  const before = server.connections;
  const url = server.url("/");
  await page.evaluate((u) => (window.second = new window.App(u)), url);
  await server.waitFor(() => server.connections === before + 1 && server.live === 1, {
    timeout: limit(5000),
    label: "the second app connects",
  });
  const closed = new Promise((resolve) => server.once("disconnect", (_conn, code) => resolve(code)));
  await page.evaluate(() => window.second.free());
  assert.equal(await withTimeout(closed, limit(5000), "the server sees the close"), 1000);
  assert.equal(server.live, 0);
  assert.deepEqual(pageErrors, []);
});
