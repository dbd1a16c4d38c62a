// The page side of the worker test: starts pages/worker.mjs as a module worker, passes the
// test's commands to it and logs what it posts back (as harness.mjs does: entries to
// window.__report, types prefixed "w-" for the worker's own entries).

const log = [];
function record(type, fields = {}) {
  const entry = { type, t: performance.now(), at: Date.now(), ...fields };
  log.push(entry);
  try {
    globalThis.__report?.(entry);
  } catch {}
  return entry;
}

const worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
worker.addEventListener("message", (e) => {
  const { type, ...fields } = e.data;
  // The worker's own clock (performance.now() of the worker) is kept as wt.
  record("w-" + type, { ...fields, wt: fields.t, t: performance.now() });
});
worker.addEventListener("error", (e) => record("worker-error", { data: e.message || "worker failed to load" }));
worker.addEventListener("messageerror", () => record("worker-error", { data: "messageerror" }));

globalThis.workerHost = {
  log,
  start(url, options) {
    worker.postMessage({ cmd: "start", url, options });
  },
  close() {
    worker.postMessage({ cmd: "close" });
  },
};
record("loaded");
