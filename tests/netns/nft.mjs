// nftables and namespace helpers for tests/netns/ (run through scripts/netns-test.sh, which
// makes a private network namespace with `unshare -n` and brings its `lo` up).
//
// Every rule goes into one table of ours, `inet lifeline_netns`, with two chains:
// - `out` (output hook): on `lo` every packet, in either direction, passes it, and a packet
//   dropped there never reaches the other end (no RST, no FIN, no ICMP). The sending kernel
//   does see the drop, though, as a failed transmission, and sends the segment again at once
//   (measured: 10 % dropped there cost 2 retransmissions for 110 packets dropped).
// - `in` (input hook): a packet dropped there has left the sender as far as its TCP knows,
//   as with loss on a real network: it is found missing and retransmitted (SACK, fast
//   retransmit, RTO). Random loss goes here.
// `clear()` flushes both. Rules are only ever added inside a private namespace
// (`insideNamespace()`); outside one the tests skip.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

export const TABLE = "lifeline_netns";

/**
 * True only in the namespace scripts/netns-test.sh made: the wrapper says so (LIFELINE_NETNS=1)
 * and the only interface with an address is `lo`. Never add a rule anywhere else.
 */
export function insideNamespace() {
  if (process.env.LIFELINE_NETNS !== "1") return false;
  const names = Object.keys(os.networkInterfaces());
  return names.length > 0 && names.every((n) => n === "lo");
}

/** Run `nft -f -` with `script` (one transaction: all its lines apply together, or none). */
export function nft(script) {
  const r = spawnSync("nft", ["-f", "-"], { input: script, encoding: "utf8", timeout: 5000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`nft failed (exit ${r.status}): ${r.stderr.trim()}\nscript:\n${script}`);
}

/** `nft -j list table ...` parsed. */
function listTable() {
  const r = spawnSync("nft", ["-j", "list", "table", "inet", TABLE], { encoding: "utf8", timeout: 5000 });
  if (r.status !== 0) throw new Error(`nft list failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout).nftables;
}

/** (Re)create our table with empty `out` and `in` chains, accepting everything. */
export function setup() {
  nft(
    `table inet ${TABLE}\ndelete table inet ${TABLE}\n` +
      `add table inet ${TABLE}\n` +
      `add chain inet ${TABLE} out { type filter hook output priority 0; policy accept; }\n` +
      `add chain inet ${TABLE} in { type filter hook input priority 0; policy accept; }\n`,
  );
}

/** Remove every rule of ours (the network is whole again). */
export function clear() {
  nft(`flush chain inet ${TABLE} out\nflush chain inet ${TABLE} in\n`);
}

/** Remove our table altogether. */
export function teardown() {
  spawnSync("nft", ["delete", "table", "inet", TABLE], { timeout: 5000 });
}

/**
 * Add rules (each a rule body, e.g. `tcp dport 8080 drop`) in one transaction, to the `out`
 * chain unless an item says `chain: "in"`. A rule may carry a comment "name"
 * (`rules({ name: "syn", rule: "... counter drop" })`) to read its counter with counters().
 */
export function rules(...list) {
  const lines = list.map((item) => {
    const { rule, name, chain = "out" } = typeof item === "string" ? { rule: item } : item;
    return `add rule inet ${TABLE} ${chain} ${rule}${name ? ` comment "${name}"` : ""}`;
  });
  nft(lines.join("\n") + "\n");
}

/** { name: packets } for every rule with a comment and a counter. */
export function counters() {
  const out = {};
  for (const item of listTable()) {
    const rule = item.rule;
    if (!rule?.comment) continue;
    const counter = rule.expr.find((e) => e.counter)?.counter;
    if (counter) out[rule.comment] = counter.packets;
  }
  return out;
}

/** Both directions of every TCP connection on `port` vanish (the blackhole). */
export const blackhole = (port) => [`tcp dport ${port} drop`, `tcp sport ${port} drop`];

/** TCP segments the kernel of this namespace has retransmitted so far (/proc/net/snmp). */
export function retransmittedSegments() {
  const lines = fs.readFileSync("/proc/net/snmp", "utf8").split("\n").filter((l) => l.startsWith("Tcp:"));
  const [head, values] = lines.map((l) => l.trim().split(/\s+/));
  return Number(values[head.indexOf("RetransSegs")]);
}
