// The server the wasm-bindgen tests talk to (started and stopped by scripts/test.sh).
// 127.0.0.1 only; the path picks the behaviour:
//   /echo       echoes every message
//   /drop       closes every connection with 4000 "drop" 150 ms after it opens
//   /pong-once  answers the first "ping" with "pong", then never answers anything
// Prints "LISTENING <port>" once ready; exits on SIGTERM/SIGINT or when stdin closes.
import { WebSocketServer } from "ws";

const port = Number(process.argv[2] ?? 0);
const wss = new WebSocketServer({ host: "127.0.0.1", port });

wss.on("connection", (socket, request) => {
  const path = new URL(request.url, "http://x").pathname;
  if (path === "/drop") {
    const timer = setTimeout(() => socket.close(4000, "drop"), 150);
    socket.on("close", () => clearTimeout(timer));
  }
  let answered = false;
  socket.on("message", (data, binary) => {
    if (path === "/echo" || path === "/drop") socket.send(binary ? data : data.toString());
    else if (path === "/pong-once" && !answered && data.toString() === "ping") {
      answered = true;
      socket.send("pong");
    }
  });
});

wss.on("listening", () => console.log(`LISTENING ${wss.address().port}`));
const stop = () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
