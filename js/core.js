// A socket's core (src/npm/mod.rs): the wasm module's `core_*` functions over the handle
// `core_new` gave, as the calls the driver makes (js/driver.js). The handle is freed once:
// by free() (a refused config), or when this object is collected. Nothing else holds it, so
// no call can take a freed handle (the module's functions are `unsafe` on that condition).

import { core_close, core_closed, core_free, core_input, core_new, core_poll, core_query } from "../pkg/web/lifeline_ws.js";

const cores = typeof FinalizationRegistry == "function" ? new FinalizationRegistry(core_free) : null;

export class Core {
  #p;

  constructor(values, seedHigh, seedLow) {
    this.#p = core_new(values, seedHigh, seedLow);
    cores?.register(this, this.#p, this);
  }

  free() {
    cores?.unregister(this);
    core_free(this.#p);
  }

  query(what) {
    return core_query(this.#p, what);
  }

  poll() {
    return core_poll(this.#p);
  }

  input(input, generation, value, now) {
    return core_input(this.#p, input, generation, value, now);
  }

  closed(generation, code, reason, clean, now) {
    core_closed(this.#p, generation, code, reason, clean, now);
  }

  close(reconnect, code, reason, bytes, now) {
    return core_close(this.#p, reconnect, code, reason, bytes, now);
  }
}
