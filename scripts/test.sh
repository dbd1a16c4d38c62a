#!/usr/bin/env bash
# Every test layer, in order; stops at the first one that fails (`npm test` runs this).
#   0. scripts/bootstrap.sh (installs whatever is missing)
#   1. rustfmt check   2. clippy, warnings denied   3. cargo test (native)
#   4. rustdoc, warnings denied   5. smoke: build the wasm package for Node and load it
#   6. the wasm driver with wasm-bindgen-test, in Node and in headless Chromium, against
#      tests/wasm/server.mjs on 127.0.0.1; the Rust API the same way (tests/rust_api_*.rs);
#      and the Rust example app (examples/rust) built and driven in Chromium
#   7. the package's TypeScript types (tsc --noEmit on tests/types)
#   8. the npm package as users get it (npm pack, installed in a temporary folder), in
#      Node 20 against real local servers: node --test tests/node/
#   9. properties of the package (fast-check): long random sequences of API calls and
#      server faults, the reliability contract checked after every step, a fixed seed (about
#      a minute), and the kept counterexamples: node --test tests/properties/
#      (`npm run soak` runs the same for 10^6 operations with random seeds)
#  10. the demo: the bounded `npm run demo` run and its summary, and the status page in
#      headless Chromium (playwright-core): node --test tests/demo/
#  11. phones, tabs and sleep in a real headless Chromium (offline/online, hidden/visible,
#      freeze/resume, back/forward cache, late timers, a Web Worker): node --test tests/browser/
#  12. consumers: the packed package installed in small projects as users have them (Node
#      ESM/CJS/global WebSocket, Vite build and dev, webpack, esbuild, a static page, Web
#      Workers, strict TypeScript), the tools from the npm registry, cached in $TMPDIR:
#      node --test tests/consumers/
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

layer() {
  layer_no=$((layer_no + 1))
  layer_name=$1
  echo
  echo "=== test layer $layer_no/$layers: $layer_name"
}

here="$(dirname "${BASH_SOURCE[0]}")"
bash "$here/bootstrap.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$LIFELINE_ROOT"

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

layer "Rust API and its driver (wasm-bindgen-test: Node, then headless Chromium; the Rust example)"
# The server's stdin is a pipe from this script: when the script ends, however it ends,
# the pipe closes and the server stops.
server_out=$(mktemp)
exec 3> >(exec node tests/wasm/server.mjs 0 >"$server_out" 2>&1)
for _ in $(seq 100); do grep -q LISTENING "$server_out" && break; sleep 0.1; done
LIFELINE_WASM_SERVER_PORT=$(awk '/LISTENING/ { print $2 }' "$server_out")
[[ -n "$LIFELINE_WASM_SERVER_PORT" ]] || { cat "$server_out"; echo "test server did not start" >&2; exit 1; }
export LIFELINE_WASM_SERVER_PORT
echo "wasm test server on 127.0.0.1:$LIFELINE_WASM_SERVER_PORT"
# The Rust API (Socket, Config, Event), without the npm feature, as Rust applications get it.
NODE_PATH="$LIFELINE_ROOT/node_modules" cargo test --target wasm32-unknown-unknown --test rust_api_node
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test rust_api_browser
# The same with the serde feature (Config::from_js / to_js, events serialized): tests/rust_api/serde.rs.
NODE_PATH="$LIFELINE_ROOT/node_modules" cargo test --target wasm32-unknown-unknown --features serde --test rust_api_node
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features serde --test rust_api_browser
cargo clippy -p lifeline-ws-example --target wasm32-unknown-unknown -- -D warnings
node --test tests/rust-example/
exec 3>&-
rm -f "$server_out"

layer "types (tsc --noEmit on tests/types)"
npm run --silent test:types

layer "package in Node (npm run build, npm pack, node --test tests/node/)"
npm run --silent build
npm run --silent size
node --test tests/node/

layer "properties of the package (fast-check: random calls and server faults): node --test tests/properties/"
properties_start=$SECONDS
node --test tests/properties/
echo "properties: $((SECONDS - properties_start)) s"

layer "demo (bounded npm run demo, status page in Chromium): node --test tests/demo/"
node --test tests/demo/

layer "lifecycle in Chromium (offline, hidden, frozen, bfcache, sleep, Worker): node --test tests/browser/"
node --test tests/browser/

layer "consumers (Node ESM/CJS/global, Vite, webpack, esbuild, static page, Workers, TypeScript): node --test tests/consumers/"
consumers_start=$SECONDS
node --test tests/consumers/
echo "consumers: $((SECONDS - consumers_start)) s"

echo
echo "test: all $layers layers passed (fmt, clippy, cargo test, doc, smoke, wasm driver, types, package in Node, properties, demo, lifecycle in Chromium, consumers) in $((SECONDS - start)) s"
