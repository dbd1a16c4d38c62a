//! What the driver needs of the JS platform, declared by hand (duck-typed, so the `ws`
//! package's sockets in Node work as well as the browser's), and [`Listener`], an event
//! listener that removes itself on `Drop`.

use js_sys::{Function, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// A platform `WebSocket` (the browser's, or the `ws` package's in Node).
    #[wasm_bindgen(extends = Object)]
    #[derive(Clone, Debug)]
    pub type Socket;

    #[wasm_bindgen(method, catch)]
    pub fn send(this: &Socket, data: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = close)]
    pub fn close_with(this: &Socket, code: u16, reason: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = close)]
    pub fn close_plain(this: &Socket) -> Result<(), JsValue>;

    /// Anything with `addEventListener` / `removeEventListener`.
    #[wasm_bindgen(extends = Object)]
    #[derive(Clone, Debug)]
    pub type Target;

    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_listener(this: &Target, kind: &str, f: &Function);

    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_listener(this: &Target, kind: &str, f: &Function);

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    /// `String(value)`: how JS shows a value (used in error messages, so that Rust never
    /// formats a float).
    #[wasm_bindgen(js_name = String)]
    pub fn js_string(value: &JsValue) -> String;
}

/// The driver's clock: `performance.now()` in whole milliseconds.
pub fn now() -> u64 {
    performance_now() as u64
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

/// 64 random bits for the jitter generator: `crypto.getRandomValues`, or `Math.random`
/// where there is no `crypto`.
pub fn seed() -> u64 {
    let crypto = get(&global(), "crypto");
    let fill = get(&crypto, "getRandomValues");
    if let Some(fill) = fill.dyn_ref::<Function>() {
        let words = Uint32Array::new_with_length(2);
        if fill.call1(&crypto, &words).is_ok() {
            return (u64::from(words.get_index(0)) << 32) | u64::from(words.get_index(1));
        }
    }
    let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (high << 32) | low
}

/// An event listener backed by a Rust closure; removed from its target on `Drop`.
#[must_use = "a Listener is removed as soon as it is dropped"]
pub struct Listener {
    target: Target,
    kind: &'static str,
    closure: Closure<dyn FnMut(JsValue)>,
}

impl Listener {
    /// Adds `handler` as a listener for `kind` events on `target`.
    pub fn new(
        target: &JsValue,
        kind: &'static str,
        handler: impl FnMut(JsValue) + 'static,
    ) -> Self {
        let closure = Closure::<dyn FnMut(JsValue)>::new(handler);
        let target: Target = target.clone().unchecked_into();
        target.add_listener(kind, closure.as_ref().unchecked_ref());
        Listener {
            target,
            kind,
            closure,
        }
    }

    /// Whether `target` can take listeners (Node's `globalThis` cannot).
    pub fn supported(target: &JsValue) -> bool {
        get(target, "addEventListener").is_function()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.target
            .remove_listener(self.kind, self.closure.as_ref().unchecked_ref());
    }
}
