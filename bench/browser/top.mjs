// The Chromium throughput benchmark's page (index.html): no DevTools client is attached (an
// attached client that watches the network gets an event per WebSocket frame, which slows
// the page down many times), so the page takes its plan from the orchestrator's HTTP server
// (GET /plan), runs it, and posts the results (POST /result). One iframe per library
// (frame.html + page.mjs); the segments go to them in turn, round after round (see
// bench/scenarios/throughput.mjs).

async function main() {
  const plan = await (await fetch("/plan", { cache: "no-store" })).json();
  const frames = [];
  for (const v of plan.variants) {
    const frame = document.createElement("iframe");
    frame.src = "frame.html";
    const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    while (!frame.contentWindow.bench) await new Promise((r) => setTimeout(r, 10));
    await frame.contentWindow.bench.connect(v.name, plan.url, v.settings);
    frames.push(frame.contentWindow.bench);
  }
  // segments[variant][workload][rep][segment], as bench/scenarios/throughput.mjs in Node
  const segments = plan.variants.map(() =>
    Object.fromEntries(
      plan.workloads.map((w) => [w, Array.from({ length: plan.reps }, () => Array(plan.segments).fill(null))]),
    ),
  );
  for (const workload of plan.workloads) {
    for (const bench of frames) await bench.run(workload, plan.warmupScale);
    for (let rep = 0; rep < plan.reps; rep++)
      for (let k = 0; k < plan.segments; k++) {
        const round = rep * plan.segments + k;
        for (let j = 0; j < frames.length; j++) {
          const i = (j + round) % frames.length;
          try {
            segments[i][workload][rep][k] = await frames[i].run(workload, plan.scale);
          } catch (error) {
            errors.push(`${plan.variants[i].label} ${workload}: ${error}`);
          }
        }
      }
  }
  for (const bench of frames) bench.close();
  return segments;
}

const errors = [];
main().then(
  (segments) => fetch("/result", { method: "POST", body: JSON.stringify({ ok: true, segments, errors }) }),
  (error) => fetch("/result", { method: "POST", body: JSON.stringify({ ok: false, error: String(error?.stack ?? error) }) }),
).then(() => (document.title = "done"));
