// The `lifeline-ws/share` entry: LifelineSocket with the `share` option (js/share.js). A
// subclass of the main entry's class, which it imports: `instanceof` holds for either, and a
// page that imports both loads one wasm module. Built into dist/share.{mjs,cjs} by
// scripts/build-package.mjs, with the main entry left as an import of ./lifeline-ws.{mjs,cjs}.
import { LifelineSocket as Socket } from "./lifeline-ws.js";
import { INTERNALS } from "./internals.js";
import { Shared } from "./share.js";

/** A LifelineSocket that also takes the `share` option. */
export class LifelineSocket extends Socket {
  static [INTERNALS] = { ...Socket[INTERNALS], Shared };
}
