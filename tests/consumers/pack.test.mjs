// `npm pack` on a fresh clone: the tarball must hold the built package (dist/), which only
// the build makes. package.json's "prepack" script (scripts/prepack.sh) builds it, or stops
// with what to run when the wasm toolchain is missing.
//
// A clean copy of the tree is made in $TMPDIR — the files git tracks plus the untracked ones
// it does not ignore (what a clone of this tree with its edits committed would hold): no
// dist/, no pkg/, no target/ — with node_modules linked to this repo's (what `npm install`
// leaves in a clone). `npm pack` runs there with the toolchain on PATH. Cargo builds into
// this repo's target/ (CARGO_TARGET_DIR), so only this crate compiles again, not its
// dependencies; its sources are the copy's.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { limit, spawnCollect } from "./harness.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PACK_TIMEOUT = limit(10 * 60 * 1000); // a cold release build of the crate on 2 cores, and npm pack
const DIST = ["lifeline-ws", "share"].flatMap((entry) => [".mjs", ".cjs", ".d.ts", ".d.mts", ".d.cts"].map((ext) => entry + ext));
const elapsed = (t0) => Math.round(performance.now() - t0);

let work;
let clone;
before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "lifeline-ws-clean-pack-"));
  clone = path.join(work, "clone");
  const t0 = performance.now();
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  let copied = 0;
  for (const rel of listed.split("\0").filter(Boolean)) {
    const from = path.join(REPO, rel);
    if (!fs.existsSync(from)) continue; // deleted in the work tree, not yet committed
    fs.mkdirSync(path.dirname(path.join(clone, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(clone, rel));
    copied++;
  }
  for (const dir of ["dist", "pkg", "target"]) assert.ok(!fs.existsSync(path.join(clone, dir)), `the copy has no ${dir}/`);
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(clone, "node_modules"));
  console.log(`clean copy: ${copied} files in ${elapsed(t0)} ms`);
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The environment of a user's shell: no npm_* from an outer `npm run`. */
function userEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) && !/^npm_config_(registry|cache|userconfig)$/i.test(k)) delete env[k];
  return env;
}

function tarList(tarball) {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""))
    .sort();
}

test("npm pack in a fresh clone builds first: the tarball holds dist/ (ESM, CJS, the .d.ts files) and nothing unbuilt", { timeout: PACK_TIMEOUT + limit(60000) }, async () => {
  const dest = path.join(work, "out");
  fs.mkdirSync(dest);
  const t0 = performance.now();
  const res = await spawnCollect("npm", ["pack", "--json", "--pack-destination", dest], {
    cwd: clone,
    env: userEnv({ CARGO_TARGET_DIR: path.join(REPO, "target") }),
    timeout: PACK_TIMEOUT,
  });
  const ms = elapsed(t0);
  assert.equal(res.code, 0, `npm pack failed (${res.code}${res.timedOut ? ", timed out" : ""}):\n${res.output.slice(-6000)}`);
  assert.match(res.output, /prepack: building dist\//, "the prepack script ran");
  const tgz = fs.readdirSync(dest).filter((f) => f.endsWith(".tgz"));
  assert.equal(tgz.length, 1, `one tarball: ${tgz}`);
  const files = tarList(path.join(dest, tgz[0]));
  for (const f of DIST) assert.ok(files.includes(`dist/${f}`), `dist/${f} in the tarball: ${files.join(" ")}`);
  for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md"]) assert.ok(files.includes(f), `${f} in the tarball`);
  const unexpected = files.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(f));
  assert.deepEqual(unexpected, [], "only dist/ and the docs ship");
  assert.ok(fs.existsSync(path.join(clone, "dist", "lifeline-ws.mjs")), "the build wrote the copy's dist/");
  const size = fs.statSync(path.join(dest, tgz[0])).size;
  console.log(`npm pack in the clean copy (prepack built dist/): ${ms} ms; ${tgz[0]}, ${size} bytes, ${files.length} files: ${files.join(" ")}`);
});

test("npm pack without the wasm toolchain stops with what to run, and makes no tarball", { timeout: limit(120000) }, async () => {
  // The copy again, without its build, and a PATH with node and npm but no cargo.
  fs.rmSync(path.join(clone, "dist"), { recursive: true, force: true });
  fs.rmSync(path.join(clone, "pkg"), { recursive: true, force: true });
  const dest = path.join(work, "out-no-toolchain");
  fs.mkdirSync(dest);
  const bare = path.join(work, "empty-cargo-home");
  fs.mkdirSync(bare, { recursive: true });
  const nodeDir = path.dirname(process.execPath);
  const PATH = [...new Set([nodeDir, "/usr/bin", "/bin"])].join(path.delimiter);
  const cargoOnPath = PATH.split(path.delimiter).some((d) => fs.existsSync(path.join(d, "cargo")));
  if (cargoOnPath) {
    console.log(`cargo is installed next to node (${nodeDir}): the toolchain cannot be hidden; skipped`);
    return;
  }
  const res = await spawnCollect("npm", ["pack", "--pack-destination", dest], {
    cwd: clone,
    env: userEnv({ PATH, CARGO_HOME: bare, RUSTUP_HOME: path.join(bare, "rustup") }),
    timeout: limit(90000),
  });
  assert.notEqual(res.code, 0, `npm pack must fail without the toolchain:\n${res.output}`);
  assert.match(res.output, /prepack: missing: cargo and rustup/);
  assert.match(res.output, /run `bash scripts\/bootstrap\.sh`/);
  assert.deepEqual(fs.readdirSync(dest), [], "no tarball");
  console.log(`without the toolchain: ${res.output.split("\n").filter((l) => l.startsWith("prepack:")).join(" | ")}`);
});
