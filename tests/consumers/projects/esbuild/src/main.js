import { connect } from "./connect.js";

// The WebSocket server to talk to: ws://127.0.0.1:<port>/ in the address, ?ws=...
const url = new URLSearchParams(location.search).get("ws");
const show = (where) => (entry) => console.log("[lifeline] " + JSON.stringify({ where, ...entry }));

connect(url, show("page"));

// The same connection from a module Web Worker.
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.addEventListener("message", (event) => show("worker")(event.data));
worker.addEventListener("error", (event) => console.error("worker failed: " + (event.message || "could not load")));
worker.postMessage(url);
