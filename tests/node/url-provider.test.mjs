// A URL provider is called before every attempt (fresh auth token); one that throws or
// rejects is a failed attempt (an `error` event, then backoff), never an unhandled rejection.
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { makeSocket, closeSockets, loadLifeline } from "../support/client.mjs";
import { ms, sleep, resourceBaseline, assertNoLeakedResources } from "../support/helpers.mjs";

let baseline;
const unhandled = [];
const onUnhandled = (reason) => unhandled.push(reason);
before(async () => {
  await loadLifeline();
  baseline = resourceBaseline();
  process.on("unhandledRejection", onUnhandled);
});
after(async () => {
  process.off("unhandledRejection", onUnhandled);
  await closeSockets();
  await assertNoLeakedResources(baseline, { label: "url-provider.test.mjs" });
});

test("an async URL provider: the server sees a fresh token on every reconnection", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    let calls = 0;
    const provided = [];
    const provider = async () => {
      calls += 1;
      await sleep(10); // a token fetch takes a moment
      const u = server.url(`/feed?token=${calls}`);
      provided.push(u);
      // Strings and URL objects are both allowed.
      return calls % 2 ? u : new URL(u);
    };
    const { sock, rec } = await makeSocket(provider);
    await rec.waitFor("open");
    for (let i = 1; i <= 4; i++) {
      await server.closeAll(4000, "token expired");
      await rec.waitFor("reconnect", i, { label: `reconnect #${i}` });
    }
    const urls = server.upgrades.map((u) => u.url);
    assert.deepEqual(urls, ["/feed?token=1", "/feed?token=2", "/feed?token=3", "/feed?token=4", "/feed?token=5"]);
    assert.equal(calls, 5, "the provider is called once per attempt");
    assert.equal(new Set(urls).size, urls.length, "every connection had its own token");
    sock.send("x");
    await server.waitFor((s) => s.messages.includes("x"));
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("a provider that rejects or throws is a failed attempt, then a retry", { timeout: ms(60000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    let calls = 0;
    const provider = async () => {
      calls += 1;
      if (calls === 2) throw new Error("token service down");
      if (calls === 3) return Promise.reject(new Error("token service still down"));
      return server.url(`/feed?token=${calls}`);
    };
    const { rec } = await makeSocket(provider);
    await rec.waitFor("open");
    await server.closeAll(4000, "token expired");
    await rec.waitFor("reconnect", 1, { timeout: ms(10000), label: "reconnect after two failed providers" });
    assert.equal(calls, 4);
    assert.ok(rec.count("error") >= 2, `an error event per failed provider call (${rec.count("error")})`);
    const errs = rec.events("error");
    // The error event carries what the provider threw / rejected with.
    const carried = errs.map((e) => e.error?.message ?? e.detail?.error?.message ?? e.message);
    assert.ok(
      carried.some((m) => /token service/.test(String(m))),
      `the error event exposes the provider's error (got ${JSON.stringify(carried)})`,
    );
    assert.deepEqual(
      server.upgrades.map((u) => u.url),
      ["/feed?token=1", "/feed?token=4"],
    );
    assert.equal(rec.count("close"), 1, "a failed provider is not a second close");
    await sleep(50); // let any stray rejection surface
    assert.deepEqual(unhandled, [], "no unhandled rejection");
  } finally {
    await closeSockets();
    await server.stop();
  }
});

test("a synchronous provider's bad URL is an error event (heard by listeners added after new), not a throw", { timeout: ms(30000) }, async () => {
  const server = await startServer({ echo: true });
  try {
    let calls = 0;
    const provider = () => {
      calls += 1;
      return calls === 1 ? "ftp://127.0.0.1/nope?token=secret" : server.url(`/ok?token=${calls}`);
    };
    const { sock, rec } = await makeSocket(provider);
    // Listeners can only be added once the constructor returned: events must come later,
    // as WebSocket's do.
    const callsDuringConstructor = calls;
    const stateAfterConstructor = sock.state;
    await rec.waitFor("open", 1, { timeout: ms(10000) });
    assert.deepEqual(server.upgrades.map((u) => u.url), ["/ok?token=2"]);
    assert.ok(
      rec.count("error") >= 1,
      "the bad URL counted as a failed attempt with an error event; " +
        `the provider was called ${callsDuringConstructor}x inside the constructor, which left state ` +
        `"${stateAfterConstructor}" (events dispatched inside the constructor reach no listener)`,
    );
    for (const e of rec.events("error")) {
      const text = String(e.error?.message ?? e.message ?? "");
      assert.doesNotMatch(text, /secret/, "no error prints a URL's query");
    }
    assert.deepEqual(unhandled, []);
  } finally {
    await closeSockets();
    await server.stop();
  }
});
