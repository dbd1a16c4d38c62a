// The app's connection, the same in the page and in the worker: it says "hello", says
// "again" after every reconnect, and closes for good once "again" comes back.
import { LifelineSocket } from "lifeline-ws";

export function connect(url, report) {
  const socket = new LifelineSocket(url, undefined, {
    backoff: { initialDelay: 50, jitter: "none" },
  });
  socket.addEventListener("open", () => {
    report({ type: "open" });
    socket.send("hello");
  });
  socket.addEventListener("message", (event) => {
    report({ type: "message", data: event.data });
    if (event.data === "again") socket.close();
  });
  socket.addEventListener("reconnect", (event) => {
    report({ type: "reconnect", attempt: event.attempt });
    socket.send("again");
  });
  socket.addEventListener("close", (event) => {
    report({ type: "close", code: event.code, willReconnect: event.willReconnect });
  });
  socket.addEventListener("error", (event) => report({ type: "error", cause: event.cause }));
  return socket;
}
