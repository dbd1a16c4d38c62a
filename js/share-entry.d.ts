// Types of the entry lifeline-ws/share (js/share-entry.js): the main entry's types, and a LifelineSocket that
// also takes the `share` option. (scripts/build-package.mjs writes dist/share.d.ts, .d.mts and
// .d.cts from this file, each importing the main entry's types of its own kind.)

import { LifelineSocket as Socket } from "./lifeline-ws.js";
import type { LifelineSocketOptions, LifelineUrl } from "./lifeline-ws.js";

export * from "./lifeline-ws.js";

/** The options of a `LifelineSocket` from `lifeline-ws/share`: the main entry's, and `share`. */
export interface SharedSocketOptions extends LifelineSocketOptions {
  /**
   * One server connection for every LifelineSocket of this origin with the same key, in the tabs, windows, iframes and workers
   * of one browser profile: a string key, or `true` for a key made from the URL and protocols (a URL provider needs a string key).
   * One of them (the leader, elected with Web Locks) holds the connection; its URL, options and `shouldReconnect` decide. Where
   * Web Locks or BroadcastChannel is missing (Node, old webviews, an insecure context), each connects on its own (`stats.share`
   * is `"unavailable"`). Default: off.
   */
  share?: string | boolean;
}

/**
 * The main entry's `LifelineSocket` (a subclass of it), which also takes the `share` option.
 * Importing it costs about 2 KB gzip over the main entry.
 */
export declare class LifelineSocket extends Socket {
  /**
   * Validates the options and starts connecting (unless `startClosed`), as the main entry's does.
   * @throws TypeError for `share` of a kind other than a string or a boolean, or `share: true` with a URL provider.
   */
  constructor(url: LifelineUrl, protocols?: string | string[], options?: SharedSocketOptions);
}
