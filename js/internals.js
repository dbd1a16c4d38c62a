// What js/share.js takes from the main entry: the Driver and its symbols, which the main
// module hands out as a static of LifelineSocket (js/lifeline-ws.js, `INTERNALS`). In the
// package, the share entry (dist/share.*) imports the main entry's own file, so both use one
// module, one wasm instance and one Driver class.
import { LifelineSocket } from "./lifeline-ws.js";

/** The key of LifelineSocket's static that holds them (and, in the share entry, `Shared`). */
export const INTERNALS = Symbol.for("lifeline-ws");

export const { Driver, FIRE, MESSAGE, STATE } = LifelineSocket[INTERNALS];
