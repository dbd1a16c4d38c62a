// Counterexamples the property layer found, replayed by every `npm test`
// (tests/properties/properties.test.mjs): fast-check's seed and path of each (and the known
// bugs its generators left out when it was found, `avoid`), with what it showed. A seed and
// path stay meaningful only while the generators and MAX_OPS in harness.mjs are unchanged:
// when they change, find the cases again (`npm run soak`, or the test named in `what`) and
// replace them here. Runs are real I/O: a case that depends on timing may pass on a replay.
export const REGRESSIONS = [
  {
    seed: 814571545,
    path: "1:0:0:0:0:0:0:0:0:0:0:1:4:1:0:1:1:2:6:6:6:6:9:11:13:13:14:12:13:13:13:6:6:6",
    avoid: ["blob", "close-conversion", "linger", "stale-state"],
    what: "send() of a view of a transferred buffer throws a TypeError (tests/node/send-detached.test.mjs)",
  },
  {
    seed: 1808412677,
    path: "14:0:0:0:0:0:0:0:0:0:0:0:0:1:2:1:4:5:4:5:4:4:6:6:5:8:4:6:11:6:14:12:10:8:9:6:6:7:6:11:10:7:8:10:7:7:7:8",
    avoid: ["detached", "close-conversion", "linger", "stale-state"],
    what: "a buffer transferred after send(), behind a Blob, reaches the server empty (tests/node/send-bytes-at-call.test.mjs)",
  },
  {
    seed: 1982929477,
    path: "2:0:0:0:0:0:0:0:0:0:0:0:0:3:1:1:4",
    avoid: ["detached", "blob", "linger", "stale-state"],
    what: "close(undefined, Symbol()) does not throw (tests/node/close-conversion.test.mjs)",
  },
  {
    seed: 1451564958,
    path: "28:0:0:0:0:0:0:0:0:0:0:0:0:0:1:1:0:0:0:1:5:7:8:7:7:4",
    avoid: ["detached", "blob", "close-conversion", "stale-state"],
    what: "a socket let go of by reconnect() is still closing after close() (tests/node/abandoned-sockets.test.mjs)",
  },
  {
    seed: 292938843,
    path: "25:1:1:1:1:1:1:1:1:1:1:5:1:1:1:2:7:13:14:14:14:18:19:22:22:24:21:26:3:13:16:18:18:18:9",
    avoid: ["detached", "blob", "close-conversion", "linger"],
    what: "send() from an error listener throws InvalidStateError while the state is connecting (tests/node/event-order.test.mjs)",
  },
];
