// One measurement of the first-socket scenario in Chromium, in a fresh iframe (a process of its
// own: first-socket-top.mjs). The library comes as its own ES module, bundled and minified by
// esbuild (bench/scenarios/first-socket.mjs), exporting what clients.mjs wants. Its text is
// fetched first and imported from a blob: URL, so the import holds no network, only what the
// engine does with the module (parse, link, evaluate). Measured with performance.now(), in
// this order and nothing else in between:
//   importMs   `await import(<the library's module>)`
//   firstMs    the first construction (clients.mjs construct(), the constructor call connect()
//              makes): for lifeline-ws, decoding the inlined wasm, compiling and instantiating
//              it, then the constructor itself
//   secondMs   a second construction right after (the constructor alone, for comparison)
// The platform socket is warmed first (one native WebSocket opened and closed), except on the
// raw row, which is that first native WebSocket. Posts { importMs, firstMs, secondMs } (or
// { error }) to the top page.

import { construct } from "../clients.mjs";

async function main() {
  const { name, file, url } = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  const source = await (await fetch(file, { cache: "no-store" })).text();
  const blob = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  if (name != "ws") {
    const warm = new WebSocket(url);
    await new Promise((resolve, reject) => {
      warm.onopen = resolve;
      warm.onerror = () => reject(new Error("the warm-up WebSocket failed"));
    });
    warm.close();
    await new Promise((resolve) => (warm.onclose = resolve));
  }
  const t0 = performance.now();
  const module = await import(blob);
  const t1 = performance.now();
  const lib = { node: false, WebSocket, ...module };
  const first = construct(lib, name, url);
  const t2 = performance.now();
  const second = construct(lib, name, url);
  const t3 = performance.now();
  first.close();
  second.close();
  return { importMs: t1 - t0, firstMs: t2 - t1, secondMs: t3 - t2 };
}

main().then(
  (result) => parent.postMessage(result, "*"),
  (error) => parent.postMessage({ error: String(error?.stack ?? error) }, "*"),
);
