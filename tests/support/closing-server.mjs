// A WebSocket server on 127.0.0.1 that accepts, sends its close frame (1001) after `after`
// ms, and then holds the TCP connection open and silent: a closing handshake that never ends
// (allowHalfOpen: the client's FIN is ignored too). Used by tests/node/server-close.test.mjs
// and tests/node/abandoned-sockets.test.mjs.
import net from "node:net";
import { createHash } from "node:crypto";

export async function closingServer({ after = 100 } = {}) {
  const sockets = new Set();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", (request) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(request.toString())?.[1];
      const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      setTimeout(() => socket.destroyed || socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe9])), after);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: (path) => `ws://127.0.0.1:${server.address().port}${path}`,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
