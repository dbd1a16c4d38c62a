// Assembles the npm package in dist/ (`npm run build`):
//   1. wasm-pack build --release --target web → pkg/web/ (glue + .wasm), unless --no-wasm
//   2. pkg/web/lifeline_ws_bytes.js: the .wasm inlined as a string, so loading is
//      synchronous everywhere (no fetch, no top-level await, no bundler plugin), and a
//      function that decodes it. Only printable ASCII without quotes, backslash, `$` or
//      backtick: the 88 most frequent bytes are one char each, the others a marker and a
//      char. Printable, because an escape (`\x00`, frequent in wasm) takes four chars; ASCII,
//      because a consumer's bundler re-prints the string: webpack's Terser and Vite write
//      chars above 0x7f as raw UTF-8, and a classic script on a page that declares no
//      charset is then read as windows-1252, which garbled the module ("unknown type form").
//      Gzip, for a 23 KB module of 11.1 KB gzip: 11.3 KB with the table, where a byte below
//      0x80 as itself (escaped when not printable) and a marker above took 13.4 KB, and
//      base64 more (it splits bytes across chars, which hides repeats from gzip). The round
//      trip and the bundles' ASCII are checked below.
//   3. esbuild: js/lifeline-ws.js + glue + bytes → dist/lifeline-ws.mjs and .cjs, minified
//      (then Terser over each)
//   4. the share entry (js/share-entry.js → dist/share.mjs and .cjs), importing the main one
//   5. the types: dist/lifeline-ws.d.ts and dist/share.d.ts (and .d.mts / .d.cts for import /
//      require under node16 resolution; the package has no "type": "module")
// wasm-pack must find wasm-bindgen and npm binaryen's wasm-opt first on PATH (scripts/env.sh);
// this script puts node_modules/.bin and ~/.cargo/bin in front itself.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { minify } from "terser";
import { blankPanicData } from "./blank-panic-data.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "pkg", "web");
const dist = join(root, "dist");

// Browsers with wasm reference types (which wasm-bindgen's glue uses), and Node 18+.
const target = ["chrome96", "edge96", "firefox93", "safari15", "node18"];

if (!process.argv.includes("--no-wasm")) {
  const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin");
  const PATH = [join(root, "node_modules", ".bin"), cargoBin, process.env.PATH].join(delimiter);
  execFileSync(
    "wasm-pack",
    // The core alone: the `npm` feature (its export layer and allocator), without the Rust API.
    ["build", "--release", "--target", "web", "--out-dir", "pkg/web", "--out-name", "lifeline_ws", "--", "--no-default-features", "--features", "npm"],
    { cwd: root, stdio: "inherit", env: { ...process.env, PATH } },
  );
  // The data no code reads (panic texts, the digit table), zeroed: scripts/blank-panic-data.mjs.
  const file = join(out, "lifeline_ws_bg.wasm");
  writeFileSync(file, blankPanicData(readFileSync(file)));
}

// The module pkg/web/lifeline_ws_bytes.js: `wasmBytes()` returns the module's bytes, decoded
// from a string of printable ASCII with no quote, backslash, `$` or backtick (see 2. above):
// no escape in any string literal, however a bundler re-prints it.
const PRINTABLE = [];
const EXCLUDED = [34, 36, 39, 92, 96]; // " $ ' \ `
for (let c = 0x20; c < 0x7f; c++) if (!EXCLUDED.includes(c)) PRINTABLE.push(c);
const MARKERS = 2; // the first two printable chars start two-char codes
const SYMBOLS = PRINTABLE.length - MARKERS; // 88: the single-char codes, and the second chars

