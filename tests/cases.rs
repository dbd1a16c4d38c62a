//! The Rust side of `tests/cases/heartbeat.json` (its JS side is
//! `tests/node/heartbeat-sources.test.mjs`; the tables are described in
//! `tests/cases/README.md`): a rule both sides of the npm/Rust divide implement, held to one set
//! of expected results. `urls.json` runs against `Socket::connect` in Node
//! (`tests/rust_api/urls.rs`): its rules are the platform's URL parser's.
#![cfg(all(feature = "serde", not(target_arch = "wasm32")))]

use lifeline_ws::Config;
use serde_json::Value;

fn table(name: &str) -> Vec<Value> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let table: Value = serde_json::from_str(&text).unwrap();
    table["cases"].as_array().expect("a `cases` array").clone()
}

/// `heartbeat.json`: which pings the options give, as the serde reader (and through it the
/// builder, `core::Heartbeat::with_sources`) reads them; and the way back, as a config is
/// written out again or edited (`core::Heartbeat::ping_given`).
#[test]
fn heartbeat_sources_follow_the_shared_table() {
    for case in table("heartbeat.json") {
        let options = &case["options"];
        let config: Config =
            serde_json::from_value(options.clone()).unwrap_or_else(|e| panic!("{options}: {e}"));
        let heartbeat = config.policy().heartbeat;
        let got = heartbeat.map(|h| (h.client_ping, h.server_ping));
        let expected = &case["heartbeat"];
        let expected = (!expected.is_null()).then(|| {
            let flag = |name: &str| expected[name].as_bool().expect("a boolean");
            (flag("clientPing"), flag("serverPing"))
        });
        assert_eq!(got, expected, "{options}");

        let edited = config.clone().into_builder().build().unwrap();
        assert_eq!(edited.policy().heartbeat, heartbeat, "{options}, edited");
        let written = serde_json::to_value(&config).unwrap();
        let read: Config = serde_json::from_value(written.clone()).unwrap();
        assert_eq!(
            read.policy().heartbeat,
            heartbeat,
            "{options}, written as {written}"
        );
    }
}
