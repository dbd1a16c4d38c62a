//! The driver in headless Chromium, with the browser's own WebSocket.
#![cfg(target_arch = "wasm32")]

mod wasm_shared;

use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn echo_round_trip() {
    wasm_shared::echo_round_trip(JsValue::UNDEFINED).await;
}

#[wasm_bindgen_test]
async fn reconnects_after_the_server_closes() {
    wasm_shared::reconnects_after_the_server_closes(JsValue::UNDEFINED).await;
}

#[wasm_bindgen_test]
async fn heartbeat_detects_a_server_that_stops_answering() {
    wasm_shared::heartbeat_detects_a_server_that_stops_answering(JsValue::UNDEFINED).await;
}

#[wasm_bindgen_test]
fn late_deadline_after_sleep_probes() {
    wasm_shared::late_deadline_after_sleep_probes();
}
