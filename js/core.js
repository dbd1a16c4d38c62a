// A socket's core (src/npm/mod.rs): the wasm module's `core_*` functions over the handle
// `core_new` gave, as the calls the driver makes (js/driver.js). The handle is freed once:
// by free() (a refused config), or when this object is collected. Nothing else holds it, so
// no call can take a freed handle (the module's functions are `unsafe` on that condition).

import { core_free, core_input, core_new, core_poll, core_query } from "../pkg/web/lifeline_ws.js";

// The inputs that carry a reason (src/npm/mod.rs, `input`), through core_input's `extra`.
const CLOSED = 16, CLOSE = 17, RECONNECT = 18, NO_CODE = 65536;

const cores = new FinalizationRegistry(core_free); // (every platform the package runs on has it)

export class Core {
  #p;

  constructor(values, seedHigh, seedLow) {
    this.#p = core_new(values, seedHigh, seedLow);
    cores.register(this, this.#p, this);
  }

  free() {
    cores.unregister(this);
    core_free(this.#p);
  }

  query(what) {
    return core_query(this.#p, what);
  }

  poll() {
    return core_poll(this.#p);
  }

  input(input, generation, value, now) {
    return core_input(this.#p, input, generation, value, 0, now);
  }

  closed(generation, code, reason, clean, now) {
    core_input(this.#p, CLOSED, generation, reason, (code & 65535) | (clean << 16), now);
  }

  close(reconnect, code, reason, bytes, now) {
    return core_input(this.#p, reconnect ? RECONNECT : CLOSE, bytes, reason, code ?? NO_CODE, now);
  }
}
