// Smoke test of the npm package's wasm, built by scripts/test.sh as the package builds it but
// for Node (wasm-pack build --release --target nodejs --out-dir pkg/smoke --out-name
// lifeline_ws -- --no-default-features --features npm): the module is the core alone (it
// imports nothing of JS but wasm-bindgen's own intrinsics), it speaks the ABI the JS driver
// expects, and a thousand cores live in its initial memory.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");
const pkg = path.join(root, "pkg", "smoke"); // where scripts/test.sh builds it
const wasmFile = path.join(pkg, "lifeline_ws_bg.wasm");

// The ABI (src/npm/mod.rs: `slot`, `input`, `kind`, `field`).
const DEFAULTS = [1000, 30000, 2, Infinity, 5000, 10000, 25000, 10000, 1000, NaN, 3000, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0];
const START = 0, OPENED = 1, SEND = 6;
const OPEN = 1;
const ERROR = 0, STATE = 1, QUEUED = 6, GENERATION = 10, REASON = 15, HELD_REASON = 16;

// The calls over a handle, as js/core.js makes them of the glue's `core_*` functions
// (closed and close through core_input: src/npm/mod.rs, input::CLOSED, CLOSE, RECONNECT).
function coreOf(glue) {
  return class Core {
    constructor(values, high, low) {
      this.p = glue.core_new(values, high, low);
    }
    free() {
      glue.core_free(this.p);
    }
    query(what) {
      return glue.core_query(this.p, what);
    }
    poll() {
      return glue.core_poll(this.p);
    }
    input(input, generation, value, now) {
      return glue.core_input(this.p, input, generation, value, 0, now);
    }
    closed(generation, code, reason, clean, now) {
      glue.core_input(this.p, 16, generation, reason, code | (clean << 16), now);
    }
    close(reconnect, code, reason, bytes, now) {
      return glue.core_input(this.p, reconnect ? 18 : 17, bytes, reason, code ?? 65536, now);
    }
  };
}

// The glue, and the instance it made (caught on its way through WebAssembly.Instance, so
// the test can watch the memory).
let loaded;
function load() {
  if (!loaded) {
    const Instance = WebAssembly.Instance;
    let instance;
    WebAssembly.Instance = function (module, imports) {
      return (instance = new Instance(module, imports));
    };
    try {
      const glue = require("../../pkg/smoke/lifeline_ws.js");
      loaded = { Core: coreOf(glue), memory: () => instance.exports.memory };
    } finally {
      WebAssembly.Instance = Instance;
    }
  }
  return loaded;
}

test("pkg/smoke holds a WebAssembly module", () => {
  assert.ok(fs.existsSync(wasmFile), `${wasmFile} is missing`);
  const head = fs.readFileSync(wasmFile).subarray(0, 4);
  assert.deepEqual([...head], [0x00, 0x61, 0x73, 0x6d], "file does not start with \\0asm");
});

test("the module calls no JS: its only imports are wasm-bindgen's intrinsics", () => {
  const module = new WebAssembly.Module(fs.readFileSync(wasmFile));
  const imports = WebAssembly.Module.imports(module).map((i) => i.name);
  for (const name of imports) assert.match(name, /^__wbg___wbindgen_throw_|^__wbindgen_init_externref_table$/, `import ${name}`);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name).filter((n) => n.startsWith("core_"));
  assert.deepEqual(exports.sort(), ["core_free", "core_input", "core_new", "core_poll", "core_query"]);
});

test("a Core connects, queues and reports through the numeric ABI", () => {
  const { Core } = load();
  const core = new Core(new Float64Array(DEFAULTS), 1, 2);
  assert.equal(core.query(ERROR), 0);
  assert.equal(core.input(SEND, 0, 7, 0), 0, "queued while not started");
  assert.equal(core.query(QUEUED), 1);
  core.input(START, 0, 0, 0);
  const kinds = [];
  for (let k; (k = core.poll()) !== 0; ) kinds.push([k, core.query(GENERATION)]);
  assert.ok(kinds.some(([k, g]) => k === OPEN && g === 1), JSON.stringify(kinds));
  core.input(OPENED, 1, 0, 10);
  while (core.poll() !== 0);
  assert.equal(core.query(STATE), 1, "open");
  assert.equal(core.query(QUEUED), 0, "flushed");
  core.free();
});

test("a refused config answers a number, not a throw", () => {
  const { Core } = load();
  const values = [...DEFAULTS];
  values[2] = 0.5; // backoff.factor
  const core = new Core(new Float64Array(values), 0, 0);
  assert.equal(core.query(ERROR), 3 * 16 + 3, "(field 2 + 1) * 16 + FactorAtLeastOne");
  core.free();
});

test("a thousand cores fit in the initial memory; freeing them leaks nothing", () => {
  const { Core, memory } = load();
  const before = memory().buffer.byteLength;
  for (let round = 0; round < 20; round++) {
    const cores = [];
    for (let i = 0; i < 1000; i++) {
      const core = new Core(new Float64Array(DEFAULTS), i, round);
      for (let id = 0; id < 5; id++) core.input(SEND, 0, id, 0);
      core.input(START, 0, 0, 0);
      while (core.poll() !== 0) core.query(REASON);
      core.input(OPENED, 1, 0, 5);
      while (core.poll() !== 0) core.query(REASON);
      cores.push(core);
    }
    for (const core of cores) core.free();
  }
  assert.equal(memory().buffer.byteLength, before, "the wasm memory never grew");
});

