// The package as users get it (npm pack → npm install): ESM import and CommonJS require both
// work with zero configuration, and both give a working LifelineSocket.
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../support/server.mjs";
import { installPacked } from "../support/pack.mjs";
import { EventRecorder, ms, resourceBaseline, assertNoLeakedResources } from "../support/helpers.mjs";
import { closeSocket, WS } from "../support/client.mjs";

let info;
let baseline;
before(async () => {
  info = await installPacked();
  baseline = resourceBaseline();
});
after(async () => {
  await assertNoLeakedResources(baseline, { label: "packaging.test.mjs" });
});

test("the tarball installs as a package with exports for import and require", () => {
  const pkgDir = path.join(info.dir, "node_modules", "lifeline-ws");
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  assert.equal(pkg.name, "lifeline-ws");
  assert.ok(pkg.exports, "package.json has exports");
  console.log(`  installed ${pkg.name}@${pkg.version} from ${path.basename(info.tarball)}`);
  // Only the built package ships: no Rust sources, no tests.
  const shipped = listFiles(pkgDir);
  for (const f of shipped) {
    assert.doesNotMatch(f, /^(tests|target)\/|\.rs$/, `${f} should not be in the tarball`);
  }
});

test("import (ESM) and require (CommonJS) both expose LifelineSocket", async () => {
  const esm = await import(info.esmEntry);
  const cjs = info.require(info.cjsEntry);
  assert.equal(typeof esm.LifelineSocket, "function", "ESM export");
  assert.equal(typeof cjs.LifelineSocket, "function", "CJS export");
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) {
    assert.equal(esm.LifelineSocket[name], ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].indexOf(name), `ESM ${name}`);
    assert.equal(cjs.LifelineSocket[name], esm.LifelineSocket[name], `CJS ${name}`);
  }
  // require("lifeline-ws") straight from the scratch project, as a CommonJS user writes it.
  const direct = info.require("lifeline-ws");
  assert.equal(typeof direct.LifelineSocket, "function");
});

for (const flavour of ["esm", "cjs"]) {
  test(`a ${flavour} LifelineSocket connects, echoes and closes`, { timeout: ms(30000) }, async () => {
    const lib = flavour === "esm" ? await import(info.esmEntry) : info.require("lifeline-ws");
    const server = await startServer({ echo: true });
    let sock;
    try {
      sock = new lib.LifelineSocket(server.url(`/${flavour}`), undefined, { WebSocket: WS });
      const rec = new EventRecorder(sock);
      for (const m of ["addEventListener", "removeEventListener", "dispatchEvent"]) {
        assert.equal(typeof sock[m], "function", `EventTarget's ${m}`);
      }
      assert.equal(sock.readyState, lib.LifelineSocket.CONNECTING);
      await rec.waitFor("open");
      assert.equal(sock.readyState, lib.LifelineSocket.OPEN);
      sock.send(`hello ${flavour}`);
      const m = await rec.until(() => rec.events("message").find((e) => e.data === `hello ${flavour}`), {
        label: "echo",
      });
      assert.ok(m);
      await closeSocket(sock);
      assert.equal(sock.readyState, lib.LifelineSocket.CLOSED);
      rec.dispose();
    } finally {
      if (sock) await closeSocket(sock);
      await server.stop();
    }
  });
}

function listFiles(dir, prefix = "") {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    if (e.isDirectory()) {
      if (e.name !== "node_modules") out.push(...listFiles(path.join(dir, e.name), rel + "/"));
    } else out.push(rel);
  }
  return out;
}
