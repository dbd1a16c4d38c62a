// A TCP proxy (node:net) on 127.0.0.1 in front of a server, with a mute switch that makes
// the connection half-open for real: while muted, both TCP connections stay open and nothing
// is forwarded in either direction — no data, no FIN, no RST (what a NAT that forgot the
// mapping, or a sleeping peer, looks like). A close on either side while muted is held back
// and delivered to the other side on unmute() (or dropped with everything on stop()).
//
//   const proxy = await startProxy({ port: srv.port });   // target 127.0.0.1:<port>
//   new LifelineSocket(proxy.url("/x"), ...); proxy.mute(); ...; proxy.unmute(); await proxy.stop();

import net from "node:net";
import { EventEmitter } from "node:events";

const HOST = "127.0.0.1";
const noop = () => {};

export class TcpProxy extends EventEmitter {
  constructor({ host = HOST, port }) {
    super();
    if (!port) throw new TypeError("proxy: target port required");
    this.target = { host, port };
    this.muted = false;
    this.connections = 0; // ever accepted
    this.pairs = new Set();
    this.port = 0;
    // allowHalfOpen: a FIN from one side is not answered by us on our own while muted.
    this._server = net.createServer({ allowHalfOpen: true }, (client) => this._onClient(client));
  }

  url(path = "/") {
    return `ws://${HOST}:${this.port}${path}`;
  }

  /** Connections currently held (client side still open). */
  get live() {
    let n = 0;
    for (const p of this.pairs) if (!p.client.destroyed) n++;
    return n;
  }

  async listen(port = 0) {
    await new Promise((resolve, reject) => {
      this._server.once("error", reject);
      this._server.listen({ port, host: HOST }, () => {
        this._server.off("error", reject);
        resolve();
      });
    });
    this.port = this._server.address().port;
    return this.port;
  }

  /** Forward nothing from now on, in either direction, and keep every socket open. */
  mute() {
    this.muted = true;
    this.emit("mute");
  }

  /** Forward again; closes that happened while muted are delivered now. */
  unmute() {
    this.muted = false;
    for (const p of this.pairs) {
      if (p.client.destroyed || p.clientEnded) p.upstream.destroy();
      if (p.upstream.destroyed || p.upstreamEnded) p.client.destroy();
    }
    this.emit("unmute");
  }

  /** Destroy every connection (both sides) now. */
  destroyAll() {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
  }

  async stop() {
    const closed = new Promise((resolve) => this._server.close(() => resolve()));
    this.destroyAll();
    await closed;
  }

  _onClient(client) {
    this.connections += 1;
    const upstream = net.connect({ ...this.target, allowHalfOpen: true });
    const pair = { client, upstream, id: this.connections, clientEnded: false, upstreamEnded: false };
    this.pairs.add(pair);
    client.on("error", noop);
    upstream.on("error", noop);
    client.on("data", (d) => {
      if (!this.muted) upstream.write(d);
    });
    upstream.on("data", (d) => {
      if (!this.muted) client.write(d);
    });
    // Half-closes and closes are forwarded only while not muted.
    client.on("end", () => {
      pair.clientEnded = true;
      if (!this.muted) upstream.end();
    });
    upstream.on("end", () => {
      pair.upstreamEnded = true;
      if (!this.muted) client.end();
    });
    client.on("close", () => {
      if (!this.muted) upstream.destroy();
      if (upstream.destroyed) this.pairs.delete(pair);
      this.emit("change");
    });
    upstream.on("close", () => {
      if (!this.muted) client.destroy();
      if (client.destroyed) this.pairs.delete(pair);
      this.emit("change");
    });
    this.emit("connection", pair.id);
    this.emit("change");
  }
}

export async function startProxy({ host = HOST, port, listenPort = 0 } = {}) {
  const proxy = new TcpProxy({ host, port });
  await proxy.listen(listenPort);
  return proxy;
}
