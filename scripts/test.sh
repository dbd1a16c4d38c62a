#!/usr/bin/env bash
# Every test layer, in order; stops at the first one that fails (`npm test` runs this).
#   0. scripts/bootstrap.sh (installs whatever is missing)
#   1. rustfmt check   2. clippy, warnings denied   3. cargo test (native)
#   4. rustdoc, warnings denied   5. smoke: build the wasm package for Node and load it
#   6. the wasm-bindgen-test suites of the Rust API (tests/rust_api_*.rs, with the shared
#      cases of tests/cases/: tests/rust_api/cases.rs; and with the serde feature) in Node and
#      then in each browser engine — headless Chromium, Firefox ESR (geckodriver) and
#      WebKitGTK (WebKitWebDriver + MiniBrowser under xvfb-run) — against
#      tests/wasm/server.mjs on 127.0.0.1; and the Rust example app (examples/rust) built and
#      driven in Chromium
#   7. the package's TypeScript types (tsc --noEmit on tests/types)
#   8. the npm package as users get it (npm pack, installed in a temporary folder), in
#      Node 20 against real local servers: node --test tests/node/ (with the shared cases
#      of tests/cases/cases.json: tests/node/cases.test.mjs); then its properties
#      (fast-check): long random sequences of API calls and server faults, the reliability
#      contract checked after every step, a fixed seed (about a minute) and the kept
#      counterexamples: node --test tests/properties/ (`npm run soak` runs the same for 10^6
#      operations with random seeds)
#   9. kernel-level network faults: the packed package over real TCP in a private network
#      namespace (unshare -n), nftables making packets vanish (blackhole, 10 % loss, dropped
#      SYNs, one-way loss, close() in a blackhole): scripts/netns-test.sh runs tests/netns/;
#      where no such namespace can be made it prints one line and the layer passes (skipped)
#  10. the demo: the bounded `npm run demo` run and its summary, and the status page in
#      headless Chromium (playwright-core): node --test tests/demo/
#  11. phones, tabs and sleep in real browsers (echo, server close, mute server,
#      offline/online, hidden/visible, back/forward cache, a Web Worker, `share` across pages
#      in Chromium, Firefox and WebKitGTK; freeze/resume, late timers and a frozen or held
#      `share` leader in Chromium): node --test tests/browser/
#  12. consumers: the packed package installed in small projects as users have them (Node
#      ESM/CJS/global WebSocket, Vite build and dev, webpack, esbuild, a static page in all
#      three engines, Web Workers, strict TypeScript, the tarball `npm pack` makes from a
#      clean copy of the tree), the tools from the npm registry, cached in $TMPDIR:
#      node --test tests/consumers/
#
# LIFELINE_BROWSERS=chromium,firefox,webkit (the default) picks the browser engines of
# layers 6, 11 and 12.
set -euo pipefail

layers=12
layer_no=0
layer_name="bootstrap"
start=$SECONDS

# On any failure, name the layer that failed.
report_failure() {
  local rc=$?
  [[ $rc -eq 0 ]] || echo "test: FAILED in layer \"$layer_name\" (exit $rc)" >&2
}
trap report_failure EXIT

# Each layer's time, printed when it ends and again at the end.
layer_times=()
layer_start=$SECONDS
end_layer() {
  [[ $layer_no -gt 0 ]] || return 0
  layer_times+=("$layer_no:$((SECONDS - layer_start))s")
  echo "test: layer $layer_no/$layers took $((SECONDS - layer_start)) s"
}

layer() {
  end_layer
  layer_no=$((layer_no + 1))
  layer_name=$1
  layer_start=$SECONDS
  echo
  echo "=== test layer $layer_no/$layers: $layer_name"
}

here="$(dirname "${BASH_SOURCE[0]}")"
bash "$here/bootstrap.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$LIFELINE_ROOT"

# The browser engines of layers 6, 11 and 12.
IFS=, read -r -a engines <<<"${LIFELINE_BROWSERS:-chromium,firefox,webkit}"
for engine in "${engines[@]}"; do
  [[ $engine == chromium || $engine == firefox || $engine == webkit ]] ||
    { echo "test: unknown engine '$engine' in LIFELINE_BROWSERS (chromium, firefox, webkit)" >&2; exit 1; }
done

layer "format (cargo fmt --check)"
cargo fmt --all -- --check

layer "lint (cargo clippy -D warnings)"
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets --features npm -- -D warnings
# The npm package's wasm as it is built: the core alone, no std.
cargo clippy --target wasm32-unknown-unknown --lib --no-default-features --features npm -- -D warnings
cargo clippy --all-targets --features serde -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets --features serde -- -D warnings

layer "native tests (cargo test)"
# With the npm export layer's and the serde feature's unit tests, which run natively too.
cargo test --features npm,serde

layer "docs (cargo doc, warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --target wasm32-unknown-unknown
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --target wasm32-unknown-unknown --features serde

layer "smoke (the npm core's wasm, wasm-pack build --target nodejs, node --test tests/smoke/)"
# wasm-pack uses the wasm-bindgen and wasm-opt found on PATH (see scripts/env.sh); its
# warning that it cannot check for a newer wasm-pack is harmless.
wasm-pack build --release --target nodejs --out-dir pkg/smoke --out-name lifeline_ws -- --no-default-features --features npm
wasm=pkg/smoke/lifeline_ws_bg.wasm
echo "smoke: $wasm is $(wc -c <"$wasm") bytes, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9 (informational)"
node --test tests/smoke/

