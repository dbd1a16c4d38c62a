// Workers have no import maps: the package's file, by its path.
import { LifelineSocket } from "./node_modules/lifeline-ws/dist/lifeline-ws.mjs";
import { connect } from "./connect.js";

self.addEventListener("message", (event) => connect(LifelineSocket, event.data, (entry) => postMessage(entry)), {
  once: true,
});
