#!/usr/bin/env bash
# Kernel-level network faults (tests/netns/, see its README.md): the packed package and a
# test server talk real TCP over 127.0.0.1 in a private network namespace, whose `lo` is the
# only interface, while nftables rules make packets vanish (blackhole, random loss, dropped
# SYNs, one-way loss, close() in a blackhole).
#
#   bash scripts/netns-test.sh        (npm run test:netns; scripts/test.sh runs it as a layer)
#   bash scripts/netns-test.sh --test-name-pattern='^3\.'   (arguments go to node --test)
#
# As root the namespace is `unshare -n`; otherwise `unshare -rn` (a user namespace too), where
# the kernel allows it. Where no namespace with nftables can be made (no permission, no
# `unshare`, `ip` or `nft`), it prints ONE line saying why and exits 0: the layer is skipped,
# never failed. The whole run is bounded by LIFELINE_NETNS_TIMEOUT seconds (default 120).
set -euo pipefail

here="$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$LIFELINE_ROOT"
# nft and ip live in sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"

skip() {
  echo "netns: SKIPPED (kernel-level network faults not run): $*"
  exit 0
}

for tool in unshare ip nft; do
  command -v "$tool" >/dev/null ||
    skip "\`$tool\` not found (as root, scripts/bootstrap.sh installs nftables; unshare and ip come with util-linux and iproute2)"
done

# Can we make a namespace, bring its lo up and add an nftables table there? As root, try
# `unshare -n` first, then `unshare -rn` (a user namespace too); the other way round when not
# root. The refusals' first lines go into the skip line.
probe='ip link set lo up && nft add table inet lifeline_probe'
ns=()
why=""
candidates=("unshare -n" "unshare -rn")
[[ "$(id -u)" -eq 0 ]] || candidates=("unshare -rn" "unshare -n")
for candidate in "${candidates[@]}"; do
  # shellcheck disable=SC2086 # the candidate is a command and its flag
  if err=$(timeout 10 $candidate sh -c "$probe" 2>&1); then
    read -r -a ns <<<"$candidate"
    break
  fi
  why="${why:+$why; }$candidate: $(head -n 1 <<<"$err")"
done
[[ ${#ns[@]} -gt 0 ]] || skip "no private network namespace with nftables here ($why)"

# The package is built, packed and installed outside the namespace (where the registries
# are); inside, the tests find it in the cache of tests/support/pack.mjs.
node tests/support/pack.mjs >/dev/null

echo "netns: running tests/netns/ in \`${ns[*]}\` (127.0.0.1 only, nftables on its own lo)"
# LIFELINE_NETNS=1 tells the tests they are inside (they also check that lo is the only
# interface, and skip otherwise: no rule ever touches the machine's own network).
LIFELINE_NETNS=1 exec timeout --kill-after=5 "${LIFELINE_NETNS_TIMEOUT:-120}" \
  "${ns[@]}" sh -c 'ip link set lo up && exec node --test "$@" tests/netns/' netns-test "$@"
