#!/usr/bin/env bash
# Sets up everything the tests need, installing only what is missing (safe to run again):
#   1. the wasm32-unknown-unknown Rust target
#   2. wasm-bindgen-cli at exactly the version Cargo.toml pins for the wasm-bindgen crate
#   3. wasm-pack
#   4. Debian's chromium and chromium-driver (for the browser test layers)
#   5. the npm devDependencies (binaryen's wasm-opt; never Debian's binaryen 108)
#   6. Debian's nftables, when running as root (for tests/netns/, the kernel-level network
#      faults; without root it is left alone and that layer may skip itself)
# Prints one line per step, then the tool versions and the total time.
#
# Run it (`bash scripts/bootstrap.sh`); sourcing it also works and leaves PATH set up in
# the calling shell.

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: do the work in a child bash, so `set -e` and `exit` never touch the caller,
  # then give the caller the same PATH.
  # shellcheck source=scripts/env.sh
  bash "${BASH_SOURCE[0]}" && . "$(dirname "${BASH_SOURCE[0]}")/env.sh"
  return
fi

set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$LIFELINE_ROOT"

say() { echo "bootstrap: $*"; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

# Runs a step's install command and reports how long it took.
timed() {
  local start=$SECONDS
  "$@"
  say "  done in $((SECONDS - start)) s"
}

# Tools this script does not install.
for tool in rustup cargo node npm; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH (install Rust with rustup, and Node 20+ with npm)"
done
say "using $(cargo --version), node $(node --version), npm $(npm --version 2>/dev/null)"

# 1. The wasm target.
installed_targets=$(rustup target list --installed)
if grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  say "wasm32 target present"
else
  say "adding the wasm32-unknown-unknown target (seconds)"
  timed rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli, at the version of the crate (the CLI refuses modules built by another
#    version). Accepts `wasm-bindgen = "=X.Y.Z"` or `wasm-bindgen = { version = "=X.Y.Z", ... }`.
bindgen_version=$(sed -n \
  -e 's/^wasm-bindgen[[:space:]]*=[[:space:]]*"=\([0-9][0-9.]*\)".*/\1/p' \
  -e 's/^wasm-bindgen[[:space:]]*=[[:space:]]*{.*version[[:space:]]*=[[:space:]]*"=\([0-9][0-9.]*\)".*/\1/p' \
  Cargo.toml | head -n 1)
[[ -n "$bindgen_version" ]] ||
  die 'Cargo.toml must pin the wasm-bindgen crate exactly (wasm-bindgen = "=X.Y.Z")'
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" == "wasm-bindgen $bindgen_version" ]]; then
  say "wasm-bindgen-cli $bindgen_version present"
else
  say "installing wasm-bindgen-cli $bindgen_version (~90 s)"
  # No --locked: its lock file wants a webpki-roots release the registry here does not serve.
  timed cargo install wasm-bindgen-cli --version "$bindgen_version"
  [[ "$(wasm-bindgen --version)" == "wasm-bindgen $bindgen_version" ]] ||
    die "wasm-bindgen on PATH is $(command -v wasm-bindgen), not version $bindgen_version"
fi

# 3. wasm-pack.
if command -v wasm-pack >/dev/null; then
  say "wasm-pack present"
else
  say "installing wasm-pack (~80 s)"
  timed cargo install wasm-pack --locked
fi

# 4. Chromium and its WebDriver, from Debian.
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  say "chromium and chromedriver present"
else
  say "installing chromium and chromium-driver from Debian (~30 s)"
  sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: install chromium and chromium-driver by hand"
    sudo=(sudo)
  fi
  install_chromium() {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  }
  timed install_chromium
fi

# 5. npm devDependencies, when node_modules is missing or older than the manifests.
#    `npm install`, not `npm ci`: ci rejects locks written here when a dependency has
#    per-platform optional packages.
if [[ ! -x node_modules/.bin/wasm-opt || package.json -nt node_modules ||
  (-e package-lock.json && package-lock.json -nt node_modules) ]]; then
  say "installing npm dependencies (seconds)"
  timed npm install --no-audit --no-fund
  touch node_modules # mark it up to date even when npm had nothing to change
else
  say "npm dependencies up to date"
fi

# 6. nftables (tests/netns/ adds its rules inside a private network namespace), as root only.
if command -v nft >/dev/null || [[ -x /usr/sbin/nft ]]; then
  say "nftables present"
elif [[ "$(id -u)" -eq 0 ]]; then
  say "installing nftables from Debian (seconds)"
  install_nftables() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y nftables ||
      { DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nftables; }
  }
  timed install_nftables
else
  say "nftables missing and not root: not installed (the kernel-level network-fault layer will skip itself)"
fi

# The wasm-opt wasm-pack will run must be binaryen's from npm, not /usr/bin's.
wasm_opt=$(command -v wasm-opt || true)
[[ "$wasm_opt" == "$LIFELINE_ROOT/node_modules/.bin/wasm-opt" ]] ||
  die "wasm-opt resolves to '${wasm_opt:-nothing}', expected $LIFELINE_ROOT/node_modules/.bin/wasm-opt"
say "wasm-opt resolves to node_modules/.bin/wasm-opt"

say "versions: $(wasm-bindgen --version) | $(wasm-pack --version) | $(wasm-opt --version) |" \
  "$(chromium --version 2>/dev/null) | $(chromedriver --version | cut -d' ' -f1-2)"
say "ready in $SECONDS s"
