// The Chromium side of the first-socket scenario (bench/scenarios/first-socket.mjs), the top
// page (first-socket.html). As in the throughput scenario, no DevTools client is attached:
// the page fetches its plan (GET /plan) and posts its results (POST /result).
//
// Each measurement is a fresh iframe (first-socket-frame.html + first-socket-frame.mjs) on a
// host of its own (`fs<n>.localhost`, which Chromium resolves to the loopback itself): a site
// of its own, so with site isolation a renderer process of its own. A fresh process matters:
// V8 keeps compiled wasm modules per process and reuses one for the same bytes, and compiled
// scripts per isolate. Iframes on the top page's own origin (its process) measured
// lifeline-ws's first construction at ~6 ms, fresh processes at ~14 ms. The iframe is removed
// once it has reported, so its process ends. Repetition k starts with the k-th library; the
// first round is a warm-up and is not counted.

async function main() {
  const plan = await (await fetch("/plan", { cache: "no-store" })).json();
  // results[variant][rep]: null where a measurement failed (the repetitions stay aligned)
  const results = plan.variants.map(() => Array(plan.reps).fill(null));
  let n = 0;
  for (let rep = -plan.warmup; rep < plan.reps; rep++)
    for (let j = 0; j < plan.variants.length; j++) {
      const i = (j + rep + plan.warmup) % plan.variants.length;
      try {
        const r = await measure(`fs${n++}.localhost`, plan.variants[i], plan);
        if (rep >= 0) results[i][rep] = r;
      } catch (error) {
        errors.push(`${plan.variants[i].label}: ${error}`);
      }
    }
  return results;
}

/** One measurement in a fresh iframe on `host`: resolves with what the frame posted. */
function measure(host, variant, plan) {
  return new Promise((resolve, reject) => {
    const frame = document.createElement("iframe");
    const done = () => {
      clearTimeout(timer);
      removeEventListener("message", onMessage);
      frame.remove();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error("no result after 20 s"));
    }, 20_000);
    const onMessage = (event) => {
      if (event.source !== frame.contentWindow) return;
      done();
      if (event.data.error) reject(new Error(event.data.error));
      else resolve(event.data);
    };
    addEventListener("message", onMessage);
    const params = { name: variant.name, file: variant.file, url: plan.url };
    frame.src = `http://${host}:${plan.port}/first-socket-frame.html#${encodeURIComponent(JSON.stringify(params))}`;
    document.body.append(frame);
  });
}

const errors = [];
main().then(
  (results) => fetch("/result", { method: "POST", body: JSON.stringify({ ok: true, results, errors }) }),
  (error) => fetch("/result", { method: "POST", body: JSON.stringify({ ok: false, error: String(error?.stack ?? error) }) }),
).then(() => (document.title = "done"));