test("reasons cross both ways as ids, a close's checked by its UTF-8 length; nothing leaks", () => {
  const { Core, memory } = load();
  const CLOSE = 5, EV_CLOSE = 11, CODE = 13, REASON_TOO_LONG = 4;
  // [id, bytes]: ids are the driver's to give (0 the empty reason, 1-8 the core's words).
  const reasons = [[0, 0], [9, 3], [4000000000, 17], [12, 123], [4294967295, 122]];
  const before = memory().buffer.byteLength;
  for (let round = 0; round < 2000; round++) {
    const core = new Core(new Float64Array(DEFAULTS), round, 0);
    core.input(START, 0, 0, 0);
    while (core.poll() !== 0);
    core.input(OPENED, 1, 0, 10);
    while (core.poll() !== 0);
    const [sent, bytes] = reasons[round % reasons.length];
    assert.equal(core.close(false, 4000, 77, 124, 20), REASON_TOO_LONG, "over 123 bytes");
    assert.equal(core.close(true, 4000, 77, 2 ** 32 - 1, 20), REASON_TOO_LONG, "the largest length");
    assert.equal(core.poll(), 0, "a refused close changes nothing");
    assert.equal(core.close(false, 4000, sent, bytes, 20), 0);
    let closing;
    for (let k; (k = core.poll()) !== 0; ) if (k === CLOSE) closing = [core.query(CODE), core.query(REASON)];
    assert.deepEqual(closing, [4000, sent], "close(code, reason) reaches the CLOSE command");
    const [heard] = reasons[(round + 1) % reasons.length];
    core.closed(1, 4001, heard, true, 30);
    let event;
    for (let k; (k = core.poll()) !== 0; ) if (k === EV_CLOSE) event = [core.query(CODE), core.query(REASON)];
    assert.deepEqual(event, [4001, heard], "the socket's close reason reaches the close event");
    assert.equal(core.query(HELD_REASON), 0, "the core holds no reason once its commands are polled");
    core.free();
  }
  assert.equal(memory().buffer.byteLength, before, "the wasm memory never grew");
});

test("the core's own words cross as their fixed ids (1-8, src/npm/mod.rs DROP_REASONS)", () => {
  const { Core } = load();
  const ABANDON = 6, RECONNECT_CALLED = 6, CLOSED_BY_USER = 5;
  const core = new Core(new Float64Array(DEFAULTS), 1, 2);
  core.input(START, 0, 0, 0);
  while (core.poll() !== 0);
  assert.equal(core.close(true, undefined, 0, 0, 5), 0, "reconnect() while connecting");
  const abandons = [];
  for (let k; (k = core.poll()) !== 0; ) if (k === ABANDON) abandons.push(core.query(REASON));
  assert.equal(core.close(false, undefined, 0, 0, 6), 0, "close() while connecting");
  for (let k; (k = core.poll()) !== 0; ) if (k === ABANDON) abandons.push(core.query(REASON));
  assert.deepEqual(abandons, [RECONNECT_CALLED, CLOSED_BY_USER]);
  core.free();
});

test("the data the npm build blanks (scripts/blank-panic-data.mjs) is never read", async () => {
  const { blankPanicData } = await import("../../scripts/blank-panic-data.mjs");
  const bytes = fs.readFileSync(wasmFile);
  const blanked = blankPanicData(bytes);
  assert.equal(blanked.length, bytes.length, "the layout stays");
  const zeroed = bytes.reduce((n, b, i) => n + (b !== blanked[i]), 0);
  assert.ok(zeroed > 300, `panic texts and the digit table were found (${zeroed} bytes zeroed)`);
  assert.ok(!blanked.includes(Buffer.from("capacity overflow")));
  // A copy of the package with the blanked module: it runs as the original does.
  const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "lifeline-blanked-"));
  try {
    for (const file of fs.readdirSync(pkg)) fs.copyFileSync(path.join(pkg, file), path.join(dir, file));
    fs.writeFileSync(path.join(dir, "lifeline_ws_bg.wasm"), blanked);
    const Core = coreOf(require(path.join(dir, "lifeline_ws.js")));
    const CLOSE = 5, CODE = 13;
    const values = [...DEFAULTS];
    values[2] = 0.5;
    const refused = new Core(new Float64Array(values), 0, 0);
    assert.equal(refused.query(ERROR), 3 * 16 + 3);
    refused.free();
    const core = new Core(new Float64Array(DEFAULTS), 1, 2);
    for (let id = 0; id < 100; id++) core.input(SEND, 0, id, 0);
    core.input(START, 0, 0, 0);
    while (core.poll() !== 0);
    core.input(OPENED, 1, 0, 10);
    while (core.poll() !== 0);
    assert.equal(core.query(QUEUED), 0, "flushed");
    assert.equal(core.close(false, 4000, 123456, 8, 20), 0);
    let closing;
    for (let k; (k = core.poll()) !== 0; ) if (k === CLOSE) closing = [core.query(CODE), core.query(REASON)];
    assert.deepEqual(closing, [4000, 123456]);
    core.free();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
