// Smoke test of the wasm package built by scripts/test.sh
// (wasm-pack build --release --target nodejs --out-dir pkg/smoke --out-name lifeline_ws):
// the module is a real wasm file, it loads in Node, and it was built from this crate.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");
const pkg = path.join(root, "pkg", "smoke"); // where scripts/test.sh builds it
const wasmFile = path.join(pkg, "lifeline_ws_bg.wasm");

// The `version` of the [package] table in Cargo.toml.
function crateVersion() {
  const toml = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8");
  let table = "";
  for (const line of toml.split(/\r?\n/)) {
    const header = line.match(/^\s*\[([^\]]+)\]\s*(#.*)?$/);
    if (header) {
      table = header[1].trim();
      continue;
    }
    const version = line.match(/^\s*version\s*=\s*"([^"]+)"/);
    if (table === "package" && version) return version[1];
  }
  throw new Error("no version in the [package] table of Cargo.toml");
}

test("pkg/smoke holds a WebAssembly module", () => {
  assert.ok(fs.existsSync(wasmFile), `${wasmFile} is missing`);
  const head = fs.readFileSync(wasmFile).subarray(0, 4);
  assert.deepEqual([...head], [0x00, 0x61, 0x73, 0x6d], "file does not start with \\0asm");
});

test("the module loads and version() is the crate's version", () => {
  const lifeline = require("../../pkg/smoke/lifeline_ws.js");
  assert.equal(typeof lifeline.version, "function");
  assert.equal(lifeline.version(), crateVersion());
});
