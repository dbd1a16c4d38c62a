#!/usr/bin/env bash
# Hunts for counterexamples to the core's properties (`npm run hunt`): tests/core_properties.rs
# in a release build, with a random seed and many cases per property, where `npm test` runs a
# fixed seed and few cases. On a failure it prints, for each failing property, the seed, the
# command that reproduces it, and proptest's shrunk input as a regression test ready to paste
# beside the `bug_*` tests; it exits 1.
#
#   scripts/hunt.sh [CASES [ROUNDS]]
#     CASES   cases per property (env HUNT_CASES; default 100000)
#     ROUNDS  hunts in a row, each with a new seed, stopping at the first failure
#             (env HUNT_ROUNDS; default 1)
#   HUNT_SEED=<u64> replays one seed instead of drawing one.
#
# 10^5 cases per property take about 12 minutes of CPU in all; run it nice'd on a shared
# machine: nice -n 10 npm run hunt.
set -euo pipefail

cases=${1:-${HUNT_CASES:-100000}}
rounds=${2:-${HUNT_ROUNDS:-1}}
[[ $cases =~ ^[1-9][0-9]*$ ]] || { echo "hunt: CASES must be a positive integer, got '$cases'" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "hunt: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."
test_file=tests/core_properties.rs

echo "hunt: building the release test binary"
cargo test --release --test core_properties --no-run

# Prints, for the failing test `$1` of the log `$2`, proptest's final report (the reason with
# the last inputs, the minimal failing input, the counts) and a paste-ready regression test.
report() {
  local name=$1 log=$2 section block inv
  # The test's captured output; its last "Test failed:" starts proptest's final report
  # (the panics before it are the shrinking steps).
  section=$(awk -v start="---- $name stdout ----" '
    $0 == start { on = 1; next }
    on && (/^---- .* stdout ----$/ || /^failures:$/) { exit }
    on' "$log")
  block=$(printf '%s\n' "$section" | awk '
    /Test failed: / { buf = ""; on = 1 }
    on { buf = buf $0 "\n" }
    on && /global rejects:/ { on = 0 }
    END { printf "%s", buf }')
  if [[ -z $block ]]; then
    echo "(no proptest report for $name: it failed outside the property; its output follows)"
    printf '%s\n' "$section"
    return
  fi
  printf '%s\n' "$block"
  inv=$(printf '%s\n' "$block" | sed -n 's/.*invariant \([A-Za-z]*\) violated.*/\1/p' | head -n 1)
  echo
  echo "--- a regression test for $test_file, beside the bug_* tests (name it, say what it"
  echo "--- shows, and shrink it by hand into a Sim scenario if you can; then cargo fmt):"
  echo
  echo "/// Found by \`$name\` (PROPTEST_SEED=$seed, PROPTEST_CASES=$cases)."
  echo "#[test]"
  echo "fn bug_${name}_${seed}() {"
  printf '%s\n' "$block" | awk '
    /^minimal failing input: case = / { sub(/^minimal failing input: case = /, ""); on = 1; printf "    let case = " }
    on && /^\tsuccesses:/ { exit }
    on { print (first++ ? "    " : "") $0 }' | sed '$ s/$/;/'
  echo "    Driver::run(&case, Inv::${inv:-NoPanic});"
  echo "}"
}

for round in $(seq "$rounds"); do
  seed=${HUNT_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' \n')}
  log=$(mktemp "${TMPDIR:-/tmp}/lifeline-hunt.XXXXXX")
  echo
  echo "hunt: round $round/$rounds, seed $seed, $cases cases per property (log: $log)"
  start=$SECONDS
  rc=0
  PROPTEST_SEED=$seed PROPTEST_CASES=$cases \
    cargo test --release --test core_properties >"$log" 2>&1 || rc=$?
  echo "hunt: round $round took $((SECONDS - start)) s"
  if [[ $rc -eq 0 ]]; then
    grep -E '^test result:' "$log" || true
    rm -f "$log"
    continue
  fi
  # The names listed after the last "failures:" line.
  mapfile -t failed < <(awk '/^failures:$/ { n++; delete names; k = 0; next }
    n && /^    [A-Za-z0-9_]+$/ { names[++k] = $1 }
    END { for (i = 1; i <= k; i++) print names[i] }' "$log")
  if [[ ${#failed[@]} -eq 0 ]]; then
    echo "hunt: cargo test failed (exit $rc) before any property ran:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  echo
  echo "hunt: FAILED with seed $seed: ${failed[*]}"
  for name in "${failed[@]}"; do
    echo
    echo "=== $name"
    echo "reproduce: PROPTEST_SEED=$seed PROPTEST_CASES=$cases cargo test --release --test core_properties $name -- --exact"
    echo
    report "$name" "$log"
  done
  echo
  echo "hunt: seed $seed; full output in $log"
  exit 1
done
echo
echo "hunt: no counterexample in $rounds round(s) of $cases cases per property"
