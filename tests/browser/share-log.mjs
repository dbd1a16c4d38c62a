// The log server of the share fixture (pages/share.html): each page posts its events there,
// in order; used by tests/browser/share.test.mjs and bench/scenarios/share.mjs.

import { createServer } from "node:http";
import { limit } from "./browser.mjs";

/** Where the pages post their events: entries in arrival order (each page's in its order). */
export async function startLog() {
  const entries = [];
  const waiters = new Set();
  const http = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      try {
        for (const e of JSON.parse(body)) entries.push(e);
      } catch {}
      res.writeHead(204, { "access-control-allow-origin": "*" });
      res.end();
      for (const w of [...waiters]) w();
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  const log = {
    entries,
    url: `http://127.0.0.1:${http.address().port}/log`,
    of: (page, type) => entries.filter((e) => e.page === page && (!type || e.type === type)),
    /** Resolves once `predicate()` holds (checked at each post), or rejects after `timeout`. */
    until(predicate, label, timeout = limit(15000)) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          const pages = [...new Set(entries.map((e) => e.page))];
          const tail = pages.map((p) => `${p}: ${log.of(p).slice(-12).map((e) => e.type + (e.state ? `(${e.state})` : e.data ? `(${e.data})` : "")).join(" ")}`);
          reject(new Error(`timed out after ${timeout} ms waiting for ${label}\n  ${tail.join("\n  ")}`));
        }, timeout);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    stop() {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(resolve));
    },
  };
  return log;
}

