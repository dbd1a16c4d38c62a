#!/usr/bin/env bash
# `npm run bench [-- <options of bench/run.mjs>]`: sets up what is missing
# (scripts/bootstrap.sh), builds the package (npm run build), then runs the benchmarks
# (bench/run.mjs), which write bench/RESULTS.md. Bounded: under 10 minutes on 2 cores.
set -euo pipefail

here="$(dirname "${BASH_SOURCE[0]}")"
start=$SECONDS
bash "$here/../scripts/bootstrap.sh"
# shellcheck source=scripts/env.sh
. "$here/../scripts/env.sh"
cd "$LIFELINE_ROOT"

# The build's own output (cargo, wasm-pack) only when it fails.
echo "bench: building the package (npm run build)"
build_log=$(mktemp)
if ! npm run --silent build >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  echo "bench: the build failed (output above)" >&2
  exit 1
fi
rm -f "$build_log"
setup=$((SECONDS - start))
echo "bench: setup and build in $setup s"

status=0
BENCH_SETUP_SECONDS=$setup node bench/run.mjs "$@" || status=$?
echo "bench: npm run bench took $((SECONDS - start)) s in all"
exit $status
