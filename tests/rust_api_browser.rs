//! The Rust API in headless Chromium, with the browser's own WebSocket.
#![cfg(target_arch = "wasm32")]

mod rust_api;

use lifeline_ws::{Config, ConfigBuilder};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn config() -> ConfigBuilder {
    Config::builder()
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
    rust_api::serde::a_socket_from_js_options_reports_serializable_events(|b| b).await;
}

/// The shared cases (tests/cases/cases.json), as the npm package runs them too.
#[wasm_bindgen_test]
async fn shared_cases() {
    rust_api::cases::run_all(config, "rust-browser").await;
}
