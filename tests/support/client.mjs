// The package under test (imported from the packed tarball, see pack.mjs), plus a factory that
// gives every LifelineSocket the `ws` constructor (Node 20 has no global WebSocket), an event
// recorder, and a place in the list that closeSockets() cleans up.

import { after, before } from "node:test";
import WS from "ws";
import { importPacked } from "./pack.mjs";
import {
  EventRecorder,
  assertNoLeakedResources,
  ms,
  resourceBaseline,
  waitForEvent,
} from "./helpers.mjs";

export { WS };

/** Options that keep the suite fast: small backoff delays. */
export const FAST_BACKOFF = Object.freeze({ initialDelay: 50, maxDelay: 250 });

let lib = null;
let shareLib = null;
/** The package's exports (ESM, from the scratch project the tarball was installed into). */
export async function loadLifeline() {
  lib ??= importPacked();
  return lib;
}

/** The exports of the entry lifeline-ws/share (its LifelineSocket takes the `share` option). */
export async function loadShare() {
  shareLib ??= importPacked("share");
  return shareLib;
}

const live = new Set();

/**
 * new LifelineSocket(url, protocols, { WebSocket: ws, backoff: FAST_BACKOFF, ...options }),
 * with an EventRecorder attached from the start (the share entry's class when `options` has
 * `share`). Returns { sock, rec }.
 */
export async function makeSocket(url, options = {}, protocols = undefined) {
  const { LifelineSocket } = await ("share" in options ? loadShare() : loadLifeline());
  const sock = new LifelineSocket(url, protocols, {
    WebSocket: WS,
    ...options,
    backoff: { ...FAST_BACKOFF, ...(options.backoff ?? {}) },
  });
  const rec = new EventRecorder(sock);
  live.add({ sock, rec });
  return { sock, rec };
}

/** close() a socket (if it is not closed already) and wait for its state to be "closed". */
export async function closeSocket(sock, { timeout = ms(5000) } = {}) {
  if (sock.state === "closed") return;
  sock.close();
  if (sock.state === "closed") return;
  await waitForEvent(sock, "statechange", {
    timeout,
    filter: () => sock.state === "closed",
    label: 'state "closed" after close()',
  });
}

/** Close every socket made by makeSocket() in this process; detach the recorders. */
export async function closeSockets() {
  const errors = [];
  for (const entry of [...live]) {
    live.delete(entry);
    try {
      await closeSocket(entry.sock);
    } catch (err) {
      errors.push(err);
    } finally {
      entry.rec.dispose();
    }
  }
  if (errors.length) throw errors[0];
}

/**
 * Registers a test file's `before` / `after` hooks: load the packed package first, and at the
 * end close every socket `makeSocket` made and check that no timer, socket or server is left.
 */
export function guardResources(label) {
  let baseline;
  before(async () => {
    await loadLifeline();
    baseline = resourceBaseline();
  });
  after(async () => {
    await closeSockets();
    await assertNoLeakedResources(baseline, { label });
  });
}
