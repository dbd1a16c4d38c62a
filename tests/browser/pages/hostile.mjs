// Conversions that throw, over and over: in close(), reconnect() and the options. Each call
// must throw the user's own error (the very object), never a wasm RuntimeError, and leave
// every socket usable. Shared by tests/node/hostile.test.mjs (Node) and
// tests/browser/hostile.test.mjs (Chromium, served from /pages/).

/**
 * Runs `rounds` rounds of hostile calls on a socket made with `make(options)` (startClosed),
 * and on new constructions. Returns { calls, wrong }: how many calls were made, and the
 * first call (if any) that did not throw the expected error.
 */
export function hostileRounds(LifelineSocket, url, extra, rounds) {
  const mine = new Error("the user's own error");
  const throwing = { toString() { throw mine; }, valueOf() { throw mine; } };
  const proxy = new Proxy({}, {
    ownKeys() { throw mine; },
    get() { throw mine; },
    getOwnPropertyDescriptor() { throw mine; },
  });
  const getter = { get backoff() { throw mine; } };
  const nestedGetter = { heartbeat: { get interval() { throw mine; } } };
  const socket = new LifelineSocket(url, undefined, { ...extra, startClosed: true });
  const cases = [
    ["close(1000, reason with a throwing toString)", () => socket.close(1000, throwing)],
    ["close(code with a throwing valueOf)", () => socket.close(throwing)],
    ["reconnect(code with a throwing valueOf)", () => socket.reconnect(throwing)],
    ["reconnect(3000, reason with a throwing toString)", () => socket.reconnect(3000, throwing)],
    ["a Proxy as options", () => new LifelineSocket(url, undefined, proxy)],
    ["an option getter", () => new LifelineSocket(url, undefined, { ...extra, ...getter })],
    ["a nested option getter", () => new LifelineSocket(url, undefined, { ...extra, ...nestedGetter })],
    ["protocols with a throwing toString", () => new LifelineSocket(url, [throwing], extra)],
  ];
  let calls = 0;
  let wrong = null;
  const symbol = Symbol("code");
  for (let i = 0; i < rounds && !wrong; i++) {
    for (const [label, call] of cases) {
      calls++;
      try {
        call();
        wrong = `${label}: nothing was thrown`;
      } catch (error) {
        if (error !== mine) wrong = `${label}: threw ${error?.name}: ${error?.message}`;
      }
      if (wrong) break;
    }
    // A Symbol cannot become a number: JS's own TypeError, as WebSocket.close throws it.
    calls++;
    try {
      socket.close(symbol);
      wrong = "close(Symbol()): nothing was thrown";
    } catch (error) {
      if (!(error instanceof TypeError)) wrong = `close(Symbol()): threw ${error?.name}: ${error?.message}`;
    }
  }
  socket.close();
  return { calls, wrong, state: socket.state };
}
