// The throughput workloads, the same code in Node (bench/node/throughput-child.mjs) and in
// Chromium (bench/browser/page.mjs). Each one runs on an open client made by clients.mjs and
// resolves with { ms, messages, bytes }: the time from the first send to the last message.
// bench/scenarios/throughput.mjs decides how many runs, of which size, in which order.
//
//   echo     `count` text messages of `size` bytes, at most `window` unanswered at a time
//            (the server echoes each)
//   push     one command, then `count` text messages of `size` bytes pushed by the server
//   binary   `count` binary messages of `size` bytes echoed, at most `window` in flight
//
// The application's handler does what a real one must at least do: it reads the data (its
// length) and counts; the totals are checked at the end, so no message can go missing.

import { connect } from "./clients.mjs";

export const WORKLOADS = {
  echo: { kind: "echo", count: 100_000, size: 32, window: 100 },
  push: { kind: "push", count: 200_000, size: 32 },
  binary: { kind: "binary", count: 2_000, size: 65_536, window: 8 },
};

const now = () => performance.now();

/** Opens a client of library `name` on `url`; resolves with { client, sink } once open. */
export function open(lib, name, url, settings) {
  return new Promise((resolve, reject) => {
    const sink = { message: () => {} };
    let client;
    const timer = setTimeout(() => reject(new Error(`${name}: not open after 10 s`)), 10_000);
    client = connect(
      lib,
      name,
      url,
      {
        up: () => {
          clearTimeout(timer);
          resolve({ client, sink });
        },
        message: (data) => sink.message(data),
      },
      settings,
    );
  });
}

function size(data) {
  return typeof data == "string" ? data.length : data.byteLength;
}

/** Runs `spec` (a WORKLOADS entry, maybe with a smaller count) on an open client. */
export function run({ client, sink }, spec) {
  const { kind, count } = spec;
  return new Promise((resolve, reject) => {
    let got = 0;
    let bytes = 0;
    const timer = setTimeout(() => reject(new Error(`${kind}: ${got} of ${count} messages after 120 s`)), 120_000);
    const done = (t0) => {
      clearTimeout(timer);
      const ms = now() - t0;
      if (bytes != count * spec.size) reject(new Error(`${kind}: ${bytes} bytes, expected ${count * spec.size}`));
      else resolve({ ms, messages: count, bytes });
    };
    if (kind == "push") {
      sink.message = (data) => {
        bytes += size(data);
        if (++got == count) done(t0);
      };
      const t0 = now();
      client.send(`\x01push ${count} ${spec.size}`);
      return;
    }
    const payload = kind == "echo" ? "e".repeat(spec.size) : new Uint8Array(spec.size).fill(1).buffer;
    let sent = 0;
    sink.message = (data) => {
      bytes += size(data);
      if (sent < count) {
        sent++;
        client.send(payload);
      }
      if (++got == count) done(t0);
    };
    const t0 = now();
    for (; sent < Math.min(spec.window, count); sent++) client.send(payload);
  });
}

/** The workloads with every count multiplied by `scale`. */
export function scaled(scale, workloads = WORKLOADS) {
  return Object.fromEntries(
    Object.entries(workloads).map(([key, spec]) => [key, { ...spec, count: Math.max(1, Math.round(spec.count * scale)) }]),
  );
}
