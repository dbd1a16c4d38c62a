# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh and scripts/test.sh (and usable from an interactive bash):
# sets LIFELINE_ROOT to the repository root and puts the repo's npm tools (binaryen's
# wasm-opt) and then the cargo-installed tools (wasm-bindgen, wasm-pack) first on PATH.
# Never use Debian's wasm-opt (binaryen 108 writes modules that fail to load).

LIFELINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Prepend a directory to PATH, removing any earlier occurrence so re-sourcing adds nothing.
lifeline_path_prepend() {
  local dir=$1 rest=":$PATH:"
  while [[ $rest == *":$dir:"* ]]; do rest=${rest//":$dir:"/:}; done
  rest=${rest#:}
  rest=${rest%:}
  PATH="$dir${rest:+:$rest}"
}

lifeline_path_prepend "${CARGO_HOME:-$HOME/.cargo}/bin"
lifeline_path_prepend "$LIFELINE_ROOT/node_modules/.bin"
export LIFELINE_ROOT PATH