layer "Rust API and its driver (wasm-bindgen-test: Node, then Chromium, Firefox and WebKitGTK; the Rust example)"
# The server's stdin is a pipe from this script: when the script ends, however it ends,
# the pipe closes and the server stops.
server_out=$(mktemp)
exec 3> >(exec node tests/wasm/server.mjs 0 >"$server_out" 2>&1)
for _ in $(seq 100); do grep -q LISTENING "$server_out" && break; sleep 0.1; done
LIFELINE_WASM_SERVER_PORT=$(awk '/LISTENING/ { print $2 }' "$server_out")
[[ -n "$LIFELINE_WASM_SERVER_PORT" ]] || { cat "$server_out"; echo "test server did not start" >&2; exit 1; }
export LIFELINE_WASM_SERVER_PORT
echo "wasm test server on 127.0.0.1:$LIFELINE_WASM_SERVER_PORT"
# The wasm-bindgen-test suites, each "test-target" or "test-target:features" (a
# comma-separated cargo feature list). Add or remove a suite here and nowhere else.
# rust_api_* test the Rust API as Rust applications get it (default features), and with
# the serde feature (Config::from_js / to_js, events serialized: tests/rust_api/serde.rs).
node_suites="rust_api_node rust_api_node:serde"
browser_suites="rust_api_browser rust_api_browser:serde"
suite_args() { # cargo test's arguments for one entry of the lists above
  local features=""
  [[ $1 == *:* ]] && features=${1#*:}
  echo "--target wasm32-unknown-unknown ${features:+--features $features} --test ${1%%:*}"
}
# Runs a command with the WebDriver of one engine for wasm-bindgen-test-runner, which takes the
# first of GECKODRIVER, SAFARIDRIVER, CHROMEDRIVER that is set: exactly one of them is.
in_engine() {
  local engine=$1
  shift
  case "$engine" in
    chromium) env -u GECKODRIVER -u SAFARIDRIVER CHROMEDRIVER=/usr/bin/chromedriver "$@" ;;
    firefox) env -u CHROMEDRIVER -u SAFARIDRIVER GECKODRIVER="${CARGO_HOME:-$HOME/.cargo}/bin/geckodriver" "$@" ;;
    # WebKitWebDriver starts MiniBrowser, which needs an X display (it has no headless mode).
    webkit) env -u CHROMEDRIVER -u GECKODRIVER SAFARIDRIVER=/usr/bin/WebKitWebDriver \
      xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$@" ;;
    *) echo "test: unknown engine '$engine' in LIFELINE_BROWSERS (chromium, firefox, webkit)" >&2; return 1 ;;
  esac
}
for entry in $node_suites; do
  # shellcheck disable=SC2046 # suite_args prints words
  NODE_PATH="$LIFELINE_ROOT/node_modules" cargo test $(suite_args "$entry")
done
for engine in "${engines[@]}"; do
  engine_start=$SECONDS
  for entry in $browser_suites; do
    # shellcheck disable=SC2046
    # The budget is for the whole page (wasm-bindgen-test-runner's default is 20 s).
    WASM_BINDGEN_TEST_TIMEOUT=90 in_engine "$engine" cargo test $(suite_args "$entry")
  done
  echo "wasm-bindgen-test in $engine: $((SECONDS - engine_start)) s ($browser_suites)"
done
cargo clippy -p lifeline-ws-example --target wasm32-unknown-unknown -- -D warnings
node --test tests/rust-example/
exec 3>&-
rm -f "$server_out"

layer "types (tsc --noEmit on tests/types)"
npm run --silent test:types

layer "package in Node (npm run build, npm pack, node --test tests/node/, then its properties: node --test tests/properties/)"
npm run --silent build
npm run --silent size
node --test tests/node/
properties_start=$SECONDS
node --test tests/properties/
echo "properties: $((SECONDS - properties_start)) s"

layer "kernel-level network faults (unshare -n, nftables on lo): scripts/netns-test.sh"
netns_start=$SECONDS
bash scripts/netns-test.sh
echo "netns: $((SECONDS - netns_start)) s"

layer "demo (bounded npm run demo, status page in Chromium): node --test tests/demo/"
node --test tests/demo/

layer "lifecycle in Chromium, Firefox and WebKitGTK (offline, hidden, bfcache, Worker; frozen and sleep in Chromium): node --test tests/browser/"
# One run per engine, so each engine's time shows (freeze.test.mjs is Chromium's only).
for engine in "${engines[@]}"; do
  engine_start=$SECONDS
  LIFELINE_BROWSERS=$engine node --test tests/browser/
  echo "lifecycle in $engine: $((SECONDS - engine_start)) s"
done

layer "consumers (Node ESM/CJS/global, Vite, webpack, esbuild, static page, Workers, TypeScript): node --test tests/consumers/"
consumers_start=$SECONDS
node --test tests/consumers/
echo "consumers: $((SECONDS - consumers_start)) s"

end_layer
echo
echo "test: layer times: ${layer_times[*]}"
echo "test: all $layers layers passed (fmt, clippy, cargo test, doc, smoke, Rust API in three engines, types, package in Node, network faults, demo, lifecycle in three engines, consumers) in $((SECONDS - start)) s"
