//! The driver in Node, with the `ws` package's WebSocket (Node 20 has none of its own).
#![cfg(target_arch = "wasm32")]

mod wasm_shared;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(module = "ws")]
extern "C" {
    #[wasm_bindgen(js_name = WebSocket, thread_local_v2)]
    static WS: JsValue;
}

fn ws() -> JsValue {
    WS.with(JsValue::clone)
}

#[wasm_bindgen_test]
async fn echo_round_trip() {
    wasm_shared::echo_round_trip(ws()).await;
}

#[wasm_bindgen_test]
async fn reconnects_after_the_server_closes() {
    wasm_shared::reconnects_after_the_server_closes(ws()).await;
}

#[wasm_bindgen_test]
async fn heartbeat_detects_a_server_that_stops_answering() {
    wasm_shared::heartbeat_detects_a_server_that_stops_answering(ws()).await;
}

#[wasm_bindgen_test]
fn late_deadline_after_sleep_probes() {
    wasm_shared::late_deadline_after_sleep_probes();
}
