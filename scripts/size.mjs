// Prints what the package costs over the wire (`npm run size`, after `npm run build`):
// gzip -9 of the .wasm alone and of dist/lifeline-ws.mjs (wasm inlined + glue + facade),
// against the 15 KB budget (issue 14; docs/design.md), and of the share entry: its own file,
// and the two as one bundle (what an app that imports lifeline-ws/share loads). A report: it
// never fails on the number.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET = 15 * 1024;

const gzip = (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
const kb = (n) => (n / 1024).toFixed(1) + " KB";

const rows = [
  ["pkg/web/lifeline_ws_bg.wasm", "wasm alone"],
  ["dist/lifeline-ws.mjs", "package: wasm (inlined) + glue + facade"],
  ["dist/lifeline-ws.cjs", "the same, CommonJS"],
  ["dist/share.mjs", "the share entry, over the main one"],
];
console.log("file                          raw        gzip -9    what");
let wasmGz, total;
for (const [file, what] of rows) {
  let bytes;
  try {
    bytes = readFileSync(join(root, file));
  } catch {
    console.log(`${file.padEnd(30)}missing (run npm run build)`);
    continue;
  }
  const gz = gzip(bytes);
  if (file.endsWith(".wasm")) wasmGz = gz;
  if (file == "dist/lifeline-ws.mjs") total = gz;
  console.log(`${file.padEnd(30)}${kb(bytes.length).padEnd(11)}${kb(gz).padEnd(11)}${what}`);
}
if (total !== undefined && wasmGz !== undefined)
  console.log(`of which glue + facade + inlining: ${kb(total - wasmGz)} (the package less the wasm alone)`);
try {
  const both = Buffer.concat(["dist/lifeline-ws.mjs", "dist/share.mjs"].map((f) => readFileSync(join(root, f))));
  console.log(`main + share entries, as one file: ${kb(gzip(both))} gzip -9 (lifeline-ws/share)`);
} catch {}
if (total !== undefined) {
  const margin = BUDGET - total;
  console.log(
    `budget: ${kb(total)} of ${kb(BUDGET)} gzip -9 (${margin >= 0 ? kb(margin) + " to spare" : kb(-margin) + " OVER"})`,
  );
}
