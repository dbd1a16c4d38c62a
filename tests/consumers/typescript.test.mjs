// A strict TypeScript consumer, with TypeScript 7 and 5.9: a browser app under
// moduleResolution "bundler" (type-checked only), and a Node app under "node16" (ESM .mts
// and CommonJS .cts, which take the package's "import" and "require" types) compiled by tsc
// and run against a local server. Typed events, and `@ts-expect-error` lines that only pass
// when the types are precise (not `any`).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { startServer } from "../support/server.mjs";
import { runNode } from "../support/helpers.mjs";
import { converse, EXPECTED, install, limit, prepare, Transcript } from "./harness.mjs";

const TEST_TIMEOUT = limit(240000); // a bound for the whole test; every wait inside has its own

let srv;
let c;
before(async () => {
  const inst = await install();
  console.log(`consumers: ${inst.timing}`);
  srv = await startServer({ echo: true });
  c = await prepare("typescript");
});
after(async () => {
  c?.remove();
  await srv?.stop();
});

/** `node <tsc of package pkg> -p <config>` in the project; the compiler's version. */
async function tsc(pkg, config) {
  const require = createRequire(path.join(c.install.tools, "package.json"));
  const manifest = require.resolve(`${pkg}/package.json`);
  const { version, bin } = JSON.parse(fs.readFileSync(manifest, "utf8"));
  const bin_ = path.join(path.dirname(manifest), typeof bin === "string" ? bin : bin.tsc);
  const r = await c.exec(`node ${JSON.stringify(bin_)} -p ${config} --listFiles`, { label: `tsc ${version} -p ${config}` });
  return { version, ms: r.ms, types: typesOfPackage(r.output) };
}

/** The package's declaration files tsc read (from --listFiles). */
function typesOfPackage(output) {
  return [...output.matchAll(/node_modules[\\/]lifeline-ws[\\/](\S+)/g)].map((m) => m[1].replace(/\\/g, "/")).sort();
}

for (const [pkg, label] of [
  ["typescript", "TypeScript 7"],
  ["typescript5", "TypeScript 5.9"],
]) {
  test(`${label}: strict, moduleResolution "bundler" (a browser app): no errors, every @ts-expect-error used`, { timeout: TEST_TIMEOUT }, async () => {
    const r = await tsc(pkg, "tsconfig.bundler.json");
    console.log(`tsc ${r.version} -p tsconfig.bundler.json: ${r.ms} ms, read ${r.types.join(", ")}`);
    assert.deepEqual(r.types, ["dist/lifeline-ws.d.mts", "dist/share.d.mts"], "an import takes the \"import\" types, of either entry");
  });

  test(`${label}: strict, module/moduleResolution "node16" (.mts and .cts): compiles, and the output runs`, { timeout: TEST_TIMEOUT }, async () => {
    fs.rmSync(path.join(c.dir, "out"), { recursive: true, force: true });
    const r = await tsc(pkg, "tsconfig.node16.json");
    console.log(`tsc ${r.version} -p tsconfig.node16.json: ${r.ms} ms, read ${r.types.join(", ")}`);
    assert.deepEqual(r.types, ["dist/lifeline-ws.d.cts", "dist/lifeline-ws.d.mts"], ".cts takes the \"require\" types, .mts the \"import\" ones");
    for (const out of ["out/app.mjs", "out/app.cjs"]) {
      const code = fs.readFileSync(path.join(c.dir, out), "utf8");
      if (out.endsWith(".cjs")) assert.match(code, /require\("lifeline-ws"\)/, `${out} require()s the package`);
      else assert.match(code, /from "lifeline-ws"/, `${out} imports the package`);
      const transcript = new Transcript();
      const exited = runNode([out, srv.url(`/${out}`)], {
        cwd: c.dir,
        timeout: limit(20000),
        onLine: (line) => transcript.line(line),
      });
      const [run, timing] = await Promise.all([exited, converse(transcript, srv, [undefined])]);
      assert.equal(run.code, 0, `${out}: exit code ${run.code}\n${run.stdout}\n${run.stderr}`);
      assert.equal(run.stderr.trim(), "", `${out}: nothing on stderr`);
      assert.deepEqual(transcript.types(undefined), EXPECTED, out);
      console.log(`node ${out}: echo after ${timing.firstEcho} ms, reconnected ${timing.reconnected[undefined]} ms after the drop, exited by itself (run ${run.ms} ms)`);
    }
  });
}
