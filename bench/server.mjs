// The benchmark server: a minimal WebSocket server (RFC 6455) on node:net, written so that the
// server is never the bottleneck of a client measurement. Every chunk a client sends is parsed
// once and answered with one write (no per-message objects, no events, no compression), and
// server pushes are frames built once and written in blocks.
//
// What it does with what it receives:
//   text "ping"                 → text "pong" (the application heartbeat of lifeline-ws)
//   text "\x01push N SIZE"      → N text messages of SIZE bytes, as fast as the socket takes them
//   text "\x01pushbin N SIZE"   → the same with binary messages
//   any other text or binary    → echoed as it came (same opcode, same FIN bit)
//   close                       → close with the same code, then end
//   ping (opcode 9)             → pong
// Options: closeOnOpen (a close code: every connection is closed right after its handshake,
// for the reconnect-cycle benchmarks).
//
// In-process:   const srv = await startBenchServer({ port: 0 }); srv.port; await srv.stop();
// Child process (so that it can be killed for real and restarted on the same port):
//   node bench/server.mjs --port 0 [--close-on-open 4000]
//   prints `LISTENING <port> <epoch ms>` (the moment listen() completed), then answers one
//   JSON command per stdin line: {"cmd": "stats"} → `STATS {...}`, {"cmd": "stop"}.
//   spawnBenchServer() below wraps that.

import net from "node:net";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pinned } from "./lib.mjs";

const HOST = "127.0.0.1";
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const SELF = fileURLToPath(import.meta.url);

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();

/** A server frame (unmasked) header for a payload of `length` bytes. */
function header(opcode, length, fin = true) {
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126) return Buffer.from([first, length]);
  if (length < 65536) {
    const h = Buffer.alloc(4);
    h[0] = first;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.alloc(10);
  h[0] = first;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

/** `count` identical frames of `size` bytes in one Buffer. */
function frames(opcode, size, count) {
  const payload = Buffer.alloc(size, opcode == 1 ? "x" : 7);
  const one = Buffer.concat([header(opcode, size), payload]);
  return Buffer.concat(Array(count).fill(one));
}

const PING = Buffer.from("ping");
const PONG_FRAME = Buffer.concat([header(1, 4), Buffer.from("pong")]);

class Connection {
  constructor(server, socket) {
    this.server = server;
    this.socket = socket;
    this.pending = null; // bytes of an incomplete frame (or handshake)
    this.open = false;
    this.closing = false;
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.data(chunk));
    socket.on("error", () => {});
    socket.on("close", () => server.connections.delete(this));
  }

  data(chunk) {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    if (!this.open) return this.handshake(buf);
    this.frames(buf);
  }

  handshake(buf) {
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      this.pending = buf;
      return;
    }
    const head = buf.toString("latin1", 0, end);
    const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1];
    if (!key) {
      this.socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      return;
    }
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    this.socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.open = true;
    this.server.upgraded(this);
    if (this.server.closeOnOpen) return this.close(this.server.closeOnOpen);
    if (buf.length > end + 4) this.frames(buf.subarray(end + 4));
  }

  close(code) {
    if (this.closing) return;
    this.closing = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.socket.end(Buffer.concat([header(8, 2), payload]));
  }

  // Parses every complete (masked) client frame in `buf`, answers them all with one write.
  frames(buf) {
    const out = [];
    let at = 0;
    while (buf.length - at >= 2) {
      const b0 = buf[at];
      const b1 = buf[at + 1];
      let length = b1 & 0x7f;
      let offset = at + 2;
      if (length == 126) {
        if (buf.length - offset < 2) break;
        length = buf.readUInt16BE(offset);
        offset += 2;
      } else if (length == 127) {
        if (buf.length - offset < 8) break;
        length = Number(buf.readBigUInt64BE(offset));
        offset += 8;
      }
      const masked = b1 & 0x80;
      if (buf.length - offset < (masked ? 4 : 0) + length) break;
      let payload;
      if (masked) {
        const m0 = buf[offset], m1 = buf[offset + 1], m2 = buf[offset + 2], m3 = buf[offset + 3];
        offset += 4;
        payload = buf.subarray(offset, offset + length);
        let i = 0;
        for (; i + 3 < length; i += 4) {
          payload[i] ^= m0;
          payload[i + 1] ^= m1;
          payload[i + 2] ^= m2;
          payload[i + 3] ^= m3;
        }
        for (; i < length; i++) payload[i] ^= i % 4 == 0 ? m0 : i % 4 == 1 ? m1 : i % 4 == 2 ? m2 : m3;
      } else payload = buf.subarray(offset, offset + length);
      at = offset + length;
      const opcode = b0 & 0x0f;
      if (opcode == 8) {
        this.close(length >= 2 ? payload.readUInt16BE(0) : 1000);
        return;
      }
      if (opcode == 9) out.push(header(10, length), payload);
      else if (opcode == 10) continue;
      else if (opcode == 1 && length == 4 && payload.equals(PING)) out.push(PONG_FRAME);
      else if (opcode == 1 && length > 0 && payload[0] == 1) this.command(payload.toString("latin1", 1));
      else out.push(header(opcode, length, (b0 & 0x80) != 0), payload);
    }
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at)); // a copy: buf is reused
    if (out.length && !this.closing) this.socket.write(out.length == 1 ? out[0] : Buffer.concat(out));
  }

  command(text) {
    const [name, n, size] = text.split(" ");
    if (name == "push" || name == "pushbin") this.push(name == "push" ? 1 : 2, Number(n), Number(size));
  }

  // N frames of `size` bytes, in blocks of up to 1 MB, waiting for 'drain' between blocks.
  push(opcode, count, size) {
    const per = Math.max(1, Math.min(count, Math.floor((1 << 20) / (size + 10))));
    const block = frames(opcode, size, per);
    let left = count;
    const more = () => {
      while (left > 0 && !this.closing && !this.socket.destroyed) {
        const n = Math.min(per, left);
        left -= n;
        const chunk = n == per ? block : block.subarray(0, (block.length / per) * n);
        if (!this.socket.write(chunk)) return void this.socket.once("drain", more);
      }
    };
    more();
  }
}

