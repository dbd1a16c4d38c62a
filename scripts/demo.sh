#!/usr/bin/env bash
# `npm run demo [-- --duration <seconds>] [-- --http-port <port>]`: sets up what is missing
# (scripts/bootstrap.sh), builds the package (npm run build), then runs the demo
# (examples/node/demo.mjs): a local server that misbehaves on a schedule, a Node client
# living through it, and the browser status page. Ctrl-C stops it all.
set -euo pipefail

here="$(dirname "${BASH_SOURCE[0]}")"
bash "$here/bootstrap.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$LIFELINE_ROOT"

# The build's own output (cargo, wasm-pack) only when it fails.
echo "demo: building the package (npm run build)"
start=$SECONDS
build_log=$(mktemp)
if ! npm run --silent build >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  echo "demo: the build failed (output above)" >&2
  exit 1
fi
rm -f "$build_log"
echo "demo: built dist/lifeline-ws.mjs in $((SECONDS - start)) s"
echo

exec node examples/node/demo.mjs "$@"
