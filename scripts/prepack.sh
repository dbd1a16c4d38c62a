#!/usr/bin/env bash
# npm's "prepack" script: `npm pack` and `npm publish` (and npm installing this package from
# git) run it before they make the tarball. The package ships dist/, which only the build
# makes (`npm run build`), so this builds it; a tarball without dist/ is never made.
#
# The build needs the wasm toolchain: cargo with the wasm32-unknown-unknown target,
# wasm-bindgen-cli at the crate's version, wasm-pack, and the npm devDependencies (binaryen's
# wasm-opt, esbuild). When one is missing this stops with what to run — `bash
# scripts/bootstrap.sh` installs them all — rather than installing them itself: bootstrap
# also installs system packages (browsers, with apt), which `npm pack` should never do
# behind the user's back.
set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$LIFELINE_ROOT"

missing=()
if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
  missing+=("cargo and rustup (Rust)")
elif ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  missing+=("the wasm32-unknown-unknown Rust target")
fi
command -v wasm-bindgen >/dev/null || missing+=("wasm-bindgen-cli")
command -v wasm-pack >/dev/null || missing+=("wasm-pack")
[[ -x node_modules/.bin/wasm-opt && -d node_modules/esbuild ]] ||
  missing+=("the npm devDependencies (npm install)")
if ((${#missing[@]})); then
  {
    echo "prepack: cannot build dist/ (the package's only content) for npm pack / npm publish."
    echo "prepack: missing: $(IFS=';'; echo "${missing[*]}" | sed 's/;/, /g')."
    echo "prepack: run \`bash scripts/bootstrap.sh\` (it installs what is missing), then npm pack again."
  } >&2
  exit 1
fi

echo "prepack: building dist/ (npm run build)" >&2
npm run --silent build >&2
for f in lifeline-ws.mjs lifeline-ws.cjs lifeline-ws.d.ts lifeline-ws.d.mts lifeline-ws.d.cts; do
  [[ -s "dist/$f" ]] || { echo "prepack: the build did not make dist/$f" >&2; exit 1; }
done
