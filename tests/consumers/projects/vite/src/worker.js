import { connect } from "./connect.js";

self.addEventListener("message", (event) => connect(event.data, (entry) => postMessage(entry)), { once: true });