function bytesModule(bytes) {
  // The 88 most frequent bytes (one char each), then the rest (two chars each), each group in
  // byte order: the table is then a set, 256 bits in 64 hex digits (where the bytes by rank
  // took 176 digits, which gzip barely shrinks: 0.06 KB more, and the text no smaller).
  const counts = new Array(256).fill(0);
  for (const b of bytes) counts[b]++;
  const top = new Set([...Array(256).keys()].sort((a, b) => counts[b] - counts[a] || a - b).slice(0, SYMBOLS));
  const order = [...top].sort((a, b) => a - b).concat([...Array(256).keys()].filter((b) => !top.has(b)));
  if (256 - SYMBOLS > MARKERS * SYMBOLS) throw new Error("build: too few printable chars for the codes");
  const code = new Array(256);
  order.forEach((b, rank) => {
    const r = rank - SYMBOLS;
    code[b] = r < 0 ? String.fromCharCode(PRINTABLE[MARKERS + rank]) : String.fromCharCode(PRINTABLE[Math.floor(r / SYMBOLS)], PRINTABLE[MARKERS + (r % SYMBOLS)]);
  });
  let text = "";
  for (const b of bytes) text += code[b];
  let set = "";
  for (let d = 0; d < 64; d++) set += [0, 1, 2, 3].reduce((v, k) => v | (top.has(d * 4 + k) << k), 0).toString(16);
  return `// Generated by scripts/build-package.mjs: lifeline_ws_bg.wasm (${bytes.length} bytes), as printable ASCII.
const text = "${text}";
// The ${SYMBOLS} most frequent bytes, as a set: bit k of hex digit d is byte 4d + k.
const set = "${set}";

/**
 * The module's bytes. The chars are the printable ones without quote, backslash, \`$\` or
 * backtick, numbered in order; the first two are markers. Any other char n stands for the
 * byte of rank n - 2; a marker m followed by char n for the byte of rank 88 + 88 m + n - 2.
 * The bytes in \`set\` have ranks 0-87, in byte order; the others follow, in byte order.
 */
export default function wasmBytes() {
  const index = new Uint8Array(128);
  for (let c = 32, n = 0; c < 127; c++) if (![${EXCLUDED}].includes(c)) index[c] = n++;
  const byte = new Uint8Array(256); // by rank (once, not per byte)
  for (let pass = 1, r = 0; pass >= 0; pass--)
    for (let b = 0; b < 256; b++) if (((parseInt(set[b >> 2], 16) >> (b & 3)) & 1) == pass) byte[r++] = b;
  const bytes = new Uint8Array(${bytes.length});
  for (let i = 0, j = 0; i < text.length; j++) {
    let n = index[text.charCodeAt(i++)] - ${MARKERS};
    if (n < 0) n = ${SYMBOLS} * (n + ${MARKERS + 1}) + index[text.charCodeAt(i++)] - ${MARKERS};
    bytes[j] = byte[n];
  }
  return bytes;
}
`;
}

const wasm = readFileSync(join(out, "lifeline_ws_bg.wasm"));
// Glue and module must come from the same wasm-bindgen run (its import names carry a hash):
// a build that ran meanwhile could have replaced one of them.
const glue = readFileSync(join(out, "lifeline_ws.js"), "utf8");
const stray = WebAssembly.Module.imports(new WebAssembly.Module(wasm)).filter((i) => !glue.includes(i.name));
if (stray.length)
  throw new Error(`build: pkg/web's glue and .wasm are from different builds (${stray[0].name}); build again`);
// The glue's own loaders take a URL, a Response, a Module or bytes, and warn about
// deprecated parameters (and the asynchronous one's default, a `new URL("lifeline_ws_bg.wasm",
// import.meta.url)`, makes webpack and Vite look for a .wasm file the package does not ship).
// The package has the bytes: it instantiates them through two functions added here over the
// glue's own two steps (its imports, and what follows instantiation), and the glue's loaders
// are left out of the bundle (esbuild drops what nothing imports): 0.6 KB gzip less.
// (Idempotent: a --no-wasm build finds them added.)
const INSTANTIATE = `
// Added by scripts/build-package.mjs: instantiating the inlined bytes, synchronously or not.
export function instantiateSync(bytes) {
    const module = new WebAssembly.Module(bytes);
    return __wbg_finalize_init(new WebAssembly.Instance(module, __wbg_get_imports()), module);
}
export function instantiate(bytes) {
    return WebAssembly.instantiate(bytes, __wbg_get_imports()).then((r) => __wbg_finalize_init(r.instance, r.module));
}
`;
for (const name of ["function __wbg_get_imports()", "function __wbg_finalize_init(instance, module)"])
  if (!glue.includes(name)) throw new Error(`build: the wasm-bindgen glue changed: no ${name} (update INSTANTIATE)`);
