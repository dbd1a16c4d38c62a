//! What the driver needs of the JS platform beyond the web-sys types: the clock, the seed,
//! and duck-typed reads.
//!
//! The platform types themselves are web-sys's (`WebSocket`, `CloseEvent`, `Document`, …),
//! and listeners are `gloo_events::EventListener`s. What is declared here by hand is what
//! web-sys cannot reach the same way on every platform the driver runs on:
//! - `performance` and `crypto` are globals in browsers, Workers and Node alike, but web-sys
//!   reaches them only through `Window` or `WorkerGlobalScope` (Node has neither);
//! - `Reflect` reads ([`get`]) for what may be missing or is not in the browser's API: the
//!   `ws` package's `terminate()`, `navigator.onLine` (Node 21+ has a `navigator` without
//!   it), a global `document` or `addEventListener` (Node has none).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Crypto, Performance};

#[wasm_bindgen]
extern "C" {
    /// `globalThis.performance` (a global everywhere: web-sys only has
    /// `Window::performance` and `WorkerGlobalScope::performance`).
    #[wasm_bindgen(thread_local_v2, js_name = performance)]
    static PERFORMANCE: Performance;
}

/// The driver's clock: `performance.now()` in whole milliseconds.
pub fn now() -> u64 {
    PERFORMANCE.with(Performance::now) as u64
}

/// `globalThis`.
pub fn global() -> JsValue {
    js_sys::global().into()
}

/// `object[key]`, or `undefined` when `object` is not an object or the read throws.
pub fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() && !object.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether `target` can take event listeners (Node's `globalThis` cannot): the check before
/// it is used as a web-sys `EventTarget`.
pub fn has_listeners(target: &JsValue) -> bool {
    get(target, "addEventListener").is_function()
}

/// 64 random bits for the jitter generator: `crypto.getRandomValues`, or `Math.random`
/// where there is no `crypto`.
pub fn seed() -> u64 {
    let crypto = get(&global(), "crypto");
    if get(&crypto, "getRandomValues").is_function() {
        // Duck-typed: a Worker's or Node's `crypto` serves as well as a window's.
        let crypto: Crypto = crypto.unchecked_into();
        let mut bytes = [0u8; 8];
        if crypto.get_random_values_with_u8_array(&mut bytes).is_ok() {
            return u64::from_le_bytes(bytes);
        }
    }
    let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (high << 32) | low
}

/// Calls `object.method()` if the platform has it (the `ws` package's `terminate`, which
/// the browser's `WebSocket` lacks); whether it had it. What the call throws is ignored.
pub fn call_if_present(object: &JsValue, method: &str) -> bool {
    let method = get(object, method);
    match method.dyn_ref::<Function>() {
        Some(method) => {
            let _ = method.call0(object);
            true
        }
        None => false,
    }
}
