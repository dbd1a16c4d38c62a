import { LifelineSocket } from "lifeline-ws"; // through the page's import map
import { connect } from "./connect.js";

// The WebSocket server to talk to: ws://127.0.0.1:<port>/ in the address, ?ws=...
const url = new URLSearchParams(location.search).get("ws");
const show = (where) => (entry) => console.log("[lifeline] " + JSON.stringify({ where, ...entry }));

connect(LifelineSocket, url, show("page"));

// The same connection from a plain module Web Worker (no bundler).
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.addEventListener("message", (event) => show("worker")(event.data));
worker.addEventListener("error", (event) => console.error("worker failed: " + (event.message || "could not load")));
worker.postMessage(url);
