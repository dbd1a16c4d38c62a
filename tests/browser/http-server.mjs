// A tiny static HTTP server for the browser tests, on 127.0.0.1 only.
//
//   const site = await startSite();          // one handler, two ports (two origins)
//   site.url("/pages/lifecycle.html")        // http://127.0.0.1:<port>/pages/lifecycle.html
//   site.url("/pages/away.html", 1)          // the same path on the second origin
//   await site.stop();
//
// It serves:
//   /dist/<file>     the built package (dist/, built by `npm run build`)
//   /pages/<file>    the fixtures of tests/browser/pages/
// Nothing else (404). Responses carry `Cache-Control: no-cache` (revalidate, but never
// `no-store`, which would keep a page out of the back/forward cache) and no validators, so
// every load gets the current file. `requests` records every path asked for.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join, normalize, extname, sep } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, "..", "..");
const DIST = join(ROOT, "dist");
const PAGES = join(HERE, "pages");
export const BUNDLE = join(DIST, "lifeline-ws.mjs");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
};

/** Builds dist/ when the bundle is missing (`npm run build`, with the project's env). */
export function ensureBuilt() {
  if (existsSync(BUNDLE)) return;
  execFileSync("bash", ["-c", ". scripts/env.sh && npm run --silent build"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 600_000,
  });
  if (!existsSync(BUNDLE)) throw new Error(`build did not produce ${BUNDLE}`);
}

function resolvePath(pathname) {
  const routes = [
    ["/dist/", DIST],
    ["/pages/", PAGES],
  ];
  for (const [prefix, dir] of routes) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    if (!file.startsWith(dir + sep)) return null; // no way out of the folder
    return file;
  }
  return null;
}

/** Starts one handler on `origins` ports of 127.0.0.1. */
export async function startSite({ origins = 2 } = {}) {
  ensureBuilt();
  const requests = [];
  const sockets = new Set();
  const handler = async (req, res) => {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    requests.push(pathname);
    const file = resolvePath(pathname);
    let body;
    try {
      if (!file) throw new Error("no route");
      body = await readFile(file);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
    res.end(body);
  };
  const servers = [];
  for (let i = 0; i < origins; i++) {
    const server = createServer(handler);
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: 0, host: "127.0.0.1" }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    servers.push(server);
  }
  const ports = servers.map((s) => s.address().port);
  return {
    ports,
    requests,
    /** http://127.0.0.1:<port of origin `i`><path> */
    url(path = "/", i = 0) {
      return `http://127.0.0.1:${ports[i]}${path}`;
    },
    async stop() {
      const closed = servers.map((s) => new Promise((resolve) => s.close(() => resolve())));
      for (const s of sockets) s.destroy();
      await Promise.all(closed);
    },
  };
}
