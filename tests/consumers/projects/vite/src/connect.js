// The app's connection, the same in the page and in the worker: it says "hello", says
// "again" after every reconnect, and closes for good once "again" comes back.
import { LifelineSocket } from "lifeline-ws";
// (Imported here, where Vite's dev server finds it before the worker runs: a dependency
// found later makes it optimize again and reload the page.)
import { LifelineSocket as SharedSocket } from "lifeline-ws/share";

// With `share`, a key: the socket is lifeline-ws/share's (alone under its key, it leads and
// behaves as one of its own).
export function connect(url, report, share) {
  const options = { backoff: { initialDelay: 50, jitter: "none" } };
  const socket = share ? new SharedSocket(url, undefined, { ...options, share }) : new LifelineSocket(url, undefined, options);
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
