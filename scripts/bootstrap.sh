#!/usr/bin/env bash
# Sets up everything the tests need, installing only what is missing (safe to run again):
#   1. the wasm32-unknown-unknown Rust target
#   2. wasm-bindgen-cli at exactly the version Cargo.toml pins for the wasm-bindgen crate
#   3. wasm-pack
#   4. Debian's chromium and chromium-driver (for the browser test layers)
#   5. Debian's firefox-esr, webkit2gtk-driver (WebKitWebDriver + MiniBrowser), xvfb and xauth
#      (the browser layers also run in Firefox and WebKitGTK; WebKitGTK needs an X display)
#   6. geckodriver (Firefox's WebDriver; not packaged in Debian 12): cargo install
#   7. the npm devDependencies (binaryen's wasm-opt; never Debian's binaryen 108)
#   8. Debian's nftables, when running as root (for tests/netns/, the kernel-level network
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

# apt-get as root, or through sudo; `apt-get update` at most once per run.
apt_updated=0
apt_install() {
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: apt-get install $* by hand"
    sudo=(sudo)
  fi
  if [[ $apt_updated -eq 0 ]]; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# 4. Chromium and its WebDriver, from Debian.
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  say "chromium and chromedriver present"
else
  say "installing chromium and chromium-driver from Debian (~30 s)"
  timed apt_install chromium chromium-driver
fi

# 5. Firefox ESR, WebKitGTK's WebDriver (it drives MiniBrowser, from libwebkit2gtk-4.1-0),
#    and an X server for WebKitGTK, which has no headless mode.
if [[ -x /usr/bin/firefox-esr && -x /usr/bin/WebKitWebDriver && -x /usr/bin/Xvfb && -x /usr/bin/xauth ]] &&
  compgen -G "/usr/lib/*/webkit2gtk-4.1/MiniBrowser" >/dev/null; then
  say "firefox-esr, WebKitWebDriver (MiniBrowser), Xvfb and xauth present"
else
  say "installing firefox-esr webkit2gtk-driver xvfb xauth from Debian (~1 min)"
  timed apt_install --no-install-recommends firefox-esr webkit2gtk-driver xvfb xauth
fi

# 6. geckodriver, Firefox's WebDriver (Debian 12 has no package): from crates.io. --locked
#    works for it (0.37.1: every locked dependency is served here), unlike wasm-bindgen-cli's.
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
if [[ -x "$cargo_bin/geckodriver" ]]; then
  say "geckodriver present"
else
  say "installing geckodriver (~3 min)"
  timed cargo install geckodriver --locked
fi

# 7. npm devDependencies, when node_modules is missing or older than the manifests.
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
  "$(chromium --version 2>/dev/null) | $(chromedriver --version | cut -d' ' -f1-2) |" \
  "$(firefox-esr --version 2>/dev/null) | $("$cargo_bin/geckodriver" --version | head -n 1) |" \
  "WebKitWebDriver $(dpkg-query -W -f '${Version}' webkit2gtk-driver 2>/dev/null || echo '?')"
say "ready in $SECONDS s"
