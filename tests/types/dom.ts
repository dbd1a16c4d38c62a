// Browser-only type checks (tsconfig.json, with lib.dom): the platform's WebSocket is a valid
// `WebSocket` option, and `message` listeners get lib.dom's MessageEvent.

import { LifelineSocket } from "../../js/lifeline-ws.js";

const ws = new LifelineSocket("/live", undefined, { WebSocket: globalThis.WebSocket });
ws.onmessage = (event: MessageEvent<string>) => void event.data.toUpperCase();
ws.addEventListener("message", (event) => void event.origin);
ws.send(new Blob(["hello"]));
ws.binaryType = "blob";
