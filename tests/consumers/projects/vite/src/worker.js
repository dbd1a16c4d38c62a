import { connect } from "./connect.js";

// The worker's socket comes from the entry lifeline-ws/share (connect.js): Vite's default
// Worker build (one IIFE, no code splitting) must take the package's second entry, which
// imports the first.
self.addEventListener("message", (event) => connect(event.data, (entry) => postMessage(entry), "vite-worker"), { once: true });