let patched = glue;
// wasm-bindgen's start fills its externref table's first slots (undefined, null, true,
// false), which only JS values crossing the boundary are read from. None crosses here (the
// module takes and gives numbers): the glue names the table nowhere else, and the import
// stays, empty (0.05 KB gzip). A JS value crossing one day would fail the build here.
const EXTERNREFS = /(__wbindgen_init_externref_table: function\(\) \{)[^}]*(\})/;
if (EXTERNREFS.test(patched)) {
  const uses = patched.replace(EXTERNREFS, "").match(/externref/gi) ?? [];
  if (uses.length) throw new Error("build: a JS value crosses the wasm boundary (the glue uses its externref table); the npm core takes numbers only");
  patched = patched.replace(EXTERNREFS, "$1$2");
} else if (!/__wbindgen_init_externref_table: function\(\) \{\}/.test(patched))
  throw new Error("build: the wasm-bindgen glue changed: no __wbindgen_init_externref_table (update EXTERNREFS)");
if (!patched.includes(INSTANTIATE)) {
  // A --no-wasm build after an older one of this script: its addition goes first.
  const at = patched.indexOf("\n// Added by scripts/build-package.mjs");
  patched = (at < 0 ? patched : patched.slice(0, at)) + INSTANTIATE;
}
if (patched !== glue) writeFileSync(join(out, "lifeline_ws.js"), patched);
writeFileSync(join(out, "lifeline_ws_bytes.js"), bytesModule(wasm));

// Built in pkg/ (git-ignored) and swapped in at the end, so a reader of dist/ never sees half a build.
const next = join(root, "pkg", "dist.next");
rmSync(next, { recursive: true, force: true });
mkdirSync(next);
const common = {
  entryPoints: [join(root, "js", "lifeline-ws.js")],
  bundle: true,
  minify: true,
  target,
  legalComments: "none",
  charset: "ascii", // any char >= 0x80 (the glue's, the facade's) stays an escape
  logLevel: "warning",
};
await build({ ...common, format: "esm", outfile: join(next, "lifeline-ws.mjs") });
// The glue's own loader, left out, mentions import.meta.url: not a concern of the CJS build.
const cjsQuiet = { logOverride: { "empty-import-meta": "silent" } };
await build({ ...common, ...cjsQuiet, format: "cjs", outfile: join(next, "lifeline-ws.cjs") });
// The share entry (`lifeline-ws/share`): js/share-entry.js and js/share.js, importing the
// main entry's file of the same format (not a copy of it: one module, one wasm instance).
const mainEntry = (ext) => ({
  name: "main-entry",
  setup(b) {
    b.onResolve({ filter: /^\.\/lifeline-ws\.js$/ }, () => ({ path: "./lifeline-ws" + ext, external: true }));
  },
});
const shareEntry = { ...common, entryPoints: [join(root, "js", "share-entry.js")] };
await build({ ...shareEntry, format: "esm", outfile: join(next, "share.mjs"), plugins: [mainEntry(".mjs")] });
await build({ ...shareEntry, format: "cjs", outfile: join(next, "share.cjs"), plugins: [mainEntry(".cjs")] });
// Terser over esbuild's output: its compressor finds what esbuild's minifier leaves (0.25 KB
// gzip of the package). pure_getters off: a property read may be a user's getter, which
// must run (options are read once, each field once).
for (const file of ["lifeline-ws.mjs", "lifeline-ws.cjs", "share.mjs", "share.cjs"]) {
  const path = join(next, file);
  const code = readFileSync(path, "utf8");
  const terse = await minify(code, {
    module: file.endsWith(".mjs"),
    ecma: 2020,
    compress: { passes: 3, inline: 1, pure_getters: false },
    format: { ascii_only: true },
  });
  writeFileSync(path, file.startsWith("share") ? terse.code : wasmLast(terse.code));
}

