//! The Rust API in Node, with the `ws` package's WebSocket (Node 20 has none of its own).
#![cfg(target_arch = "wasm32")]

mod rust_api;

use lifeline_ws::{Config, ConfigBuilder};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(module = "ws")]
extern "C" {
    #[wasm_bindgen(js_name = WebSocket, thread_local_v2)]
    static WS: js_sys::Function;
}

fn config() -> ConfigBuilder {
    Config::builder().websocket(WS.with(Clone::clone))
}

#[wasm_bindgen_test]
async fn echo_and_the_stream_ends_after_close() {
    rust_api::echo_and_the_stream_ends_after_close(config()).await;
}

#[wasm_bindgen_test]
async fn reconnects_after_drops() {
    rust_api::reconnects_after_drops(config()).await;
}

#[wasm_bindgen_test]
async fn heartbeat_detects_a_server_that_stops_answering() {
    rust_api::heartbeat_detects_a_server_that_stops_answering(config()).await;
}

#[wasm_bindgen_test]
async fn dropping_the_socket_closes_it_and_ends_the_stream() {
    rust_api::dropping_the_socket_closes_it_and_ends_the_stream(config()).await;
}

#[wasm_bindgen_test]
async fn url_provider_is_asked_before_every_attempt() {
    rust_api::url_provider_is_asked_before_every_attempt(config()).await;
}

#[wasm_bindgen_test]
fn bad_input_is_refused() {
    rust_api::bad_input_is_refused(config());
}

/// The URL rules, against the table the JS facade is held to too (tests/cases/urls.json).
#[wasm_bindgen_test]
fn urls_follow_the_shared_table() {
    rust_api::urls::urls_follow_the_shared_table(config());
}

/// Node 20 has no `WebSocket`: without the option, `connect` says what to do.
#[wasm_bindgen_test]
fn without_a_websocket_connect_says_what_to_pass() {
    let error = lifeline_ws::Socket::connect("ws://127.0.0.1:1/", Config::default()).unwrap_err();
    assert_eq!(error, lifeline_ws::Error::NoWebSocket);
}

#[cfg(feature = "serde")]
#[wasm_bindgen_test]
fn config_from_js_reads_the_js_options() {
    rust_api::serde::config_from_js_reads_the_js_options();
}

#[cfg(feature = "serde")]
#[wasm_bindgen_test]
fn config_from_js_refuses_what_it_cannot_take() {
    rust_api::serde::config_from_js_refuses_what_it_cannot_take();
}

#[cfg(feature = "serde")]
#[wasm_bindgen_test]
fn config_to_js_round_trips() {
    rust_api::serde::config_to_js_round_trips();
}

#[cfg(feature = "serde")]
#[wasm_bindgen_test]
async fn a_socket_from_js_options_reports_serializable_events() {
    rust_api::serde::a_socket_from_js_options_reports_serializable_events(|b| {
        b.websocket(WS.with(Clone::clone))
    })
    .await;
}

/// The shared cases (tests/cases/cases.json), as the npm package runs them too.
#[wasm_bindgen_test]
async fn shared_cases() {
    rust_api::cases::run_all(config, "rust-node").await;
}
