// Size: each library bundled for the browser with esbuild (ESM, minified, platform browser,
// the package's own entry as a user's bundler would pick it), gzip -9. lifeline-ws is the
// packed package (its wasm inlined in the JavaScript); its wasm alone and its JavaScript less
// the inlined wasm are shown too. Budget: 15 KB gzip for lifeline-ws (issue 14; docs/design.md).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { constants, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { ROOT, kb, table } from "../lib.mjs";

export const BUDGET = 15 * 1024; // the package's budget (docs/design.md), in npm run size's KB
const gzip = (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;

const ENTRIES = {
  "lifeline-ws": 'export { LifelineSocket } from "lifeline-ws";',
  "reconnecting-websocket": 'export { default } from "reconnecting-websocket";',
  "partysocket": 'export { default } from "partysocket/ws";',
  "partysocket (PartySocket class)": 'export { default } from "partysocket";',
  "sockette": 'export { default } from "sockette";',
  "websocket-ts": 'export { WebsocketBuilder, ExponentialBackoff } from "websocket-ts";',
};

export async function run(ctx) {
  const rows = [];
  const data = {};
  for (const [name, contents] of Object.entries(ENTRIES)) {
    const out = await build({
      stdin: { contents, resolveDir: ROOT, loader: "js" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: ["chrome96", "firefox93", "safari15"],
      legalComments: "none",
      charset: "ascii",
      write: false,
      logLevel: "silent",
      alias: { "lifeline-ws": ctx.lifelineModule },
    });
    const bytes = out.outputFiles[0].contents;
    data[name] = { raw: bytes.length, gzip: gzip(bytes) };
  }
  const wasm = readFileSync(ctx.lifelineWasm);
  data["lifeline-ws"].wasmRaw = wasm.length;
  data["lifeline-ws"].wasmGzip = gzip(wasm);
  const l = data["lifeline-ws"];
  for (const [name, d] of Object.entries(data)) {
    const over = name == "lifeline-ws" ? (d.gzip > BUDGET ? `**over** by ${kb(d.gzip - BUDGET)}` : "within") : "";
    rows.push([name, kb(d.raw), `**${kb(d.gzip)}**`, over]);
  }
  rows.push(["└ lifeline-ws: the wasm alone (.wasm file, not inlined)", kb(l.wasmRaw), kb(l.wasmGzip), ""]);
  rows.push(["└ lifeline-ws: the rest (glue + facade + inlining)", "", kb(l.gzip - l.wasmGzip), ""]);
  rows.push(["raw WebSocket (built in)", "0", "0", ""]);
  const markdown = table(["library (esbuild, ESM, minified)", "min", "min + gzip -9", `budget ${kb(BUDGET)} (lifeline-ws)`], rows, ["l", "r", "r", "l"]);
  ctx.log(markdown);
  return { data, markdown };
}