// The inlined module's string moved to the end of the bundle: its top-level `var` is
// declared last (its value is read only when the first socket is made, after the module
// ran), so gzip codes the JS and the wasm in blocks of their own instead of blocks mixing
// both (0.05 KB). Checked: the declaration is at the top level, and the bundle is loaded
// and makes a socket below.
function wasmLast(code) {
  const text = /const text = "([^"]*)";/.exec(readFileSync(join(out, "lifeline_ws_bytes.js"), "utf8"))[1];
  const at = code.indexOf(text);
  const quote = code[at - 1];
  if (at < 0 || code.indexOf(text, at + 1) >= 0 || code[at + text.length] !== quote || !`"'`.includes(quote))
    throw new Error("build: the wasm string is not once in the bundle, quoted");
  const declared = /(var |,)([\w$]+)=$/.exec(code.slice(0, at - 1));
  const depth = [...code.slice(0, at)].reduce((d, c) => d + (c == "{") - (c == "}"), 0);
  if (!declared || depth !== 0) throw new Error("build: the wasm string is not a top-level var of its own");
  const name = declared[2];
  const after = code[at + text.length + 1];
  let rest;
  if (declared[1] == "var " && after == ";") rest = code.slice(0, declared.index) + code.slice(at + text.length + 2);
  else if (after == "," || after == ";") rest = code.slice(0, declared.index + (declared[1] == "var " ? 4 : 0)) + code.slice(at + text.length + (declared[1] == "var " ? 2 : 1));
  else throw new Error("build: the wasm string's declaration has an unexpected shape");
  return rest + `\nvar ${name}=${quote}${text}${quote};\n`;
}

// The inlined string, as esbuild prints it, must still decode to the module byte for byte;
// printed as UTF-8 too (as Vite does), it must stay ASCII.
const printed = await build({ ...common, entryPoints: [join(out, "lifeline_ws_bytes.js")], format: "cjs", write: false });
const module = { exports: {} };
new Function("module", "exports", printed.outputFiles[0].text)(module, module.exports);
if (!Buffer.from(module.exports.default()).equals(wasm))
  throw new Error("build: the inlined wasm bytes do not round-trip through esbuild");
const utf8 = await build({ ...common, charset: "utf8", entryPoints: [join(out, "lifeline_ws_bytes.js")], write: false });
for (const file of [utf8.outputFiles[0].path, ...["lifeline-ws.mjs", "lifeline-ws.cjs", "share.mjs", "share.cjs"].map((f) => join(next, f))]) {
  const bytes = file.startsWith(next) ? readFileSync(file) : utf8.outputFiles[0].contents;
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`build: ${file} is not ASCII (byte ${bytes[at]} at ${at})`);
}
// No text crosses into wasm or out of it (close reasons are ids; the module throws nothing):
// no string glue in the bundles.
for (const file of [join(next, "lifeline-ws.mjs"), join(next, "lifeline-ws.cjs")]) {
  const glueText = /TextEncoder|TextDecoder|passStringToWasm/.exec(readFileSync(file, "utf8"));
  if (glueText) throw new Error(`build: ${file} holds wasm-bindgen's string glue (${glueText[0]})`);
}

const types = join(root, "js", "lifeline-ws.d.ts");
const shareTypes = readFileSync(join(root, "js", "share-entry.d.ts"), "utf8");
for (const [ext, js] of [[".d.ts", ".js"], [".d.mts", ".mjs"], [".d.cts", ".cjs"]]) {
  copyFileSync(types, join(next, "lifeline-ws" + ext));
  // Each imports the main entry's types of its kind (node16 resolution: ./lifeline-ws.mjs → .d.mts).
  writeFileSync(join(next, "share" + ext), shareTypes.replaceAll('"./lifeline-ws.js"', `"./lifeline-ws${js}"`));
}
// Both bundles load, and decode and compile their wasm: a socket is made (closed, so
// nothing connects).
for (const file of ["lifeline-ws.mjs", "lifeline-ws.cjs"]) {
  const { LifelineSocket } = file.endsWith(".mjs") ? await import(pathToFileURL(join(next, file)).href) : createRequire(import.meta.url)(join(next, file));
  if (new LifelineSocket("ws://127.0.0.1:9/", undefined, { WebSocket: function () {}, startClosed: true }).state !== "closed")
    throw new Error(`build: ${file} does not make a socket`);
}
rmSync(dist, { recursive: true, force: true });
renameSync(next, dist);

console.log("build: dist/{lifeline-ws,share}.{mjs,cjs,d.ts,d.mts,d.cts} (npm run size for the figures)");
