// A module worker that imports the built package and runs one LifelineSocket, posting
// every event (and every WebSocket send, pings included) to the page.

import { LifelineSocket } from "/dist/lifeline-ws.mjs";

const post = (type, fields = {}) => postMessage({ type, t: performance.now(), at: Date.now(), ...fields });

const nativeSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  post("send", { data: typeof data == "string" ? data : "<binary>" });
  return nativeSend.call(this, data);
};

let socket = null;
const EVENTS = ["open", "close", "error", "reconnect", "reconnecting", "heartbeat", "statechange", "message"];
const fields = (e) => {
  const out = {};
  for (const k of ["code", "reason", "wasClean", "willReconnect", "delayMs", "cause", "attempt", "downtimeMs", "rttMs", "state"])
    if (e[k] !== undefined) out[k] = e[k];
  if (e.type === "message") out.data = typeof e.data == "string" ? e.data : "<binary>";
  return out;
};

addEventListener("message", (e) => {
  const { cmd, url, options } = e.data;
  try {
    if (cmd === "start") {
      socket = new LifelineSocket(url, undefined, options);
      for (const type of EVENTS) socket.addEventListener(type, (ev) => post("ll-" + type, fields(ev)));
      post("started", { state: socket.state });
    } else if (cmd === "close") {
      socket.close();
      post("closed-by-user", { state: socket.state });
    }
  } catch (err) {
    post("exception", { data: String(err) });
  }
});

post("ready", {
  scope: globalThis.constructor?.name,
  hasDocument: typeof document !== "undefined",
  hasWindow: typeof window !== "undefined",
  onLine: navigator.onLine,
  hasWebSocket: typeof WebSocket === "function",
});
