// An in-process stand-in for the Web Locks API (navigator.locks), enough for js/share.js in
// Node (which has BroadcastChannel but no Web Locks): exclusive locks by name, granted in
// the order asked, `signal` to give up waiting, `steal`, `query()`, and `crash(holder)` to
// let go of a lock as a closed or crashed tab would (its callback never returns).
//
//   const locks = new FakeLocks();
//   globalThis.navigator = { locks };

const abortError = () => new DOMException("the request was aborted", "AbortError");

export class FakeLocks {
  #held = new Map(); // name -> request
  #waiting = new Map(); // name -> [request]

  request(name, options, callback) {
    if (typeof options == "function") [callback, options] = [options, {}];
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(abortError());
      const req = { name, callback, resolve, reject };
      signal?.addEventListener("abort", () => {
        const q = this.#queue(name);
        const i = q.indexOf(req);
        if (i >= 0) {
          q.splice(i, 1);
          reject(abortError());
        }
      });
      if (options.steal) {
        const held = this.#held.get(name);
        if (held) {
          held.gone = true;
          held.reject(abortError());
        }
        this.#grant(req);
      } else {
        this.#queue(name).push(req);
        this.#next(name);
      }
    });
  }

  query() {
    const info = (r) => ({ name: r.name, mode: "exclusive" });
    return Promise.resolve({ held: [...this.#held.values()].map(info), pending: [...this.#waiting.values()].flat().map(info) });
  }

  /** How many wait for `name`, and whether it is held. */
  status(name) {
    return { held: this.#held.has(name), waiting: this.#queue(name).length };
  }

  /** Lets go of the lock `name` as a crashed holder would (its callback is never heard of). */
  crash(name) {
    const held = this.#held.get(name);
    if (!held) return false;
    held.gone = true;
    this.#held.delete(name);
    this.#next(name);
    return true;
  }

  #queue(name) {
    let q = this.#waiting.get(name);
    if (!q) this.#waiting.set(name, (q = []));
    return q;
  }

  #next(name) {
    if (this.#held.has(name)) return;
    const req = this.#queue(name).shift();
    if (req) this.#grant(req);
  }

  #grant(req) {
    this.#held.set(req.name, req);
    Promise.resolve()
      .then(() => req.callback({ name: req.name, mode: "exclusive" }))
      .then(
        (value) => this.#done(req, () => req.resolve(value)),
        (error) => this.#done(req, () => req.reject(error)),
      );
  }

  #done(req, settle) {
    if (req.gone) return;
    this.#held.delete(req.name);
    settle();
    this.#next(req.name);
  }
}
