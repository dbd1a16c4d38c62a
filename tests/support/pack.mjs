// The package as users get it: build, `npm pack`, install the tarball into a scratch project,
// and import it from there (never from ../../js or ../../dist).
//
//   import { installPacked, importPacked } from "../support/pack.mjs";
//   const { LifelineSocket } = await importPacked();
//   const info = await installPacked();  // { dir, tarball, esmEntry, cjsEntry, require, ... }
//
// The result is cached in <tmpdir>/lifeline-ws-e2e/, keyed by a hash of the build's inputs
// (package.json, Cargo.*, src/, js/, scripts/, the files package.json ships), so the test
// files of one run — each in its own process, maybe in parallel — and later runs with
// unchanged sources share one build and one install; a lock directory serialises the work.
// To force a new build + pack + install: rm -rf "$(node -p 'require("os").tmpdir()')/lifeline-ws-e2e".
//
// The scratch project holds: node_modules/lifeline-ws (from the tarball), node_modules/ws (a
// copy of the repo's devDependency), entry.mjs (`export * from "lifeline-ws"`) and entry.cjs
// (`module.exports = require("lifeline-ws")`), so imports resolve exactly as in a user's
// project (package.json "exports", conditions and all).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CACHE = path.join(os.tmpdir(), "lifeline-ws-e2e");
const LOCK = path.join(CACHE, "lock");
const LOCK_WAIT_MS = 15 * 60 * 1000;
const LOCK_STALE_MS = 20 * 60 * 1000;

let memo = null; // per process

/** Build, pack and install once (per source fingerprint); returns where to import from. */
export function installPacked() {
  memo ??= Promise.resolve().then(installPackedSync);
  return memo;
}

/**
 * The package's ESM namespace, imported from the scratch project; with `subpath` ("share"),
 * that entry's (`lifeline-ws/share`), resolved through the package's "exports" as a user's is.
 */
export async function importPacked(subpath) {
  const info = await installPacked();
  if (!subpath) return import(info.esmEntry);
  const file = path.join(info.dir, `entry-${subpath}.mjs`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, `export * from "lifeline-ws/${subpath}";\n`);
  return import(pathToFileURL(file).href);
}

/** The package through require() (CommonJS), from the scratch project. */
export async function requirePacked() {
  const info = await installPacked();
  return info.require(info.cjsEntry);
}

// ---------------------------------------------------------------------------------------

function installPackedSync() {
  fs.mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const hit = cached(fingerprint());
    if (hit) return hit;
    if (tryLock()) {
      try {
        // Someone may have finished while we waited for the lock.
        const fp = fingerprint();
        return cached(fp) ?? build(fp);
      } finally {
        fs.rmSync(LOCK, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`pack: waited ${LOCK_WAIT_MS} ms for ${LOCK}`);
    sleepSync(250);
  }
}

function tryLock() {
  try {
    fs.mkdirSync(LOCK);
    fs.writeFileSync(path.join(LOCK, "owner"), `${process.pid}\n`);
    return true;
  } catch (err) {
    if (err.code !== "EEXIST") throw err;
    // A lock whose owner is gone (or that is very old) is stale.
    let pid = NaN;
    let age = 0;
    try {
      pid = Number(fs.readFileSync(path.join(LOCK, "owner"), "utf8"));
      age = Date.now() - fs.statSync(LOCK).mtimeMs;
    } catch {
      age = Date.now() - safeMtime(LOCK);
      if (age < 5000) return false; // being created right now
    }
    if (age > LOCK_STALE_MS || (Number.isInteger(pid) && pid > 0 && !alive(pid))) {
      fs.rmSync(LOCK, { recursive: true, force: true });
    }
    return false;
  }
}

function safeMtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return Date.now();
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

function sleepSync(delay) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
}

/** A hash of everything the build and the tarball are made from. */
function fingerprint() {
  const h = createHash("sha256");
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  const roots = new Set(["package.json", "Cargo.toml", "Cargo.lock", "src", "js", "scripts"]);
  for (const f of pkg.files ?? []) {
    const top = f.replace(/^\.\//, "").split("/")[0];
    if (top && !top.includes("*") && top !== "dist" && top !== "pkg") roots.add(top);
  }
  for (const f of ["README.md", "LICENSE", "CHANGELOG.md"]) roots.add(f);
  const files = [];
  const walk = (rel) => {
    const abs = path.join(REPO, rel);
    let st;
    try {
      st = fs.statSync(abs);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) {
        if (name === "node_modules" || name === "target" || name.startsWith(".")) continue;
        walk(path.join(rel, name));
      }
    } else if (st.isFile()) files.push(rel);
  };
  for (const r of [...roots].sort()) walk(r);
  for (const rel of files) {
    h.update(rel + "\0");
    h.update(fs.readFileSync(path.join(REPO, rel)));
    h.update("\0");
  }
  h.update(process.version);
  return h.digest("hex").slice(0, 16);
}