export class BenchServer {
  constructor({ closeOnOpen = 0 } = {}) {
    this.closeOnOpen = closeOnOpen;
    this.connections = new Set();
    this.upgrades = []; // epoch ms of every completed handshake
    this.port = 0;
    this.listenedAt = 0;
    this._server = net.createServer((socket) => this.connections.add(new Connection(this, socket)));
  }

  upgraded() {
    this.upgrades.push(now());
  }

  url(path = "/") {
    return `ws://${HOST}:${this.port}${path}`;
  }

  async listen(port = 0) {
    await new Promise((resolve, reject) => {
      this._server.once("error", reject);
      this._server.listen({ port, host: HOST }, () => {
        this._server.off("error", reject);
        resolve();
      });
    });
    this.listenedAt = now();
    this.port = this._server.address().port;
    return this.port;
  }

  stats() {
    return { port: this.port, listenedAt: this.listenedAt, live: this.connections.size, upgrades: this.upgrades };
  }

  async stop() {
    const closed = new Promise((resolve) => this._server.close(() => resolve()));
    for (const c of this.connections) c.socket.destroy();
    await closed;
  }
}

export async function startBenchServer({ port = 0, ...options } = {}) {
  const srv = new BenchServer(options);
  await srv.listen(port);
  return srv;
}

/**
 * Runs this file as a child process (on core `cpu`, if given); resolves once it listens. The
 * handle: port, url(), listenedAt (the child's own clock), stats(), kill() (SIGKILL, resolves
 * on exit), stop().
 */
export async function spawnBenchServer({ port = 0, closeOnOpen = 0, cpu = null } = {}) {
  const args = [SELF, "--port", String(port)];
  if (closeOnOpen) args.push("--close-on-open", String(closeOnOpen));
  const child = spawn(...pinned(cpu, process.execPath, args), { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const waiting = [];
  const lines = createInterface({ input: child.stdout });
  const listening = new Promise((resolve, reject) => {
    exited.then(({ code, signal }) => reject(new Error(`bench server exited (${code ?? signal}) before listening`)));
    lines.on("line", (line) => {
      const [word, ...rest] = line.split(" ");
      if (word == "LISTENING") resolve({ port: Number(rest[0]), listenedAt: Number(rest[1]) });
      else if (word == "STATS") waiting.shift()?.(JSON.parse(rest.join(" ")));
    });
  });
  const { port: actual, listenedAt } = await listening;
  child.stdin.on("error", () => {});
  return {
    pid: child.pid,
    port: actual,
    listenedAt,
    url: (path = "/") => `ws://${HOST}:${actual}${path}`,
    stats: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(JSON.stringify({ cmd: "stats" }) + "\n");
      }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      return exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = argv.indexOf("--" + name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const srv = new BenchServer({ closeOnOpen: opt("close-on-open", 0) });
  await srv.listen(opt("port", 0));
  process.stdout.write(`LISTENING ${srv.port} ${srv.listenedAt}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const { cmd } = JSON.parse(line);
    if (cmd == "stats") process.stdout.write(`STATS ${JSON.stringify(srv.stats())}\n`);
    else if (cmd == "stop") lines.close();
  });
  lines.on("close", () => srv.stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
