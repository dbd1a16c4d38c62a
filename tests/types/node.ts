// Node-only type checks (tsconfig.node.json): the ws package's class is a valid
// `WebSocket` option, and its binary types are accepted.

import WebSocket from "ws";
import { LifelineSocket } from "../../js/lifeline-ws.js";

const ws = new LifelineSocket("ws://127.0.0.1:8080", undefined, { WebSocket });
ws.binaryType = "nodebuffer";
ws.send(Buffer.from("hello"));
ws.onmessage = (event) => void event.data;

// @ts-expect-error: a ws instance is no constructor
new LifelineSocket("ws://127.0.0.1:8080", undefined, { WebSocket: new WebSocket(null) });