function cached(fp) {
  const dir = path.join(CACHE, `install-${fp}`);
  const stamp = path.join(dir, "ready.json");
  if (!fs.existsSync(stamp)) return null;
  return describe(dir, JSON.parse(fs.readFileSync(stamp, "utf8")));
}

function describe(dir, stamp) {
  const esm = path.join(dir, "entry.mjs");
  const cjs = path.join(dir, "entry.cjs");
  return {
    dir,
    fingerprint: stamp.fingerprint,
    tarball: stamp.tarball,
    version: stamp.version,
    esmEntry: pathToFileURL(esm).href,
    cjsEntry: cjs,
    require: createRequire(path.join(dir, "package.json")),
  };
}

function run(cmd, args, cwd, label) {
  const env = { ...process.env };
  const cargoBin = path.join(process.env.CARGO_HOME || path.join(os.homedir(), ".cargo"), "bin");
  env.PATH = [path.join(REPO, "node_modules", ".bin"), cargoBin, env.PATH].join(path.delimiter);
  // npm_config_* from an outer `npm run` must not leak into the scratch project's install.
  for (const k of Object.keys(env)) if (k.startsWith("npm_")) delete env[k];
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(
      `pack: ${label} failed (${cmd} ${args.join(" ")}, exit ${r.status ?? r.signal})\n` +
        `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r;
}

function build(fpBefore) {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  if (pkg.scripts?.build) run("npm", ["run", "build"], REPO, "npm run build");
  // The build may write generated inputs (e.g. into js/): key the cache by what it left.
  const fp = fingerprint();
  const dir = path.join(CACHE, `install-${fp}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const packDir = path.join(dir, "tarball");
  fs.mkdirSync(packDir, { recursive: true });
  // --ignore-scripts: dist/ was just built above; the prepack script would build it again
  // (tests/consumers/pack.test.mjs checks that prepack builds, from a clean copy).
  run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", packDir], REPO, "npm pack");
  const tgz = fs.readdirSync(packDir).filter((f) => f.endsWith(".tgz"));
  if (tgz.length !== 1) throw new Error(`pack: expected one tarball in ${packDir}, found ${tgz}`);
  const tarball = path.join(packDir, tgz[0]);

  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "lifeline-ws-e2e-consumer", version: "1.0.0", private: true }, null, 2) + "\n",
  );
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock", tarball],
    dir,
    "npm install <tarball>",
  );
  const wsTarget = path.join(dir, "node_modules", "ws");
  if (!fs.existsSync(wsTarget)) {
    fs.cpSync(path.join(REPO, "node_modules", "ws"), wsTarget, { recursive: true });
  }
  fs.writeFileSync(path.join(dir, "entry.mjs"), 'export * from "lifeline-ws";\n');
  fs.writeFileSync(path.join(dir, "entry.cjs"), 'module.exports = require("lifeline-ws");\n');
  const installed = JSON.parse(
    fs.readFileSync(path.join(dir, "node_modules", "lifeline-ws", "package.json"), "utf8"),
  );
  const stamp = { fingerprint: fp, fingerprintBeforeBuild: fpBefore, tarball, version: installed.version };
  fs.writeFileSync(path.join(dir, "ready.json"), JSON.stringify(stamp, null, 2) + "\n");
  // Also remember it under the pre-build fingerprint, so an unchanged tree hits at once.
  if (fpBefore !== fp) {
    const alias = path.join(CACHE, `install-${fpBefore}`);
    fs.rmSync(alias, { recursive: true, force: true });
    fs.symlinkSync(dir, alias);
  }
  prune([dir, path.join(CACHE, `install-${fpBefore}`)]);
  return describe(dir, stamp);
}

/** Remove installs of older sources (untouched for an hour). */
function prune(keep) {
  for (const name of fs.readdirSync(CACHE)) {
    const p = path.join(CACHE, name);
    if (!name.startsWith("install-") || keep.includes(p)) continue;
    try {
      if (Date.now() - fs.lstatSync(p).mtimeMs > 3600 * 1000) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // another process pruned it
    }
  }
}

// `node tests/support/pack.mjs` builds/installs and prints where.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = Date.now();
  const info = await installPacked();
  console.log(JSON.stringify({ ...info, require: undefined, ms: Date.now() - t0 }, null, 2));
}
